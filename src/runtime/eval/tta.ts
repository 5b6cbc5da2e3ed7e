// Test-time augmentation (`eval.tta`): the model sees flipped (and, for d4,
// transposed) copies of its input and the maps, mapped back, are averaged.
// It wraps a PredictFn, so the full-image and sliding-window paths both get it.
import type { TtaMode } from '../../spec/vocabulary.js';
import type { PredictFn } from './infer.js';

/** One element of the dihedral group D4: an optional transpose, then optional flips. */
interface Transform {
  readonly transpose: boolean;
  readonly flipV: boolean;
  readonly flipH: boolean;
}

const BOOLS = [false, true] as const;

export function ttaTransforms(mode: TtaMode): Transform[] {
  const transposes = mode === 'd4' ? BOOLS : mode === 'flips' ? [false] : [];
  const out: Transform[] = [];
  for (const transpose of transposes) for (const flipV of BOOLS) for (const flipH of BOOLS) out.push({ transpose, flipV, flipH });
  return out.length === 0 ? [{ transpose: false, flipV: false, flipH: false }] : out;
}

/** For each pixel of the transformed h x w image, the index of its source pixel. */
function sourceIndex(t: Transform, h: number, w: number): Int32Array {
  const [th, tw] = t.transpose ? [w, h] : [h, w];
  const idx = new Int32Array(h * w);
  for (let y = 0; y < th; y++) {
    const a = t.flipV ? th - 1 - y : y;
    for (let x = 0; x < tw; x++) {
      const b = t.flipH ? tw - 1 - x : x;
      idx[y * tw + x] = t.transpose ? b * w + a : a * w + b;
    }
  }
  return idx;
}

export function withTta(predict: PredictFn, mode: TtaMode): PredictFn {
  const transforms = ttaTransforms(mode);
  if (transforms.length === 1) return predict;
  return async (x, n, h, w) => {
    const hw = h * w;
    const c = x.length / (n * hw);
    const sum = new Float32Array(n * hw);
    for (const t of transforms) {
      const idx = sourceIndex(t, h, w);
      const xt = new Float32Array(x.length);
      for (let i = 0; i < n; i++) {
        const base = i * hw;
        for (let o = 0; o < hw; o++) {
          const s = (base + idx[o]) * c;
          const d = (base + o) * c;
          for (let k = 0; k < c; k++) xt[d + k] = x[s + k];
        }
      }
      const p = await (t.transpose ? predict(xt, n, w, h) : predict(xt, n, h, w));
      for (let i = 0; i < n; i++) {
        const base = i * hw;
        for (let o = 0; o < hw; o++) sum[base + idx[o]] += p[base + o];
      }
    }
    const inv = 1 / transforms.length;
    for (let i = 0; i < sum.length; i++) sum[i] *= inv;
    return sum;
  };
}
