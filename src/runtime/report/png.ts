// PNG encoding of raw 8- and 16-bit buffers through sharp.
import sharp from 'sharp';

export function rawToPng(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels } }).png().toBuffer();
}

/** A 16-bit grey PNG: probability maps saved this way are not quantised to 256 levels. */
export function rawToPng16(data: Uint16Array, width: number, height: number): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels: 1 } }).toColourspace('grey16').png().toBuffer();
}

/** Probabilities in [0,1] to 16-bit gray (p * 65535, rounded). */
export function probabilityToGray16(prob: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, prob[i])) * 65535);
  return out;
}
