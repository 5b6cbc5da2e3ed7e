import { describe, expect, it } from 'vitest';
import { decodeNetpbm, encodeNetpbm, isNetpbm } from '../../../src/runtime/data/netpbm.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('Netpbm decoder', () => {
  it('reads ASCII PPM (P3) with comments', () => {
    const img = decodeNetpbm(ascii('P3\n# a comment\n2 1 # trailing\n255\n255 0 0  0 128 255\n'));
    expect(img).toMatchObject({ width: 2, height: 1, channels: 3, maxval: 255 });
    expect([...img.data]).toEqual([255, 0, 0, 0, 128, 255]);
  });

  it('reads ASCII PGM (P2)', () => {
    const img = decodeNetpbm(ascii('P2 3 1 15 0 7 15'));
    expect(img.channels).toBe(1);
    expect([...img.data]).toEqual([0, 7, 15]);
  });

  it('reads binary PPM (P6) and PGM (P5), round-tripping the encoder', () => {
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const p6 = decodeNetpbm(encodeNetpbm(2, 2, 3, rgb));
    expect([...p6.data]).toEqual([...rgb]);
    const grey = Uint8Array.from([0, 255, 10, 20]);
    const p5 = decodeNetpbm(encodeNetpbm(2, 2, 1, grey));
    expect(p5).toMatchObject({ width: 2, height: 2, channels: 1 });
    expect([...p5.data]).toEqual([...grey]);
  });

  it('reads 16-bit binary samples big-endian', () => {
    const buf = Buffer.concat([Buffer.from('P5\n2 1\n65535\n'), Buffer.from([0x01, 0x02, 0xff, 0xff])]);
    const img = decodeNetpbm(buf);
    expect(img.maxval).toBe(65535);
    expect([...img.data]).toEqual([0x0102, 0xffff]);
  });

  it('rejects truncated rasters, bad headers and out-of-range samples', () => {
    expect(() => decodeNetpbm(Buffer.concat([Buffer.from('P6\n2 2\n255\n'), Buffer.alloc(5)]))).toThrow(/truncated raster/);
    expect(() => decodeNetpbm(ascii('P6\nxx'))).toThrow(/header/);
    expect(() => decodeNetpbm(ascii('P2 1 1 10 11'))).toThrow(/exceeds maxval/);
    expect(isNetpbm(ascii('GIF89a'))).toBe(false);
  });
});
