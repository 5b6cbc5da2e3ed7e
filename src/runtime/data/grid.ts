// Regular patch grids for patch-wise validation and sliding-window inference:
// top-left corners every `stride`, with a last row/column flush with the
// bottom/right edge so the whole image is covered.
import type { Dims } from '../../spec/config.js';

export function gridPatches(img: { readonly width: number; readonly height: number }, size: Dims, stride: Dims): Array<{ x: number; y: number }> {
  const [h, w] = size;
  const ys = positions(img.height, h, stride[0]);
  const xs = positions(img.width, w, stride[1]);
  return ys.flatMap((y) => xs.map((x) => ({ x, y })));
}

function positions(extent: number, size: number, stride: number): number[] {
  if (extent <= size) return [0];
  const out: number[] = [];
  for (let p = 0; p + size < extent; p += stride) out.push(p);
  out.push(extent - size);
  return out;
}

/** A patch with top-left (x, y) of an HWC image, zero outside the image. */
export function cropPatch(
  pixels: Float32Array,
  width: number,
  height: number,
  channels: number,
  x: number,
  y: number,
  h: number,
  w: number,
): Float32Array {
  const out = new Float32Array(h * w * channels);
  for (let i = 0; i < h; i++) {
    const sy = y + i;
    if (sy < 0 || sy >= height) continue;
    const x0 = Math.max(0, x);
    const x1 = Math.min(width, x + w);
    if (x1 <= x0) continue;
    out.set(pixels.subarray((sy * width + x0) * channels, (sy * width + x1) * channels), (i * w + (x0 - x)) * channels);
  }
  return out;
}
