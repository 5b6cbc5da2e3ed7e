// PNG encoding of raw 8-bit buffers through sharp.
import sharp from 'sharp';

export function rawToPng(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels } }).png().toBuffer();
}

/** Probabilities in [0,1] to 8-bit gray (p * 255, rounded). */
export function probabilityToGray(prob: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, prob[i])) * 255);
  return out;
}
