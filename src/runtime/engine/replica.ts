// One model replica that turns a batch into (loss, gradients): the compute
// core shared by the in-process engine and by each data-parallel worker.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ExperimentConfig } from '../../spec/config.js';
import type { Batch as SamplerBatch } from '../data/types.js';
import { buildModel } from '../model/index.js';
import { makeLoss, type LossFn } from '../train/losses.js';
import { variableGradients } from './gradients.js';

/** a training batch; the channel count is the replica's own */
export type Batch = Omit<SamplerBatch, 'c'>;

export class Replica {
  readonly model: tfl.LayersModel;
  /** trainable variables, in model.trainableWeights order */
  readonly trainable: tf.Variable[];
  private readonly loss: LossFn;

  constructor(
    config: ExperimentConfig,
    readonly inputChannels: number,
  ) {
    this.model = buildModel(config.model, inputChannels);
    this.trainable = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.loss = makeLoss(config.train.loss);
  }

  /** Forward + backward in training mode; the caller owns (and disposes) the returned tensors. */
  gradients(batch: Batch): { loss: tf.Scalar; grads: tf.Tensor[] } {
    const { x, y, n, h, w } = batch;
    if (x.length !== n * h * w * this.inputChannels || y.length !== n * h * w) {
      throw new Error(`batch arrays do not match ${n}x${h}x${w}x${this.inputChannels}`);
    }
    const xs = tf.tensor4d(x, [n, h, w, this.inputChannels]);
    const ys = tf.tensor4d(y, [n, h, w, 1]);
    try {
      const { value, grads } = variableGradients(
        () => this.loss(ys, this.model.apply(xs, { training: true }) as tf.Tensor),
        this.trainable,
      );
      return { loss: value, grads };
    } finally {
      tf.dispose([xs, ys]);
    }
  }

  /** Sigmoid probabilities for [n, h, w, C] images; h and w multiples of 2^depth. */
  async predict(x: Float32Array, n: number, h: number, w: number): Promise<Float32Array> {
    const out = tf.tidy(() => this.model.predict(tf.tensor4d(x, [n, h, w, this.inputChannels])) as tf.Tensor);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  async getWeights(): Promise<Float32Array[]> {
    return Promise.all(this.model.weights.map(async (w) => (await w.read().data()) as Float32Array));
  }

  setWeights(values: readonly Float32Array[]): void {
    const weights = this.model.weights;
    if (values.length !== weights.length) throw new Error(`expected ${weights.length} weight arrays, got ${values.length}`);
    tf.tidy(() => {
      weights.forEach((w, i) => {
        if (values[i].length !== w.read().size) {
          throw new Error(`weight ${w.name}: expected ${w.read().size} values, got ${values[i].length}`);
        }
        w.write(tf.tensor(values[i], w.read().shape, 'float32'));
      });
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}
