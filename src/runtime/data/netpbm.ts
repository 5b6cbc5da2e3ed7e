// A minimal Netpbm decoder (P2/P3 ASCII and P5/P6 binary grey/colour maps).
// sharp's prebuilt libvips has no PPM loader, and STARE ships as .ppm(.gz).

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** samples, HWC, in [0, maxval] */
  readonly data: Uint8Array | Uint16Array;
  readonly maxval: number;
}

const MAGICS = new Set(['P2', 'P3', 'P5', 'P6']);

export function isNetpbm(buf: Uint8Array): boolean {
  return buf.length >= 2 && MAGICS.has(String.fromCharCode(buf[0], buf[1]));
}

/** Decodes a PGM/PPM buffer; throws an Error with a plain reason when malformed. */
export function decodeNetpbm(buf: Uint8Array): DecodedImage {
  const magic = String.fromCharCode(buf[0], buf[1]);
  if (!MAGICS.has(magic)) throw new Error(`not a PGM/PPM file (magic ${JSON.stringify(magic)})`);
  let pos = 2;
  // header: whitespace-separated width, height, maxval; '#' comments run to end of line
  const readToken = (): number => {
    for (;;) {
      while (pos < buf.length && isSpace(buf[pos])) pos++;
      if (buf[pos] !== 0x23) break;
      while (pos < buf.length && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < buf.length && buf[pos] >= 0x30 && buf[pos] <= 0x39) pos++;
    if (pos === start) throw new Error('truncated or malformed header');
    return Number(String.fromCharCode(...buf.subarray(start, pos)));
  };
  const width = readToken();
  const height = readToken();
  const maxval = readToken();
  if (width <= 0 || height <= 0) throw new Error(`bad size ${width}x${height}`);
  if (maxval <= 0 || maxval > 65535) throw new Error(`bad maxval ${maxval}`);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const n = width * height * channels;
  const data = maxval < 256 ? new Uint8Array(n) : new Uint16Array(n);
  if (magic === 'P5' || magic === 'P6') {
    pos++; // exactly one whitespace byte separates the header from the raster
    const bytes = maxval < 256 ? 1 : 2;
    if (buf.length - pos < n * bytes) throw new Error(`truncated raster: ${buf.length - pos} of ${n * bytes} bytes`);
    if (bytes === 1) data.set(buf.subarray(pos, pos + n));
    else for (let i = 0; i < n; i++) data[i] = (buf[pos + 2 * i] << 8) | buf[pos + 2 * i + 1];
  } else {
    for (let i = 0; i < n; i++) data[i] = readToken();
  }
  for (let i = 0; i < n; i++) if (data[i] > maxval) throw new Error(`sample ${data[i]} exceeds maxval ${maxval}`);
  return { width, height, channels, data, maxval };
}

/** Encodes 8-bit samples as binary PGM (1 channel) or PPM (3 channels); used by tests and fixtures. */
export function encodeNetpbm(width: number, height: number, channels: 1 | 3, data: Uint8Array): Buffer {
  const header = Buffer.from(`${channels === 3 ? 'P6' : 'P5'}\n${width} ${height}\n255\n`, 'ascii');
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, width * height * channels)]);
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}
