import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import type { LossConfig } from '../../../src/spec/config.js';
import { makeLoss } from '../../../src/runtime/train/losses.js';
import { UNSCORED } from '../../../src/runtime/data/types.js';

// y = [1, 0], p = [0.8, 0.3]; expected values worked out by hand
const cases: Array<[LossConfig, number]> = [
  [{ kind: 'bce' }, (-Math.log(0.8) - Math.log(0.7)) / 2],
  [{ kind: 'weighted_bce', pos_weight: 2 }, (-2 * Math.log(0.8) - Math.log(0.7)) / 2],
  [{ kind: 'dice', smooth: 1 }, 1 - (2 * 0.8 + 1) / (1 + 1.1 + 1)],
  [{ kind: 'bce_dice', dice_weight: 0.5, smooth: 1 }, (-Math.log(0.8) - Math.log(0.7)) / 2 + 0.5 * (1 - 2.6 / 3.1)],
  [{ kind: 'focal', gamma: 2, alpha: 0.25 }, -(0.25 * 0.2 ** 2 * Math.log(0.8) + 0.75 * 0.3 ** 2 * Math.log(0.7)) / 2],
];

describe('losses', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const [cfg, want] of cases) {
    it(`${cfg.kind} matches the hand-computed value`, () => {
      const got = tf.tidy(() => makeLoss(cfg)(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.8, 0.3], [1, 1, 2, 1])).dataSync()[0]);
      expect(got).toBeCloseTo(want, 5);
    });

    it(`${cfg.kind} stays finite, with finite gradients, on saturated predictions`, () => {
      const y = tf.tensor4d([1, 0, 1, 0], [1, 2, 2, 1]);
      const p = tf.tensor4d([0, 1, 1, 0], [1, 2, 2, 1]);
      const { value, grads } = tf.tidy(() => {
        const g = tf.valueAndGrad((q: tf.Tensor) => makeLoss(cfg)(y, q));
        const r = g(p);
        return { value: r.value.dataSync()[0], grads: Array.from(r.grad.dataSync()) };
      });
      expect(Number.isFinite(value)).toBe(true);
      for (const g of grads) expect(Number.isFinite(g)).toBe(true);
      tf.dispose([y, p]);
    });

    it(`${cfg.kind}: an UNSCORED pixel adds nothing to the loss or its gradient, whatever the prediction there`, () => {
      // [1, 0, UNSCORED] with the third pixel's prediction varied scores as [1, 0] does, pixels in the mean's denominator included
      const lossAndGrad = (labels: number[], p: number[]) =>
        tf.tidy(() => {
          const r = tf.valueAndGrad((q: tf.Tensor) => makeLoss(cfg)(tf.tensor4d(labels, [1, 1, labels.length, 1]), q))(tf.tensor4d(p, [1, 1, p.length, 1]));
          return { value: r.value.dataSync()[0], grad: Array.from(r.grad.dataSync()) };
        });
      const pixelMean = cfg.kind !== 'dice' && cfg.kind !== 'bce_dice';
      const twoOfThree = lossAndGrad([1, 0, 0], [0.8, 0.3, 0.3]);
      for (const q of [0.01, 0.5, 0.99]) {
        const got = lossAndGrad([1, 0, UNSCORED], [0.8, 0.3, q]);
        expect(got.grad[2]).toBe(0);
        if (pixelMean) {
          // a mean over three pixels, the third contributing 0
          expect(got.value).toBeCloseTo(((want as number) * 2) / 3, 5);
          expect(got.grad[0]).toBeCloseTo(twoOfThree.grad[0], 6);
        } else if (cfg.kind === 'dice') {
          expect(got.value).toBeCloseTo(want, 5);
        }
      }
    });
  }

  it('with every pixel scored, BCE and its gradient are the plain formula’s, bit for bit (runs without UNSCORED pixels train as before)', () => {
    const y = [1, 0, 0, 1, 1, 0];
    const p = [0.9, 0.2, 0.6, 0.4, 0.7, 0.05];
    const plain = (yt: tf.Tensor, q: tf.Tensor) => {
      const c = tf.clipByValue(q, 1e-7, 1 - 1e-7);
      return tf.neg(tf.mean(tf.add(tf.mul(tf.mul(yt, tf.log(c)), 1), tf.mul(tf.sub(1, yt), tf.log(tf.sub(1, c)))))) as tf.Scalar;
    };
    const run = (loss: (yt: tf.Tensor, q: tf.Tensor) => tf.Scalar) =>
      tf.tidy(() => {
        const r = tf.valueAndGrad((q: tf.Tensor) => loss(tf.tensor4d(y, [1, 2, 3, 1]), q))(tf.tensor4d(p, [1, 2, 3, 1]));
        return [r.value.dataSync()[0], ...Array.from(r.grad.dataSync())];
      });
    expect(run(makeLoss({ kind: 'bce' }))).toEqual(run(plain));
  });
});
