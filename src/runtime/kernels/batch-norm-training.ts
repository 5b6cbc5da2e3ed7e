// Batch norm in training as one op with its own gradient: the batch
// statistics and the normalised (optionally rectified) output in one kernel,
// dx, dscale and doffset in another. Only backends that register both kernels
// (r2u's native ones) run it; src/runtime/model/batch-norm.ts decides where.
import * as tf from '@tensorflow/tfjs-core';

/** inputs x, scale, offset (NHWC, per-channel), attrs { epsilon, relu }; outputs [y, mean, variance (biased)] */
export const BATCH_NORM_TRAINING = 'R2uBatchNormTraining';
/** inputs dy, x, scale, offset, mean, variance, attrs { epsilon, relu }; outputs [dx, dscale, doffset] */
export const BATCH_NORM_TRAINING_GRAD = 'R2uBatchNormTrainingGrad';

export interface BatchNormTrainingAttrs {
  epsilon: number;
  /** y = max(0, normalised x): a ReLU after the normalisation, fused */
  relu: boolean;
}

tf.registerGradient({
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale', 'offset'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, scale, offset, mean, variance] = saved;
    const dy = (Array.isArray(dys) ? dys[0] : dys) ?? tf.zerosLike(x);
    // all three in one kernel, before the tape asks for each
    const [dx, dscale, doffset] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, scale, offset, mean, variance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { x: () => dx, scale: () => dscale, offset: () => doffset };
  },
});

/** y (rectified with relu), batch mean and batch variance of x over all axes but the last, with the fused kernel */
export function batchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
  relu = false,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const attrs: BatchNormTrainingAttrs = { epsilon, relu };
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale, offset }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** whether the current backend has the fused kernels */
export function hasFusedBatchNorm(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BATCH_NORM_TRAINING, backend) !== undefined && tf.getKernel(BATCH_NORM_TRAINING_GRAD, backend) !== undefined;
}
