// Batch normalisation whose training step is one fused kernel each way where
// the backend has one (r2u's native kernels), and tfjs-layers' own otherwise.
//
// tfjs-layers trains a BatchNormalization layer as tf.moments + tf.batchNorm
// and their gradients: some 30 broadcasting elementwise kernels per layer,
// each a pass over the activation, which made batch norm the largest cost of
// a training step outside the convolutions. The fused op
// (src/runtime/kernels/batch-norm-training.ts) computes the batch statistics
// and the normalised output in one kernel, its gradient (dx, dscale, doffset)
// in another, and takes in the ReLU that follows the
// normalisation in every R2U-Net block (the ReLU layer then passes the
// rectified tensor through; its forward pass and its gradient's three passes
// go). The layers below are tfjs-layers' own classes with only their training
// call replaced: inference, the moving averages and the saved model (class
// names, configs, weights) are exactly the stock ones, so a checkpoint trained
// with the fused kernels loads and infers anywhere.
import * as tf from '@tensorflow/tfjs-core';
// loaded first: its classes must be registered before this module reads two of them
import '@tensorflow/tfjs-layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import type {
  BatchNormalization as StockBatchNormalization,
  BatchNormalizationLayerArgs,
} from '@tensorflow/tfjs-layers/dist/layers/normalization.js';
import { batchNormTraining, hasFusedBatchNorm } from '../kernels/batch-norm-training.js';

type Kwargs = { training?: boolean };
/** what the training call reads of the stock layer (private in its typings) */
interface StockFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

/** outputs of fused normalisations that are already rectified: the ReLU layer after one passes them through */
const rectified = new WeakSet<tf.Tensor>();

/** a stock tfjs-layers class, from the serialization registry (tfjs-layers exports only factories) */
const stockClass = <T>(name: string) => tf.serialization.SerializationMap.getMap().classNameMap[name][0] as unknown as T;
const StockBatchNorm = stockClass<new (args: BatchNormalizationLayerArgs) => StockBatchNormalization>('BatchNormalization');
const StockReLU = stockClass<new (args: { name?: string }) => tfl.layers.Layer>('ReLU');

export class BatchNormalization extends StockBatchNorm {
  /** saved under the stock name: the saved model is tfjs-layers' own */
  static readonly className = 'BatchNormalization';
  /** set where this layer's only consumer is a ReLU (a FollowingReLU): the fused kernel applies it */
  private readonly fuseRelu: boolean;

  constructor(args: BatchNormalizationLayerArgs & { fuseRelu?: boolean }) {
    const { fuseRelu, ...stock } = args;
    super(stock);
    this.fuseRelu = fuseRelu ?? false;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as StockFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
    if (!kwargs.training || !lastAxis || !self.center || !self.scale || x.dtype !== 'float32' || !hasFusedBatchNorm()) {
      return super.call(inputs, kwargs);
    }
    const y = tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(x, self.gamma.read() as tf.Tensor1D, self.beta.read() as tf.Tensor1D, self.epsilon, this.fuseRelu);
      // the stock layer's moving-average update, op for op
      const decay = 1 - self.momentum;
      for (const [variable, value] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const orig = variable.read();
          variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        });
      }
      return y;
    });
    if (this.fuseRelu) rectified.add(y);
    return y;
  }
}

/** The ReLU after a BatchNormalization with fuseRelu: passes its already rectified output through (relu is idempotent). */
export class FollowingReLU extends StockReLU {
  static readonly className = 'ReLU';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // a copy-free clone: tfjs-layers disposes a layer's output apart from its input
    return rectified.has(x) ? tf.clone(x) : super.call(inputs, kwargs);
  }
}
