// Batch normalisation whose training step is one fused kernel each way where
// the backend has one (r2u's native kernels), and tfjs-layers' own otherwise.
//
// tfjs-layers trains a BatchNormalization layer as tf.moments + tf.batchNorm
// and their gradients: some 30 broadcasting elementwise kernels per layer,
// each a pass over the activation, which made batch norm the largest cost of
// a training step outside the convolutions. BATCH_NORM_TRAINING computes the
// batch statistics and the normalised output in one kernel, its gradient
// (dx, dscale, doffset) in another. The layer below is tfjs-layers' own class
// with only its training call replaced: inference, the moving averages and
// the saved model (class name, config, weights) are exactly the stock ones,
// so a checkpoint trained with the fused kernels loads anywhere.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type {
  BatchNormalization as StockBatchNormalization,
  BatchNormalizationLayerArgs,
} from '@tensorflow/tfjs-layers/dist/layers/normalization.js';

/** inputs x, scale, offset (NHWC, per-channel), attrs { epsilon }; outputs [y, mean, variance (biased)] */
export const BATCH_NORM_TRAINING = 'R2uBatchNormTraining';
/** inputs dy, x, scale, mean, variance, attrs { epsilon }; outputs [dx, dscale, doffset] */
export const BATCH_NORM_TRAINING_GRAD = 'R2uBatchNormTrainingGrad';

export interface BatchNormTrainingAttrs {
  epsilon: number;
}

tf.registerGradient({
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, scale, mean, variance] = saved;
    const dy = (Array.isArray(dys) ? dys[0] : dys) ?? tf.zerosLike(x);
    // all three in one kernel, before the tape asks for each
    const [dx, dscale, doffset] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, scale, mean, variance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { x: () => dx, scale: () => dscale, offset: () => doffset };
  },
});

/** y, batch mean and batch variance of x over all axes but the last, with the fused kernel */
export function batchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const attrs: BatchNormTrainingAttrs = { epsilon };
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale, offset }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** whether the current backend has the fused kernels */
export function hasFusedBatchNorm(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BATCH_NORM_TRAINING, backend) !== undefined && tf.getKernel(BATCH_NORM_TRAINING_GRAD, backend) !== undefined;
}

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

// the stock class from the serialization registry (tfjs-layers exports only its factory)
const Stock = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as new (
  args: BatchNormalizationLayerArgs,
) => StockBatchNormalization;

export class BatchNormalization extends Stock {
  /** saved under the stock name: the saved model is tfjs-layers' own */
  static readonly className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as StockFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
    if (!kwargs.training || !lastAxis || !self.center || !self.scale || x.dtype !== 'float32' || !hasFusedBatchNorm()) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(x, self.gamma.read() as tf.Tensor1D, self.beta.read() as tf.Tensor1D, self.epsilon);
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
  }
}
