// crop: keep a rectangle of the image (centred, or at a given top-left corner).
import { DataError } from '../errors.js';
import { copyWindow, type Step, type Working } from './image.js';

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
  return {
    ...copyWindow(img, x0, y0, w, h, w, h),
    geometry: [...img.geometry, { kind: 'crop', x: x0, y: y0, from: { width: img.width, height: img.height }, to: { width: w, height: h } }],
  };
}
