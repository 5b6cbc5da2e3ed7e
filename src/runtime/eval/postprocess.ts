// Post-processing of a binary vessel mask (`eval.min_component`,
// `eval.fill_holes`). Vessels use 8-connectivity and background 4-connectivity,
// the usual dual pair, so a diagonal vessel step neither splits a vessel nor
// lets a hole leak out through it.
import type { EvalConfig } from '../../spec/config.js';

const N4 = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
] as const;
const N8 = [...N4, [-1, -1], [-1, 1], [1, -1], [1, 1]] as const;

/**
 * Calls `visit` with the pixel indices of each connected component of pixels
 * equal to `value`, and whether the component touches the image border.
 */
function forEachComponent(
  mask: Uint8Array,
  width: number,
  height: number,
  value: 0 | 1,
  neighbours: readonly (readonly [number, number])[],
  visit: (pixels: Int32Array, size: number, touchesBorder: boolean) => void,
): void {
  const seen = new Uint8Array(mask.length);
  const queue = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (seen[start] || (mask[start] !== 0 ? 1 : 0) !== value) continue;
    seen[start] = 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    let border = false;
    while (head < tail) {
      const p = queue[head++];
      const y = (p / width) | 0;
      const x = p - y * width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      for (const [dy, dx] of neighbours) {
        const ny = y + dy;
        const nx = x + dx;
        if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
        const q = ny * width + nx;
        if (seen[q] || (mask[q] !== 0 ? 1 : 0) !== value) continue;
        seen[q] = 1;
        queue[tail++] = q;
      }
    }
    visit(queue, tail, border);
  }
}

/** Sets to 0 every 8-connected vessel component with fewer than `minSize` pixels. */
export function removeSmallComponents(mask: Uint8Array, width: number, height: number, minSize: number): Uint8Array {
  const out = mask.slice();
  if (minSize <= 0) return out;
  forEachComponent(mask, width, height, 1, N8, (pixels, size) => {
    if (size < minSize) for (let i = 0; i < size; i++) out[pixels[i]] = 0;
  });
  return out;
}

/** Sets to 1 every enclosed (not touching the border) 4-connected background hole with fewer than `maxSize` pixels. */
export function fillHoles(mask: Uint8Array, width: number, height: number, maxSize: number): Uint8Array {
  const out = mask.slice();
  if (maxSize <= 0) return out;
  forEachComponent(mask, width, height, 0, N4, (pixels, size, border) => {
    if (!border && size < maxSize) for (let i = 0; i < size; i++) out[pixels[i]] = 1;
  });
  return out;
}

/** Thresholds a probability map (`p >= threshold`) and applies the configured post-processing. */
export function binarize(prob: Float32Array, width: number, height: number, cfg: Pick<EvalConfig, 'min_component' | 'fill_holes'>, threshold: number): Uint8Array {
  const mask = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) mask[i] = prob[i] >= threshold ? 1 : 0;
  return fillHoles(removeSmallComponents(mask, width, height, cfg.min_component), width, height, cfg.fill_holes);
}
