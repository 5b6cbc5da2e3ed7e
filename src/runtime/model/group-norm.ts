// Group normalisation (Wu & He, 2018) as a tfjs-layers layer; instance
// normalisation is the special case groups = channels. tfjs-layers has neither,
// and both are needed for `norm group|instance`.
//
// Checkpoints containing this layer load with `tf.loadLayersModel` only where
// this class is registered (`import` this module first): in the browser too.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface GroupNormalizationArgs {
  /** number of channel groups; must divide the channel count (-1 = one group per channel) */
  groups: number;
  epsilon?: number;
  name?: string;
}

export class GroupNormalization extends tfl.layers.Layer {
  static readonly className = 'GroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  private gamma?: tfl.LayerVariable;
  private beta?: tfl.LayerVariable;

  constructor(args: GroupNormalizationArgs) {
    super({ name: args.name });
    this.groups = args.groups;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error('GroupNormalization needs a known channel count');
    const groups = this.groups === -1 ? channels : this.groups;
    if (channels % groups !== 0) throw new Error(`GroupNormalization: ${groups} groups do not divide ${channels} channels`);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const groups = this.groups === -1 ? c : this.groups;
      const grouped = tf.reshape(x, [n, h, w, groups, c / groups]);
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
      const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      const y = tf.reshape(normed, [n, h, w, c]);
      return tf.add(tf.mul(y, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(GroupNormalization);
