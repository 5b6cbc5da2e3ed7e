// Decoding image files into samples: sharp for TIFF/GIF/PNG/JPEG, our own
// Netpbm decoder for PPM/PGM, and gunzip for any `.gz` file.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { DataError } from './errors.js';
import { decodeNetpbm, isNetpbm, type DecodedImage } from './netpbm.js';

export type { DecodedImage } from './netpbm.js';

/** Reads and decodes an image file; any failure becomes a DataError naming the file. */
export async function readImageFile(path: string): Promise<DecodedImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new DataError(`cannot read file: ${(err as Error).message}`, path);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new DataError(`corrupt gzip data: ${(err as Error).message}`, path);
    }
  }
  try {
    if (isNetpbm(buf)) return decodeNetpbm(buf);
    // 16-bit inputs keep their depth; everything else is decoded to 8 bits
    const img = sharp(buf, { failOn: 'error' });
    const meta = await img.metadata();
    const wide = meta.depth === 'ushort';
    const { data, info } = await (wide ? img.toColourspace((meta.channels ?? 3) <= 2 ? 'grey16' : 'rgb16') : img).raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    const samples = wide
      ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2)
      : new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { width: info.width, height: info.height, channels: info.channels, data: samples, maxval: wide ? 65535 : 255 };
  } catch (err) {
    throw new DataError(`not a readable image: ${(err as Error).message}`, path);
  }
}

/** The first channel of an image, for labels and masks (which may be stored as grey RGB). */
export function firstChannel(img: DecodedImage): Uint8Array | Uint16Array {
  if (img.channels === 1) return img.data;
  const n = img.width * img.height;
  const out = img.data instanceof Uint8Array ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = img.data[i * img.channels];
  return out;
}
