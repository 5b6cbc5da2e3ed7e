import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  auc,
  bestF1Threshold,
  confusion,
  fullScores,
  meanScores,
  mergeRanked,
  rankScores,
  scores,
} from '../../../src/runtime/eval/metrics.js';

// Quadratic reference: fraction of (pos, neg) pairs ranked correctly, ties half.
function pairwiseAuc(prob: number[], label: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < prob.length; i++) {
    if (!label[i]) continue;
    for (let j = 0; j < prob.length; j++) {
      if (label[j]) continue;
      pairs++;
      wins += prob[i] > prob[j] ? 1 : prob[i] === prob[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('confusion and scores', () => {
  const prob = [0.9, 0.6, 0.4, 0.2, 0.7, 0.1, 0.5, 0.3];
  const label = [1, 1, 1, 0, 0, 0, 1, 0];
  const fov = [1, 1, 1, 1, 1, 1, 1, 0];

  it('counts inside the FOV with prob >= threshold positive', () => {
    // inside FOV: (0.9,1) tp, (0.6,1) tp, (0.4,1) fn, (0.2,0) tn, (0.7,0) fp, (0.1,0) tn, (0.5,1) tp
    expect(confusion(prob, label, fov, 0.5)).toEqual({ tp: 3, fp: 1, tn: 2, fn: 1 });
    expect(confusion(prob, label, null, 0.5)).toEqual({ tp: 3, fp: 1, tn: 3, fn: 1 });
  });

  it('derives the ratios by hand', () => {
    const s = scores({ tp: 3, fp: 1, tn: 2, fn: 1 });
    expect(s.accuracy).toBeCloseTo(5 / 7, 12);
    expect(s.sensitivity).toBeCloseTo(3 / 4, 12);
    expect(s.specificity).toBeCloseTo(2 / 3, 12);
    expect(s.precision).toBeCloseTo(3 / 4, 12);
    expect(s.dice).toBeCloseTo(6 / 8, 12);
  });

  it('marks undefined ratios NaN and means skip them', () => {
    const s = scores({ tp: 0, fp: 0, tn: 5, fn: 0 });
    expect(s.sensitivity).toBeNaN();
    expect(s.specificity).toBe(1);
    expect(meanScores([{ a: 1, b: Number.NaN }, { a: 3, b: 2 }])).toEqual({ a: 2, b: 2 });
  });
});

describe('AUC', () => {
  it('matches hand values', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], null)).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], null)).toBe(0.5);
    expect(auc([0.2, 0.2, 0.9, 0.1], [1, 0, 1, 0], null)).toBeCloseTo((1 + 0.5 + 1 + 1) / 4, 12);
    expect(auc([0.9, 0.1], [0, 1], [1, 1])).toBe(0);
    expect(auc([0.9, 0.1], [1, 1], null)).toBeNaN();
  });

  it('equals the pairwise definition with ties (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 2, maxLength: 60 }),
        (pts) => {
          const prob = pts.map(([v]) => v / 6);
          const label = pts.map(([, l]) => (l ? 1 : 0));
          if (!label.includes(1) || !label.includes(0)) return;
          expect(auc(Float32Array.from(prob), label, null)).toBeCloseTo(pairwiseAuc(Array.from(Float32Array.from(prob)), label), 12);
        },
      ),
    );
  });

  it('pools images and handles 1.5M pixels quickly', () => {
    const n = 1_500_000;
    const prob = new Float32Array(n);
    const label = new Uint8Array(n);
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      label[i] = (s >>> 16) % 8 === 0 ? 1 : 0;
      prob[i] = Math.min(1, ((s >>> 8) % 1000) / 1000 + label[i] * 0.3);
    }
    const t0 = performance.now();
    const value = auc(prob, label, null);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(value).toBeGreaterThan(0.5);
    const halves = mergeRanked([
      rankScores(prob.subarray(0, n / 2), label.subarray(0, n / 2), null),
      rankScores(prob.subarray(n / 2), label.subarray(n / 2), null),
    ]);
    expect(rankScores(prob, label, null).pos).toEqual(halves.pos);
  });

  it('rejects NaN scores', () => {
    expect(() => auc([Number.NaN, 0.2], [1, 0], null)).toThrow(/NaN/);
  });
});

describe('best-F1 threshold', () => {
  it('finds the hand-computed optimum', () => {
    // f1 = 2tp / (tp + fp + npos), npos = 3:
    // 0.9 -> 2/4; 0.8 -> 2/5; 0.6 -> 4/6; 0.3 -> 6/7; 0.1 -> 6/8
    const prob = Float32Array.of(0.9, 0.8, 0.6, 0.3, 0.1);
    const ranked = rankScores(prob, [1, 0, 1, 1, 0], null);
    const best = bestF1Threshold(ranked);
    expect(best.threshold).toBeCloseTo(0.3, 6);
    expect(best.f1).toBeCloseTo(6 / 7, 12);
    const atBest = fullScores(prob, [1, 0, 1, 1, 0], null, best.threshold);
    expect(atBest.dice).toBeCloseTo(best.f1, 12);
  });

  it('is never beaten by another threshold (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.boolean()), { minLength: 1, maxLength: 40 }), (pts) => {
        const prob = Float32Array.from(pts.map(([v]) => v / 9));
        const label = pts.map(([, l]) => (l ? 1 : 0));
        const best = bestF1Threshold(rankScores(prob, label, null));
        if (!label.includes(1)) {
          expect(best.f1).toBeNaN();
          return;
        }
        for (const t of prob) {
          expect(scores(confusion(prob, label, null, t)).dice).toBeLessThanOrEqual(best.f1 + 1e-12);
        }
        expect(scores(confusion(prob, label, null, best.threshold)).dice).toBeCloseTo(best.f1, 12);
      }),
    );
  });
});
