// Elastic deformation (Simard et al., 2003): a random displacement field,
// uniform in [-1,1] per pixel, smoothed by a Gaussian of `sigma` pixels and
// scaled by `alpha` pixels. Smoothing uses clamped (edge-replicating) borders.
import type { Rng } from '../rng.js';

export interface Displacement {
  readonly dx: Float32Array;
  readonly dy: Float32Array;
}

export function elasticField(rng: Rng, h: number, w: number, alpha: number, sigma: number): Displacement {
  const kernel = gaussianKernel(sigma);
  const field = (): Float32Array => {
    const f = new Float32Array(h * w);
    for (let i = 0; i < f.length; i++) f[i] = rng.uniform(-1, 1);
    const s = smooth(f, h, w, kernel);
    for (let i = 0; i < s.length; i++) s[i] *= alpha;
    return s;
  };
  const dx = field();
  const dy = field();
  return { dx, dy };
}

export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** separable convolution, rows then columns */
function smooth(src: Float32Array, h: number, w: number, k: Float32Array): Float32Array {
  const r = (k.length - 1) / 2;
  const tmp = new Float32Array(h * w);
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = -r; t <= r; t++) s += k[t + r] * src[y * w + Math.min(w - 1, Math.max(0, x + t))];
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = -r; t <= r; t++) s += k[t + r] * tmp[Math.min(h - 1, Math.max(0, y + t)) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}
