import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { DataConfig, DatasetConfig } from '../../../src/spec/config.js';
import { DataError, loadDataset, loadFundusImage } from '../../../src/runtime/data/index.js';
import { discMask, fundusRgb, H, removeTempDirs, tempDir, vesselLabel, W, writeChase, writeDrive, writeImage, writeStare } from './fixtures.js';

afterAll(removeTempDirs);

const DRIVE = resolve('../shared/data/DRIVE');
const hasDrive = existsSync(join(DRIVE, 'training', 'images'));
if (!hasDrive) console.log(`skipping real-DRIVE tests: ${DRIVE} is absent`);

const cfg = (dataset: DatasetConfig, extra: Partial<DataConfig> = {}): DataConfig => ({ ...DEFAULT_EXPERIMENT.data, dataset, ...extra });

/** the DataError a promise rejects with */
async function dataError(p: Promise<unknown>): Promise<DataError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe.skipIf(!hasDrive)('DRIVE (real files)', () => {
  it('loads the 20 training images with labels and FOV masks', async () => {
    const ds = await loadDataset(cfg({ kind: 'drive', root: DRIVE }));
    expect(ds.images.map((i) => i.id)).toEqual(Array.from({ length: 20 }, (_, k) => String(21 + k)));
    const im = ds.images[0];
    expect(im).toMatchObject({ width: 565, height: 584, channels: 3, original: { width: 565, height: 584 } });
    expect(im.sourcePath).toMatch(/21_training\.tif$/);
    let vessel = 0;
    let fov = 0;
    for (let i = 0; i < im.fov.length; i++) {
      fov += im.fov[i];
      vessel += im.label![i];
    }
    // DRIVE: the FOV is ~2/3 of the frame, vessels ~12% of the FOV
    expect(fov / im.fov.length).toBeGreaterThan(0.6);
    expect(vessel / fov).toBeGreaterThan(0.05);
    expect(Math.max(...im.pixels.subarray(0, 10000))).toBeLessThanOrEqual(1);
  });

  it('loads the test subset without labels', async () => {
    const ds = await loadDataset(cfg({ kind: 'drive', root: DRIVE }), { subset: 'test' });
    expect(ds.images).toHaveLength(20);
    expect(ds.images[0].id).toBe('01');
    expect(ds.images.every((i) => i.label === null)).toBe(true);
  });
});

describe('DRIVE layout (fixtures)', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir('drive');
    await writeDrive(root, ['21', '22'], ['01']);
  });
  afterEach(() => {
    delete process.env.R2U_DRIVE_ROOT;
  });

  it('reads TIFF images, GIF labels and masks', async () => {
    const ds = await loadDataset(cfg({ kind: 'drive', root }));
    expect(ds.images.map((i) => i.id)).toEqual(['21', '22']);
    const im = ds.images[0];
    expect([...im.label!]).toEqual([...vesselLabel()].map((v) => v / 255));
    expect([...im.fov]).toEqual([...discMask()].map((v) => v / 255));
    expect(im.pixels[0]).toBeCloseTo(5 / 255, 6);
  });

  it('R2U_DRIVE_ROOT overrides the root', async () => {
    process.env.R2U_DRIVE_ROOT = root;
    const ds = await loadDataset(cfg({ kind: 'drive', root: '/does/not/exist' }));
    expect(ds.root).toBe(root);
  });

  it('test subset: labels are null when 1st_manual is absent', async () => {
    const ds = await loadDataset(cfg({ kind: 'drive', root }), { subset: 'test' });
    expect(ds.images.map((i) => [i.id, i.label])).toEqual([['01', null]]);
  });
});

describe('STARE (fixtures)', () => {
  it.each([false, true])('reads .ppm images and .ah.ppm labels (gzip: %s), thresholding the FOV', async (gz) => {
    const root = tempDir('stare');
    writeStare(root, ['im0001', 'im0002'], gz);
    const ds = await loadDataset(cfg({ kind: 'stare', root, test: 0 }));
    expect(ds.images.map((i) => i.id)).toEqual(['im0001', 'im0002']);
    const im = ds.images[0];
    expect(im).toMatchObject({ width: W, height: H, channels: 3 });
    expect([...im.label!]).toEqual([...vesselLabel()].map((v) => v / 255));
    // the thresholded red channel recovers the disc exactly
    expect([...im.fov]).toEqual([...discMask()].map((v) => v / 255));
  });

  it('has a test subset only when the dataset states one: test: N holds out the last N images by id', async () => {
    const root = tempDir('stare');
    writeStare(root, ['im0002', 'im0001', 'im0003'], false);
    const err = await dataError(loadDataset(cfg({ kind: 'stare', root, test: 0 }), { subset: 'test' }));
    expect(err.message).toMatch(/stare has no held-out test subset.*stare\("…", test: 10\)/);
    const ds = { kind: 'stare', root, test: 1 } as const;
    expect((await loadDataset(cfg(ds))).images.map((i) => i.id)).toEqual(['im0001', 'im0002']);
    expect((await loadDataset(cfg(ds), { subset: 'test' })).images.map((i) => i.id)).toEqual(['im0003']);
  });
});

describe('CHASE_DB1 (fixtures)', () => {
  it('reads Image_NNX.jpg with Image_NNX_1stHO.png labels, and masks/Image_NNX.png where present', async () => {
    const root = tempDir('chase');
    await writeChase(root, ['01L', '01R'], { masks: ['01L'] });
    const ds = await loadDataset(cfg({ kind: 'chase_db1', root, test: 0 }));
    expect(ds.images.map((i) => i.id)).toEqual(['01L', '01R']);
    expect([...ds.images[1].label!]).toEqual([...vesselLabel()].map((v) => v / 255));
    expect([...ds.images[0].fov]).toEqual([...discMask()].map((v) => v / 255));
  });

  it('test: N holds out the last N images by id, never trained on', async () => {
    const root = tempDir('chase');
    await writeChase(root, ['02R', '01L', '02L', '01R']);
    const ds = { kind: 'chase_db1', root, test: 2 } as const;
    expect((await loadDataset(cfg(ds))).images.map((i) => i.id)).toEqual(['01L', '01R']);
    expect((await loadDataset(cfg(ds), { subset: 'test' })).images.map((i) => i.id)).toEqual(['02L', '02R']);
    expect((await dataError(loadDataset(cfg({ ...ds, test: 0 }), { subset: 'test' }))).message).toMatch(/no held-out test subset.*test: 8/);
    expect((await dataError(loadDataset(cfg({ ...ds, test: 4 })))).message).toMatch(/holds out every image: the folder has 4/);
  });

  it('estimates the FOV of images without a mask', async () => {
    const root = tempDir('chase');
    const [w, h] = [120, 100];
    await writeChase(root, ['02L'], { w, h });
    const ds = await loadDataset(cfg({ kind: 'chase_db1', root, test: 0 }));
    // JPEG blurs the disc edge slightly; the FOV must still match almost everywhere
    const mask = discMask(w, h);
    let same = 0;
    ds.images[0].fov.forEach((v, i) => (same += v === mask[i] / 255 ? 1 : 0));
    expect(same / mask.length).toBeGreaterThan(0.97);
  });
});

describe('synthetic', () => {
  it('is the default dataset and has a distinct test draw', async () => {
    const data = cfg({ kind: 'synthetic', count: 3, size: [64, 64], seed: 5 });
    const a = await loadDataset(data);
    const t = await loadDataset(data, { subset: 'test' });
    expect(a.images).toHaveLength(3);
    expect(a.channels).toBe(3);
    expect(t.images[0].pixels).not.toEqual(a.images[0].pixels);
  });
});

describe('bad input', () => {
  const drive = (root: string) => loadDataset(cfg({ kind: 'drive', root }));

  it('missing folder', async () => {
    const root = tempDir('bad');
    const err = await dataError(drive(join(root, 'nope')));
    expect(err.message).toMatch(/missing DRIVE training images folder/);
    expect(err.file).toBe(join(root, 'nope', 'training', 'images'));
  });

  it('a file that is not an image', async () => {
    const root = tempDir('bad');
    await writeDrive(root, ['21']);
    const file = join(root, 'training', 'images', '21_training.tif');
    writeFileSync(file, 'this is not a TIFF');
    const err = await dataError(drive(root));
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a readable image/);
  });

  it('image without label', async () => {
    const root = tempDir('bad');
    await writeDrive(root, ['21', '22']);
    rmSync(join(root, 'training', '1st_manual', '22_manual1.gif'));
    const err = await dataError(drive(root));
    expect(err.message).toMatch(/image without label.*22_manual1\.gif/);
    expect(err.file).toMatch(/22_training\.tif$/);
  });

  it('image without FOV mask', async () => {
    const root = tempDir('bad');
    await writeDrive(root, ['21']);
    rmSync(join(root, 'training', 'mask', '21_training_mask.gif'));
    expect((await dataError(drive(root))).message).toMatch(/without FOV mask/);
  });

  it('label size differs from image size', async () => {
    const root = tempDir('bad');
    await writeDrive(root, ['21']);
    const file = join(root, 'training', '1st_manual', '21_manual1.gif');
    await writeImage(file, new Uint8Array(10 * 10), 10, 10, 1, 'gif');
    const err = await dataError(drive(root));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/label is 10x10 but the image is 24x20/);
  });

  it('8-bit label with values other than 0/255', async () => {
    const root = tempDir('bad');
    await writeDrive(root, ['21']);
    const file = join(root, 'training', '1st_manual', '21_manual1.gif');
    const label = vesselLabel();
    label[3 * W + 5] = 128;
    await writeImage(file, label, W, H, 1, 'png'); // PNG content under a .gif name: decoded by content
    const err = await dataError(drive(root));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/not binary: value 128 at \(x=5, y=3\)/);
  });

  it('empty FOV (mask given, and thresholded)', async () => {
    const root = tempDir('bad');
    await writeDrive(root, ['21']);
    const file = join(root, 'training', 'mask', '21_training_mask.gif');
    await writeImage(file, new Uint8Array(W * H), W, H, 1, 'gif');
    const err = await dataError(drive(root));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/empty field of view/);

    const dark = join(tempDir('bad'), 'dark.png');
    await writeImage(dark, new Uint8Array(W * H * 3), W, H, 3, 'png');
    expect((await dataError(loadFundusImage(dark))).message).toMatch(/dark\.png: no field of view found/);
  });

  it('STARE image without label, CHASE image without label', async () => {
    const s = tempDir('bad');
    writeStare(s, ['im0001'], false);
    rmSync(join(s, 'labels-ah', 'im0001.ah.ppm'));
    expect((await dataError(loadDataset(cfg({ kind: 'stare', root: s, test: 0 })))).message).toMatch(/image without label/);
    const c = tempDir('bad');
    await writeChase(c, ['01L']);
    rmSync(join(c, 'Image_01L_1stHO.png'));
    expect((await dataError(loadDataset(cfg({ kind: 'chase_db1', root: c, test: 0 })))).message).toMatch(/image without label/);
  });

  it('a corrupt .ppm.gz', async () => {
    const s = tempDir('bad');
    mkdirSync(join(s, 'stare-images'));
    writeFileSync(join(s, 'stare-images', 'im0001.ppm.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    writeFileSync(join(s, 'im0001.ah.ppm'), 'P5 1 1 255 x');
    expect((await dataError(loadDataset(cfg({ kind: 'stare', root: s, test: 0 })))).message).toMatch(/corrupt gzip/);
  });
});

describe('loadFundusImage', () => {
  it('reads any image, thresholds the FOV, or uses the given mask', async () => {
    const dir = tempDir('fundus');
    const path = join(dir, 'photo.test.png');
    await writeImage(path, fundusRgb(), W, H, 3, 'png');
    const raw = await loadFundusImage(path);
    expect(raw).toMatchObject({ id: 'photo', width: W, height: H, channels: 3, label: null });
    expect([...raw.fov]).toEqual([...discMask()].map((v) => v / 255));
    const maskPath = join(dir, 'mask.png');
    const mask = new Uint8Array(W * H).fill(255);
    await writeImage(maskPath, mask, W, H, 1, 'png');
    expect((await loadFundusImage(path, { fovPath: maskPath })).fov.every((v) => v === 1)).toBe(true);
  });
});
