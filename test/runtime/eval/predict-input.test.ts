// `r2u predict` on the inputs a new user brings: each bad one is refused with
// a message naming the file (DataError: exit code 3 from the CLI), and the
// unusual but valid ones (alpha channel, 16-bit, greyscale, a huge frame) are segmented.
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/runtime/data/index.js';
import { predictImages } from '../../../src/runtime/eval/predict-images.js';
import { removeTempDirs, tempDir } from '../data/fixtures.js';

afterAll(removeTempDirs);
// one network of the shipped ensemble: these tests are about the inputs, not the mean
const CHECKPOINT = 'models/drive-r2unet/members/0';

/** A fundus-like disc (diameter d) on black, RGB or with alpha, 8- or 16-bit. */
async function writeDisc(path: string, w: number, h: number, d: number, opts: { channels?: 1 | 3 | 4; wide?: boolean } = {}): Promise<string> {
  const c = opts.channels ?? 3;
  const max = opts.wide ? 65535 : 255;
  const data = opts.wide ? new Uint16Array(w * h * c) : new Uint8Array(w * h * c);
  const rgba = [0.8, 0.45, 0.15, 1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (d / 2) ** 2;
      for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = Math.round((k === 3 ? 1 : inside ? rgba[c === 1 ? 1 : k] * (x % 9 === 0 ? 0.7 : 1) : 0.01) * max);
    }
  }
  let img = sharp(data, { raw: { width: w, height: h, channels: c } });
  if (opts.wide) img = img.toColourspace(c === 1 ? 'grey16' : 'rgb16');
  else if (c === 1) img = img.toColourspace('b-w');
  await img.png().toFile(path);
  return path;
}

async function refusal(paths: string[], opts: { fov?: string } = {}): Promise<string> {
  try {
    await predictImages(CHECKPOINT, paths, { out: tempDir('pred'), backend: 'wasm', ...opts });
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('r2u predict: bad input', () => {
  const dir = tempDir('inputs');
  it('refuses a photograph with no field of view', async () => {
    const flat = join(dir, 'wall.png');
    await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 120, g: 110, b: 100 } } }).png().toFile(flat);
    expect(await refusal([flat])).toMatch(/wall\.png: no field of view found: the image has no dark surround; not a fundus photograph\?/);
  });
  it('refuses a mask of the wrong size, naming the mask', async () => {
    const img = await writeDisc(join(dir, 'eye.png'), 200, 180, 170);
    const mask = await writeDisc(join(dir, 'eye_mask.png'), 100, 90, 80, { channels: 1 });
    expect(await refusal([img], { fov: mask })).toMatch(/eye_mask\.png: FOV mask is 100x90 but the image is 200x180/);
  });
});

describe('r2u predict: unusual valid input', () => {
  it('segments RGBA, 16-bit, greyscale and huge (4000 x 3000) photographs at their original size', async () => {
    const dir = tempDir('inputs');
    const paths = [
      await writeDisc(join(dir, 'alpha.png'), 300, 280, 270, { channels: 4 }),
      await writeDisc(join(dir, 'deep.png'), 300, 280, 270, { wide: true }),
      // decoded as RGB with equal channels: the grey stands for the green channel
      await writeDisc(join(dir, 'grey.png'), 300, 280, 270, { channels: 1 }),
      await writeDisc(join(dir, 'huge.png'), 4000, 3000, 2900),
    ];
    const out = await predictImages(CHECKPOINT, paths, { out: tempDir('pred'), backend: 'wasm' });
    const sizes = await Promise.all(out.map(async (r) => sharp(r.files[0]).metadata()));
    expect(sizes.map((m) => [m.width, m.height, m.depth])).toEqual([
      [300, 280, 'ushort'],
      [300, 280, 'ushort'],
      [300, 280, 'ushort'],
      [4000, 3000, 'ushort'],
    ]);
    // the huge one went through the network at the training FOV diameter (540 px), not 2900
    expect(out[3].scaled).toEqual({ width: Math.round(4000 * (540 / 2900)), height: Math.round(3000 * (540 / 2900)) });
  }, 180_000);
});
