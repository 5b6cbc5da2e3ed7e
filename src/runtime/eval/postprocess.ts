// Post-processing of a binary vessel mask (`eval.min_component`,
// `eval.fill_holes`). Vessels use 8-connectivity and background 4-connectivity,
// the usual dual pair, so a diagonal vessel step neither splits a vessel nor
// lets a hole leak out through it.
import type { EvalConfig } from '../../spec/config.js';
import { forEachComponent, N4, N8 } from '../data/components.js';

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
