// The FOV estimate against the published masks of two cameras (DRIVE's
// Canon CR5, CHASE_DB1's Nidek NM-200-D), and its refusals.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/runtime/data/index.js';
import { estimateFov, fovDiameter } from '../../../src/runtime/data/fov.js';
import { readRawImage, type ImageFiles } from '../../../src/runtime/data/raw-image.js';

const DRIVE = resolve('../shared/data/DRIVE');
const CHASE = resolve('../shared/data/CHASEDB1');
const hasDrive = existsSync(join(DRIVE, 'training', 'images'));
const hasChase = existsSync(join(CHASE, 'masks'));
if (!hasDrive) console.log(`skipping DRIVE FOV tests: ${DRIVE} is absent`);
if (!hasChase) console.log(`skipping CHASE_DB1 FOV tests: ${CHASE}/masks is absent`);

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] & b[i];
    union += a[i] | b[i];
  }
  return inter / union;
}

async function agreement(files: ImageFiles[]): Promise<{ min: number; mean: number; diameters: number[] }> {
  const ious: number[] = [];
  const diameters: number[] = [];
  for (const f of files) {
    const r = await readRawImage(f);
    ious.push(iou(estimateFov(r.pixels, r.width, r.height, r.channels, f.image), r.fov));
    diameters.push(fovDiameter(r.fov, r.width, r.height));
  }
  return { min: Math.min(...ious), mean: ious.reduce((s, v) => s + v, 0) / ious.length, diameters };
}

describe('FOV estimate vs published masks', () => {
  it.skipIf(!hasDrive)('DRIVE, all 40 images: IoU ≥ 0.98 each, ≥ 0.995 on average; diameter ~540 px', async () => {
    const files: ImageFiles[] = [];
    for (const subset of ['training', 'test']) {
      for (const name of readdirSync(join(DRIVE, subset, 'images'))) {
        const id = name.split('_')[0];
        files.push({ id, image: join(DRIVE, subset, 'images', name), fov: join(DRIVE, subset, 'mask', `${id}_${subset}_mask.gif`) });
      }
    }
    const a = await agreement(files);
    console.log(`DRIVE FOV estimate: IoU min ${a.min.toFixed(4)}, mean ${a.mean.toFixed(4)} over ${files.length} images`);
    expect(a.min).toBeGreaterThan(0.98);
    expect(a.mean).toBeGreaterThan(0.995);
    for (const d of a.diameters) expect(d).toBeGreaterThanOrEqual(535), expect(d).toBeLessThanOrEqual(542);
  });

  it.skipIf(!hasChase)('CHASE_DB1, all 28 images: IoU ≥ 0.99 each; diameter ~920 px', async () => {
    const files = readdirSync(CHASE)
      .filter((f) => f.endsWith('.jpg'))
      .map((f) => ({ id: f, image: join(CHASE, f), fov: join(CHASE, 'masks', f.replace('.jpg', '.png')) }));
    const a = await agreement(files);
    console.log(`CHASE_DB1 FOV estimate: IoU min ${a.min.toFixed(4)}, mean ${a.mean.toFixed(4)} over ${files.length} images`);
    expect(files).toHaveLength(28);
    expect(a.min).toBeGreaterThan(0.99);
    for (const d of a.diameters) expect(d).toBeGreaterThanOrEqual(890), expect(d).toBeLessThanOrEqual(930);
  });
});

describe('FOV estimate refusals', () => {
  const W = 200;
  const H = 160;
  const image = (f: (x: number, y: number) => number): Float32Array => {
    const p = new Float32Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) p.fill(f(x, y), (y * W + x) * 3, (y * W + x + 1) * 3);
    return p;
  };
  const refusal = (p: Float32Array): string => {
    try {
      estimateFov(p, W, H, 3, 'photo.png');
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      return (err as Error).message;
    }
    throw new Error('expected a DataError');
  };

  it('accepts a frame-clipped disc and measures its full diameter', () => {
    const p = image((x, y) => ((x - 100) ** 2 + (y - 80) ** 2 < 90 ** 2 ? 0.6 : 0.01));
    const fov = estimateFov(p, W, H, 3);
    expect(fovDiameter(fov, W, H)).toBe(179);
  });
  it('refuses an image without a dark surround', () => {
    expect(refusal(image(() => 0.5))).toMatch(/^photo\.png: no field of view found: the image has no dark surround/);
  });
  it('refuses a black image', () => {
    expect(refusal(image(() => 0))).toMatch(/photo\.png: no field of view found/);
  });
  it('refuses a bright region that is not a disc', () => {
    expect(refusal(image((x, y) => (x < 120 && y > 20 && y < 140 ? 0.7 : 0.02)))).toMatch(/not a disc/);
  });
});
