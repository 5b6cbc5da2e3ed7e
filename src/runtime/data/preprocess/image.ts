// The image a preprocessing step consumes and produces: pixels plus the label
// and FOV that geometric steps must transform in lockstep, and the geometry
// trail that lets predictions be mapped back to the original image.
import type { GeometryStep, RawImage } from '../types.js';

export type Working = Omit<RawImage, 'id' | 'sourcePath'> & { readonly geometry: readonly GeometryStep[] };

export interface Step {
  /** one line for `--dry-run`, with every parameter resolved */
  readonly description: string;
  apply(img: Working): Working;
}

/**
 * A new w x h image (zeros; FOV and label 0) holding the `cols` x `rows`
 * window of `img` at (x0, y0) in its top-left corner: a crop when the window
 * is the whole canvas, a bottom/right pad when the window is the whole image.
 */
export function copyWindow(
  img: Working,
  x0: number,
  y0: number,
  cols: number,
  rows: number,
  w: number,
  h: number,
): Pick<Working, 'width' | 'height' | 'channels' | 'pixels' | 'fov' | 'label'> {
  const c = img.channels;
  const pixels = new Float32Array(w * h * c);
  const fov = new Uint8Array(w * h);
  const label = img.label === null ? null : new Uint8Array(w * h);
  for (let y = 0; y < rows; y++) {
    const src = (y + y0) * img.width + x0;
    pixels.set(img.pixels.subarray(src * c, (src + cols) * c), y * w * c);
    fov.set(img.fov.subarray(src, src + cols), y * w);
    label?.set(img.label!.subarray(src, src + cols), y * w);
  }
  return { width: w, height: h, channels: c, pixels, label, fov };
}
