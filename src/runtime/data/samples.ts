// Decoded samples to the [0,1] float pixels of a RawImage. Pure code: Node
// decodes with sharp (image-io.ts), the browser page with a canvas, and both
// end here.
import type { DecodedImage } from './netpbm.js';

/** Drops an alpha channel and collapses grey images stored as RGB (palette GIFs) to one channel. */
export function colourChannels(img: DecodedImage): { channels: number; data: Uint8Array | Uint16Array } {
  const { channels, data } = img;
  const keep = channels === 2 ? 1 : channels === 4 ? 3 : channels;
  if (keep === channels) return { channels, data };
  const n = img.width * img.height;
  const out = data instanceof Uint8Array ? new Uint8Array(n * keep) : new Uint16Array(n * keep);
  for (let i = 0; i < n; i++) for (let c = 0; c < keep; c++) out[i * keep + c] = data[i * channels + c];
  return { channels: keep, data: out };
}

/** Colour channels (alpha dropped) scaled to [0,1] by the image's maximum value, HWC. */
export function unitPixels(img: DecodedImage): { channels: number; pixels: Float32Array } {
  const { channels, data } = colourChannels(img);
  const pixels = new Float32Array(data.length);
  const scale = 1 / img.maxval;
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[i] * scale;
  return { channels, pixels };
}
