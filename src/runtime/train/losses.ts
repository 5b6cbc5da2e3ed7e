// Segmentation losses on sigmoid probabilities. Probabilities are clipped to
// [EPSILON, 1 - EPSILON] before any logarithm, so a saturated output gives a
// large but finite loss and gradient instead of Infinity/NaN. Pixels whose
// target is UNSCORED count as neither vessel nor background: they add nothing
// to a loss or its gradient. Means keep every pixel in the denominator, so a
// batch's loss stays the size-weighted mean of its parts' (data parallelism).
import * as tf from '@tensorflow/tfjs-core';
import { UNSCORED } from '../data/types.js';
import type { LossConfig } from '../../spec/config.js';

/** `yTrue`: 0 background, 1 vessel, UNSCORED left out */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

export const EPSILON = 1e-7;

function clip(p: tf.Tensor): tf.Tensor {
  return tf.clipByValue(p, EPSILON, 1 - EPSILON);
}

/** A batch's targets: `y` 0/1 (UNSCORED pixels 0) and `scored`, 1 where the pixel counts and 0 where it does not. */
interface Target {
  readonly y: tf.Tensor;
  readonly scored: tf.Tensor;
}

function target(labels: tf.Tensor): Target {
  // where every pixel is scored, both products are by exactly 1: the loss and its gradient are unchanged
  const scored = tf.cast(tf.less(labels, UNSCORED), 'float32');
  return { y: tf.mul(labels, scored), scored };
}

/** mean over pixels of -[w y log p + (1 - y) log(1 - p)] */
function binaryCrossEntropy({ y, scored }: Target, p: tf.Tensor, posWeight: number): tf.Scalar {
  const q = clip(p);
  const pos = tf.mul(tf.mul(y, tf.log(q)), posWeight);
  const neg = tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q)));
  return tf.neg(tf.mean(tf.mul(tf.add(pos, neg), scored))) as tf.Scalar;
}

/** 1 - (2 sum(y p) + s) / (sum(y) + sum(p) + s), over the whole batch's scored pixels */
function diceLoss({ y, scored }: Target, p: tf.Tensor, smooth: number): tf.Scalar {
  const intersection = tf.sum(tf.mul(y, p));
  const total = tf.add(tf.sum(y), tf.sum(tf.mul(p, scored)));
  return tf.sub(1, tf.div(tf.add(tf.mul(intersection, 2), smooth), tf.add(total, smooth)));
}

/** Lin et al. 2017: mean of -[a y (1-p)^g log p + (1-a)(1-y) p^g log(1-p)] */
function focalLoss({ y, scored }: Target, p: tf.Tensor, gamma: number, alpha: number): tf.Scalar {
  const q = clip(p);
  const pos = tf.mul(tf.mul(y, tf.pow(tf.sub(1, q), gamma)), tf.mul(tf.log(q), alpha));
  const neg = tf.mul(tf.mul(tf.sub(1, y), tf.pow(q, gamma)), tf.mul(tf.log(tf.sub(1, q)), 1 - alpha));
  return tf.neg(tf.mean(tf.mul(tf.add(pos, neg), scored))) as tf.Scalar;
}

export function makeLoss(cfg: LossConfig): LossFn {
  switch (cfg.kind) {
    case 'bce':
      return (labels, p) => binaryCrossEntropy(target(labels), p, 1);
    case 'weighted_bce':
      return (labels, p) => binaryCrossEntropy(target(labels), p, cfg.pos_weight);
    case 'dice':
      return (labels, p) => diceLoss(target(labels), p, cfg.smooth);
    case 'bce_dice':
      return (labels, p) => {
        const t = target(labels);
        return tf.add(binaryCrossEntropy(t, p, 1), tf.mul(diceLoss(t, p, cfg.smooth), cfg.dice_weight));
      };
    case 'focal':
      return (labels, p) => focalLoss(target(labels), p, cfg.gamma, cfg.alpha);
  }
}

/**
 * Whether the loss of a batch is the size-weighted mean of its parts' losses,
 * so that averaging per-part gradients reproduces the whole-batch gradient
 * exactly (dice is a ratio of batch sums, so data-parallel parts approximate it).
 */
export function isPixelMean(cfg: LossConfig): boolean {
  return cfg.kind === 'bce' || cfg.kind === 'weighted_bce' || cfg.kind === 'focal';
}
