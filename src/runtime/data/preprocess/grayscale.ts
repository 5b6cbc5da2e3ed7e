// grayscale: RGB -> one channel, either ITU-R BT.601 luminance or a single
// colour channel (green has the best vessel contrast in fundus photographs).
import { DataError } from '../errors.js';
import type { Step } from './image.js';

const WEIGHTS = {
  luminance: [0.299, 0.587, 0.114],
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
} as const;

export function grayscaleStep(mode: keyof typeof WEIGHTS): Step {
  const [wr, wg, wb] = WEIGHTS[mode];
  return {
    description: mode === 'luminance' ? 'grayscale luminance (0.299 R + 0.587 G + 0.114 B)' : `grayscale: keep the ${mode} channel`,
    apply: (img) => {
      if (img.channels === 1) {
        // already grey: luminance of grey is itself; picking a colour is a mistake
        if (mode === 'luminance') return img;
        throw new DataError(`grayscale ${mode}: the image has a single channel, there is no ${mode} channel to keep`);
      }
      if (img.channels !== 3) throw new DataError(`grayscale: expected 3 channels, got ${img.channels}`);
      const n = img.width * img.height;
      const out = new Float32Array(n);
      const p = img.pixels;
      for (let i = 0; i < n; i++) out[i] = wr * p[3 * i] + wg * p[3 * i + 1] + wb * p[3 * i + 2];
      return { ...img, channels: 1, pixels: out };
    },
  };
}
