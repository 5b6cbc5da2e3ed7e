// The committed checkpoints segment out of the box: models/drive-r2unet (an
// ensemble of three networks) a DRIVE image (`r2u predict models/drive-r2unet
// <image>`), models/chase-r2unet a held-out CHASE_DB1 image as well as its
// evaluation reported.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { predictImages } from '../../../src/runtime/eval/predict-images.js';
import { loadPredictor, segmenterFor } from '../../../src/runtime/eval/predictor.js';
import { confusion, scores } from '../../../src/runtime/eval/metrics.js';
import { loadRawImages } from '../../../src/runtime/data/index.js';
import { MEMBER_FILES, readEnsemble } from '../../../src/runtime/run/ensemble.js';

const DRIVE = process.env.R2U_DRIVE_ROOT ?? '../shared/data/DRIVE';
const image = join(DRIVE, 'test/images/01_test.tif');
const fov = join(DRIVE, 'test/mask/01_test_mask.gif');
const haveData = existsSync(image);
if (!haveData) console.log(`skipping the shipped-model check: ${image} is not here`);

describe('models/drive-r2unet', () => {
  it('is an ensemble of three networks, each with its spec, preprocessing statistics and training metrics', async () => {
    const dir = 'models/drive-r2unet';
    for (const f of ['ensemble.json', 'spec.json', 'preprocess.json', 'validation.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    const { members } = await readEnsemble(dir);
    expect(members).toEqual(['members/0', 'members/1', 'members/2']);
    for (const [i, m] of members.entries()) {
      for (const f of MEMBER_FILES) expect(existsSync(join(dir, m, f)), `${m}/${f}`).toBe(true);
      expect(existsSync(join(dir, 'member-runs', String(i), 'metrics.jsonl')), `member-runs/${i}/metrics.jsonl`).toBe(true);
    }
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
  }, 300_000); // d4 on wasm, three networks: 24 passes, about 45 s alone, minutes on a machine busy with training
});

const CHASE = '../shared/data/CHASEDB1';
const haveChase = existsSync(join(CHASE, 'Image_14L.jpg'));
if (!haveChase) console.log(`skipping the CHASE_DB1 shipped-model check: ${CHASE} is not here`);

describe('models/chase-r2unet', () => {
  it.skipIf(!haveChase)('segments a held-out CHASE_DB1 test image as its eval reported (image 14L: Dice 0.825 at 0.5, tta none)', async () => {
    const predictor = await loadPredictor('models/chase-r2unet', 'wasm');
    try {
      const spec = predictor.spec;
      const test = (await loadRawImages({ ...spec.data, dataset: { kind: 'chase_db1', root: CHASE, test: 8 } }, { subset: 'test' })).images;
      expect(test.map((im) => im.id)).toEqual(['11L', '11R', '12L', '12R', '13L', '13R', '14L', '14R']);
      const image = test.find((im) => im.id === '14L')!;
      const segmenter = segmenterFor(predictor, { ...spec, eval: { ...spec.eval, tta: 'none' } });
      const { prob } = await segmenter.segment(image);
      const dice = scores(confusion(prob, image.label!, image.fov, 0.5)).dice;
      expect(dice).toBeGreaterThan(0.815);
      expect(dice).toBeLessThan(0.835);
    } finally {
      predictor.dispose();
    }
  });
});
