// `extra_training`: another dataset's training images, brought to the main
// dataset's FOV scale, join every training split and never the validation side.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { DataConfig } from '../../../src/spec/config.js';
import { DataError, loadTrainingSplit, splitImages, type FundusImage } from '../../../src/runtime/data/index.js';
import { fovDiameter } from '../../../src/runtime/data/fov.js';
import { removeTempDirs, tempDir, writeChase, writeDrive } from './fixtures.js';

afterAll(removeTempDirs);

const ids = (images: readonly FundusImage[]) => images.map((im) => im.id);
const diameter = (im: FundusImage) => fovDiameter(im.fov, im.width, im.height);

describe('extra_training (fixtures)', () => {
  it('adds the other dataset\'s training subset, at the main FOV scale, to the training side only', async () => {
    const drive = tempDir('drive');
    await writeDrive(drive, ['21', '22', '23', '24', '25']);
    const chase = tempDir('chase');
    // twice the main images' size: its FOV is twice as wide
    await writeChase(chase, ['01L', '01R', '02L'], { w: 48, h: 40, masks: ['01L', '01R', '02L'] });
    const data: DataConfig = {
      ...DEFAULT_EXPERIMENT.data,
      dataset: { kind: 'drive', root: drive },
      extra_training: { kind: 'chase_db1', root: chase, test: 1 },
      preprocess: [{ op: 'grayscale', mode: 'green' }, { op: 'normalize', mode: 'per_image' }],
      split: { kind: 'kfold', k: 5, fold: 2 },
    };
    const lines: string[] = [];
    const s = await loadTrainingSplit(data, { seed: 42, log: (l) => lines.push(l) });
    const plain = splitImages(s.dataset.images, data.split, 42);
    expect(ids(s.val)).toEqual(ids(plain.val));
    // 02L is CHASE's held-out test image: never trained on
    expect(ids(s.train)).toEqual([...ids(plain.train), 'chase_db1:01L', 'chase_db1:01R']);
    expect(s.extra).toBe(2);
    expect(ids(s.dataset.images)).toEqual(['21', '22', '23', '24', '25']);
    const target = s.dataset.preprocessor.stats.fov_diameter!;
    for (const im of s.train.slice(-2)) {
      expect(Math.abs(diameter(im) - target)).toBeLessThanOrEqual(1);
      expect(im.width).toBeLessThan(48);
      expect(im.channels).toBe(1);
      expect(im.label!.every((v) => v === 0 || v === 1)).toBe(true);
      expect(im.label!.length).toBe(im.width * im.height);
    }
    expect(lines.at(-1)).toMatch(/^data: 2 chase_db1 training images added from .*, resampled ×0\.\d+ to a FOV diameter of \d+ px/);
  });

  it('extra_scale resamples to that multiple of the main FOV diameter', async () => {
    const drive = tempDir('drive');
    await writeDrive(drive, ['21', '22', '23']);
    const chase = tempDir('chase');
    await writeChase(chase, ['01L', '01R'], { w: 48, h: 40, masks: ['01L', '01R'] });
    const base: DataConfig = { ...DEFAULT_EXPERIMENT.data, dataset: { kind: 'drive', root: drive }, extra_training: { kind: 'chase_db1', root: chase, test: 0 } };
    const at = async (extra_scale?: number) => (await loadTrainingSplit({ ...base, ...(extra_scale === undefined ? {} : { extra_scale }) }, { seed: 1 })).train.slice(-2);
    const [same, half] = [await at(), await at(0.5)];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(diameter(half[i]) - diameter(same[i]) / 2)).toBeLessThanOrEqual(1);
      expect(Math.abs(half[i].width - same[i].width / 2)).toBeLessThanOrEqual(1);
    }
  });

  it('is nothing when absent', async () => {
    const drive = tempDir('drive');
    await writeDrive(drive, ['21', '22']);
    const s = await loadTrainingSplit({ ...DEFAULT_EXPERIMENT.data, dataset: { kind: 'drive', root: drive } }, { seed: 1 });
    expect(s.extra).toBe(0);
    expect(s.train.length + s.val.length).toBe(2);
  });

  it('names a missing folder', async () => {
    const drive = tempDir('drive');
    await writeDrive(drive, ['21', '22']);
    const missing = join(tempDir('none'), 'CHASEDB1');
    const p = loadTrainingSplit({ ...DEFAULT_EXPERIMENT.data, dataset: { kind: 'drive', root: drive }, extra_training: { kind: 'chase_db1', root: missing, test: 0 } }, { seed: 1 });
    await expect(p).rejects.toBeInstanceOf(DataError);
    await expect(p).rejects.toThrow(missing);
  });
});

const DRIVE = resolve('../shared/data/DRIVE');
const CHASE = resolve('../shared/data/CHASEDB1');
const hasBoth = existsSync(join(DRIVE, 'training', 'images')) && existsSync(CHASE);
if (!hasBoth) console.log(`skipping DRIVE + CHASE_DB1 extra_training test: ${DRIVE} or ${CHASE} is absent`);

describe.skipIf(!hasBoth)('DRIVE with CHASE_DB1 (real files)', () => {
  it('trains on CHASE_DB1\'s 20 training images at DRIVE\'s scale (×0.59), vessels kept', async () => {
    const ref = DEFAULT_EXPERIMENT.data;
    const data: DataConfig = {
      ...ref,
      dataset: { kind: 'drive', root: DRIVE },
      extra_training: { kind: 'chase_db1', root: CHASE, test: 8 },
      preprocess: [{ op: 'crop', mode: 'center', size: [565, 565] }, { op: 'grayscale', mode: 'green' }, { op: 'clahe', tiles: [8, 8], clip: 2 }, { op: 'normalize', mode: 'per_image' }],
      split: { kind: 'kfold', k: 5, fold: 0 },
    };
    const s = await loadTrainingSplit(data, { seed: 42 });
    expect(s.extra).toBe(20);
    expect(s.train).toHaveLength(36);
    expect(s.val).toHaveLength(4);
    const extra = s.train.slice(16);
    expect(extra[0].id).toBe('chase_db1:01L');
    expect(extra.at(-1)!.id).toBe('chase_db1:10R');
    const target = s.dataset.preprocessor.stats.fov_diameter!;
    expect(target).toBeGreaterThan(530);
    expect(target).toBeLessThan(550);
    for (const im of extra) {
      // CHASE_DB1 is 999 x 960 with a FOV ~922 px wide; not cropped (the crop is DRIVE's geometry)
      expect(im.width).toBeGreaterThan(570);
      expect(im.width).toBeLessThan(620);
      expect(Math.abs(diameter(im) - target) / target).toBeLessThan(0.02);
      let fov = 0;
      let vessel = 0;
      for (let i = 0; i < im.fov.length; i++) {
        fov += im.fov[i];
        vessel += im.fov[i] & im.label![i];
      }
      // CHASE_DB1's vessels cover 7-11% of its FOV; thin ones must survive the downsampling
      expect(vessel / fov).toBeGreaterThan(0.05);
      expect(vessel / fov).toBeLessThan(0.15);
    }
  });

  it('at extra_scale 0.86, CHASE_DB1\'s labelled vessels have the mean width of DRIVE\'s (within 3%)', async () => {
    const data: DataConfig = {
      ...DEFAULT_EXPERIMENT.data,
      dataset: { kind: 'drive', root: DRIVE },
      extra_training: { kind: 'chase_db1', root: CHASE, test: 8 },
      extra_scale: 0.86,
      preprocess: [{ op: 'grayscale', mode: 'green' }],
      split: { kind: 'kfold', k: 5, fold: 0 },
    };
    const s = await loadTrainingSplit(data, { seed: 42 });
    const meanWidth = (images: readonly FundusImage[]) => images.reduce((sum, im) => sum + vesselWidth(im), 0) / images.length;
    const [main, extra] = [meanWidth(s.dataset.images), meanWidth(s.train.slice(16))];
    expect(main).toBeGreaterThan(2);
    expect(Math.abs(extra - main) / main).toBeLessThan(0.03);
  });
});

/** mean vessel width in pixels inside the FOV: twice the vessel area over its boundary length (4-neighbour edges) */
function vesselWidth(im: FundusImage): number {
  const { width: w, height: h, label, fov } = im;
  let area = 0;
  let boundary = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (fov[i] === 0 || label![i] === 0) continue;
      area++;
      boundary += Number(x + 1 < w && label![i + 1] === 0) + Number(x > 0 && label![i - 1] === 0) + Number(y + 1 < h && label![i + w] === 0) + Number(y > 0 && label![i - w] === 0);
    }
  }
  return (2 * area) / boundary;
}
