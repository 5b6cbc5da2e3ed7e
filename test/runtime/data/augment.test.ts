import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { AugmentConfig } from '../../../src/spec/config.js';
import { samplePatch } from '../../../src/runtime/data/augment/patch.js';
import { elasticField } from '../../../src/runtime/data/augment/elastic.js';
import { applyGamma, jitterIntensity } from '../../../src/runtime/data/augment/intensity.js';
import { mulberry32, type FundusImage } from '../../../src/runtime/data/index.js';

const NO_AUG = DEFAULT_EXPERIMENT.data.augment;
const S = 32;

/** an image whose label is derivable from it: label = pixel > 0.5 (blocky pattern so interpolation rarely crosses) */
function blocky(): FundusImage {
  const pixels = new Float32Array(S * S);
  const label = new Uint8Array(S * S);
  const rng = mulberry32(3);
  const blocks = Array.from({ length: 64 }, () => rng.next());
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const v = blocks[Math.floor(y / 4) * 8 + Math.floor(x / 4)] < 0.4 ? 0.9 : 0.1;
      pixels[y * S + x] = v;
      label[y * S + x] = v > 0.5 ? 1 : 0;
    }
  }
  return { id: 'b', sourcePath: 'mem', width: S, height: S, channels: 1, pixels, label, fov: new Uint8Array(S * S).fill(1), original: { width: S, height: S }, geometry: [] };
}

function patch(img: FundusImage, aug: AugmentConfig, seed: number, size = 16) {
  const x = new Float32Array(size * size);
  const y = new Float32Array(size * size);
  samplePatch(img, 16, 16, size, size, aug, mulberry32(seed), x, 0, y, 0);
  return { x, y };
}

const agreement = (x: Float32Array, y: Float32Array) => x.reduce((n, v, i) => n + ((v > 0.5 ? 1 : 0) === y[i] ? 1 : 0), 0) / x.length;

describe('augmentation keeps image and label aligned', () => {
  const img = blocky();
  it.each([
    ['flips', { ...NO_AUG, flip_horizontal: true, flip_vertical: true }, 1],
    ['90-degree rotations', { ...NO_AUG, rotate90: true }, 1],
    ['small rotations', { ...NO_AUG, rotate: 25 }, 0.97],
    ['elastic deformation', { ...NO_AUG, elastic: { alpha: 3, sigma: 4 } }, 0.95],
    ['everything', { ...NO_AUG, flip_horizontal: true, rotate90: true, rotate: 15, elastic: { alpha: 2, sigma: 4 } }, 0.95],
  ] as const)('%s: label = image > 0.5 still holds', (_, aug, minAgreement) => {
    for (let seed = 0; seed < 20; seed++) {
      const { x, y } = patch(img, aug, seed);
      expect(agreement(x, y)).toBeGreaterThanOrEqual(minAgreement);
    }
  });

  it('flips and 90-degree rotations are exact permutations of the unaugmented patch', () => {
    const base = patch(img, NO_AUG, 0);
    const sorted = (a: Float32Array) => [...a].sort((p, q) => p - q);
    let changed = 0;
    for (let seed = 0; seed < 10; seed++) {
      const { x } = patch(img, { ...NO_AUG, flip_horizontal: true, rotate90: true }, seed);
      expect(sorted(x)).toEqual(sorted(base.x));
      if (x.some((v, i) => v !== base.x[i])) changed++;
    }
    expect(changed).toBeGreaterThan(0);
  });

  it('a horizontal flip mirrors the rows', () => {
    const base = patch(img, NO_AUG, 0);
    let seen = false;
    for (let seed = 0; seed < 10 && !seen; seed++) {
      const { x, y } = patch(img, { ...NO_AUG, flip_horizontal: true }, seed);
      if (x.every((v, i) => v === base.x[i])) continue;
      seen = true;
      for (let r = 0; r < 16; r++) {
        for (let c = 0; c < 16; c++) {
          expect(x[r * 16 + c]).toBe(base.x[r * 16 + 15 - c]);
          expect(y[r * 16 + c]).toBe(base.y[r * 16 + 15 - c]);
        }
      }
    }
    expect(seen).toBe(true);
  });

  it('intensity jitter changes the image, never the label', () => {
    const aug = { ...NO_AUG, brightness: 0.2, contrast: 0.2, gamma: 0.2 };
    const base = patch(img, NO_AUG, 4);
    const { x, y } = patch(img, aug, 4);
    expect(y).toEqual(base.y);
    expect(x).not.toEqual(base.x);
  });
});

describe('intensity jitter', () => {
  it('brightness adds a constant; contrast scales around the mean', () => {
    const x = Float32Array.from([0, 1, 2, 3]);
    jitterIntensity(x, mulberry32(1), { ...NO_AUG, brightness: 0.5 });
    const d = x[0];
    expect(Math.abs(d)).toBeLessThanOrEqual(0.5);
    [0, 1, 2, 3].forEach((v, i) => expect(x[i] - d).toBeCloseTo(v, 5));
    const y = Float32Array.from([0, 1, 2, 3]);
    jitterIntensity(y, mulberry32(1), { ...NO_AUG, contrast: 0.5 });
    expect(y[0] + y[3]).toBeCloseTo(3, 5); // symmetric about the mean 1.5
  });

  it('gamma acts on the min..max range and keeps the endpoints', () => {
    const x = Float32Array.from([-1, 0, 1]);
    applyGamma(x, 2);
    expect([...x]).toEqual([-1, -0.5, 1]);
  });
});

describe('elastic field', () => {
  it('is smooth and scaled by alpha', () => {
    const { dx } = elasticField(mulberry32(2), 32, 32, 10, 4);
    let maxStep = 0;
    let maxAbs = 0;
    for (let i = 0; i < 32 * 32 - 1; i++) {
      if ((i + 1) % 32 !== 0) maxStep = Math.max(maxStep, Math.abs(dx[i + 1] - dx[i]));
      maxAbs = Math.max(maxAbs, Math.abs(dx[i]));
    }
    expect(maxAbs).toBeGreaterThan(0.1);
    expect(maxAbs).toBeLessThan(10);
    expect(maxStep).toBeLessThan(maxAbs / 2);
  });
});

describe('box-blur Gaussian approximation', () => {
  it('three boxes have the variance of the Gaussian (Kovesi)', async () => {
    const { boxRadii } = await import('../../../src/runtime/data/augment/elastic.js');
    for (const sigma of [2, 4, 6.5]) {
      // a box of radius r has variance ((2r+1)^2 - 1) / 12; variances add under convolution
      const v = boxRadii(sigma, 3).reduce((s, r) => s + ((2 * r + 1) ** 2 - 1) / 12, 0);
      expect(Math.abs(v - sigma * sigma) / (sigma * sigma)).toBeLessThan(0.2);
    }
  });
});
