// The committed reference checkpoint (models/drive-r2unet) segments a DRIVE
// image out of the box: `r2u predict models/drive-r2unet <image>`.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { predictImages } from '../../../src/runtime/eval/predict-images.js';

const DRIVE = process.env.R2U_DRIVE_ROOT ?? '../shared/data/DRIVE';
const image = join(DRIVE, 'test/images/01_test.tif');
const fov = join(DRIVE, 'test/mask/01_test_mask.gif');
const haveData = existsSync(image);
if (!haveData) console.log(`skipping the shipped-model check: ${image} is not here`);

describe('models/drive-r2unet', () => {
  it('carries its spec, preprocessing statistics and training metrics', () => {
    for (const f of ['model.json', 'weights.bin', 'spec.json', 'preprocess.json', 'metrics.jsonl']) expect(existsSync(join('models/drive-r2unet', f)), f).toBe(true);
  });

  it.skipIf(!haveData)('writes a probability map and a mask of a DRIVE test image at its original size, with vessels found', async () => {
    const out = await mkdtemp(join(tmpdir(), 'r2u-shipped-'));
    await predictImages('models/drive-r2unet', [image], { out, fov, backend: 'wasm' });
    const prob = await sharp(join(out, '01_test.png')).raw().toBuffer({ resolveWithObject: true });
    const mask = await sharp(join(out, '01_test_mask.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect([prob.info.width, prob.info.height]).toEqual([565, 584]);
    expect([mask.info.width, mask.info.height]).toEqual([565, 584]);
    let vessel = 0;
    for (const v of mask.data) if (v > 127) vessel++;
    // DRIVE vessels cover about 12% of the field of view (~9% of the frame)
    const share = vessel / (565 * 584);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.16);
  });
});
