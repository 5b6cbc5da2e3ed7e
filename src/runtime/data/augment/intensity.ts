// Intensity jitter, on the image only (labels are untouched): gamma, then
// contrast around the patch mean, then an additive brightness shift. Gamma
// acts on the patch rescaled to [0,1] by its own min and max (and scaled back),
// so it is well defined for z-scored data with negative values.
import type { AugmentConfig } from '../../../spec/config.js';
import type { Rng } from '../rng.js';

export function jitterIntensity(x: Float32Array, rng: Rng, aug: AugmentConfig): void {
  // unconditional draws: the stream does not depend on which jitters are on
  const g = 1 + rng.uniform(-1, 1) * aug.gamma;
  const contrast = 1 + rng.uniform(-1, 1) * aug.contrast;
  const brightness = rng.uniform(-1, 1) * aug.brightness;
  if (aug.gamma > 0) applyGamma(x, g);
  if (aug.contrast > 0) {
    let mean = 0;
    for (let i = 0; i < x.length; i++) mean += x[i];
    mean /= x.length;
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - mean) * contrast + mean;
  }
  if (aug.brightness > 0) for (let i = 0; i < x.length; i++) x[i] += brightness;
}

export function applyGamma(x: Float32Array, g: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  const range = hi - lo;
  if (!(range > 0)) return;
  // t^g through a 256-segment table, linearly interpolated: Math.pow per pixel
  // dominated the cost of augmentation (error < 1e-3 of the range for g in [0.5, 2])
  const table = new Float32Array(LUT + 2);
  for (let k = 0; k <= LUT; k++) table[k] = Math.pow(k / LUT, g);
  table[LUT + 1] = 1;
  for (let i = 0; i < x.length; i++) {
    const f = ((x[i] - lo) / range) * LUT;
    const k = Math.floor(f);
    x[i] = lo + range * (table[k] + (table[k + 1] - table[k]) * (f - k));
  }
}

const LUT = 256;
