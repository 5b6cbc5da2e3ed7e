import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import { createPreprocessor, generateSynthetic, PatchSampler, writePreview } from '../../../src/runtime/data/index.js';
import { removeTempDirs, tempDir } from './fixtures.js';

afterAll(removeTempDirs);

describe('writePreview', () => {
  it('writes a PNG contact sheet of images, labels and patches', async () => {
    const images = generateSynthetic(2, [64, 64], 1).map((r) => createPreprocessor([]).apply(r));
    const sampler = new PatchSampler(images, { size: [16, 16], per_epoch: 8, vessel_fraction: 0.5 }, DEFAULT_EXPERIMENT.data.augment, 1);
    const out = join(tempDir('preview'), 'sheet.png');
    await writePreview({ kind: 'synthetic', channels: 3, images }, sampler, out, { tile: 64, patches: 8 });
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('png');
    // row 1: 2 images + 2 labels of 64 px; rows 2-3: 4 patch+label pairs of 16 px zoomed x6 = 96 px
    expect(meta.width).toBe(4 + 8 * (96 + 4));
    expect(meta.height).toBe(4 + (64 + 4) + 2 * (96 + 4));
  });
});

describe('writePreview labels', () => {
  it('shows labels black and white on a fixed scale, and extra_ignore_edge’s unscored vessel edge half-way grey', async () => {
    const images = generateSynthetic(2, [64, 64], 1).map((r) => createPreprocessor([]).apply(r));
    // the first image again, as the one extra_training image
    const withExtra = [...images, images[0]];
    const patches = { size: [16, 16] as [number, number], per_epoch: 8, vessel_fraction: 1, extra_ignore_edge: 1 };
    const sampler = new PatchSampler(withExtra, patches, DEFAULT_EXPERIMENT.data.augment, 1, { extra: 1 });
    const out = join(tempDir('preview'), 'edge.png');
    await writePreview(images, sampler, out, { tile: 64, patches: 8 });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const greys = (i: number): Set<number> => {
      // patch i's label tile: second of its pair, 96 px (16 px zoomed x6), rows below the 64 px image row
      const [left, top] = [4 + (2 * (i % 4) + 1) * 100, 4 + 68 + Math.floor(i / 4) * 100];
      const seen = new Set<number>();
      for (let y = top; y < top + 96; y++) for (let x = left; x < left + 96; x++) seen.add(data[(y * info.width + x) * info.channels]);
      return seen;
    };
    const fromExtra = Array.from({ length: 8 }, (_, i) => sampler.placement(0, i).image === 2);
    expect(fromExtra).toContain(true);
    for (let i = 0; i < 8; i++) {
      const seen = greys(i);
      for (const v of seen) expect([0, 128, 255]).toContain(v);
      expect(seen.has(128)).toBe(fromExtra[i]);
    }
  });
});

describe('r2u data preview', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/r2u.mjs', 'data', 'preview', ...args], { encoding: 'utf8' });

  it('writes the sheet for a spec and reports the split', () => {
    const dir = tempDir('cli');
    const spec = join(dir, 'quick.r2u');
    writeFileSync(spec, 'experiment quick {\n}\n');
    const out = join(dir, 'p.png');
    const r = cli([spec, '--out', out, '--set', 'data.dataset.count=4', '--set', 'data.dataset.size=64x64', '--patches', '4']);
    expect(r.stderr + r.stdout).toMatch(/wrote .*p\.png: 4 images \(3 train, 1 val/);
    expect(r.status).toBe(0);
  });

  it('exits 3 with the DataError message on bad data', () => {
    const dir = tempDir('cli');
    const spec = join(dir, 'drive.r2u');
    writeFileSync(spec, `experiment d {\n  data {\n    dataset drive("${join(dir, 'missing')}")\n  }\n}\n`);
    const r = spawnSync(process.execPath, ['bin/r2u.mjs', 'data', 'preview', spec], { encoding: 'utf8', env: { ...process.env, R2U_DRIVE_ROOT: '' } });
    expect(r.stderr).toMatch(/missing DRIVE training images folder/);
    expect(r.status).toBe(3);
  });
});
