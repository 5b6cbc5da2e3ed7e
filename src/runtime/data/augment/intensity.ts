// Intensity jitter, on the image only (labels are untouched): gamma, then
// contrast around the patch mean, then an additive brightness shift. Gamma
// acts on the patch rescaled to [0,1] by its own min and max (and scaled back),
// so it is well defined for z-scored data with negative values.
import type { AugmentConfig } from '../../config.js';
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
  for (let i = 0; i < x.length; i++) x[i] = lo + range * Math.pow((x[i] - lo) / range, g);
}
