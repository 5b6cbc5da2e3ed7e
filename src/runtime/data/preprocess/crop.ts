// crop: keep a rectangle of the image (centred, or at a given top-left corner).
import { DataError } from '../errors.js';
import type { Step, Working } from './image.js';

export function cropStep(op: { mode: 'center' | 'box'; size: readonly [number, number]; x?: number; y?: number }): Step {
  const [h, w] = op.size;
  const where = op.mode === 'center' ? 'centred' : `at x=${op.x}, y=${op.y}`;
  return {
    description: `crop ${h}x${w} (height x width) ${where}`,
    apply: (img) => {
      const x = op.mode === 'center' ? Math.floor((img.width - w) / 2) : op.x!;
      const y = op.mode === 'center' ? Math.floor((img.height - h) / 2) : op.y!;
      if (x < 0 || y < 0 || x + w > img.width || y + h > img.height) {
        throw new DataError(`crop ${h}x${w} ${where} does not fit in a ${img.height}x${img.width} image`);
      }
      return cropRect(img, x, y, w, h);
    },
  };
}

export function cropRect(img: Working, x0: number, y0: number, w: number, h: number): Working {
  const c = img.channels;
  const pixels = new Float32Array(w * h * c);
  const fov = new Uint8Array(w * h);
  const label = img.label === null ? null : new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + y0) * img.width + x0;
    pixels.set(img.pixels.subarray(src * c, (src + w) * c), y * w * c);
    fov.set(img.fov.subarray(src, src + w), y * w);
    label?.set(img.label!.subarray(src, src + w), y * w);
  }
  return {
    width: w,
    height: h,
    channels: c,
    pixels,
    label,
    fov,
    geometry: [...img.geometry, { kind: 'crop', x: x0, y: y0, from: { width: img.width, height: img.height }, to: { width: w, height: h } }],
  };
}
