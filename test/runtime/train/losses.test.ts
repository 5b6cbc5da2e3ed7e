import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import type { LossConfig } from '../../../src/spec/config.js';
import { makeLoss } from '../../../src/runtime/train/losses.js';

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
  }
});
