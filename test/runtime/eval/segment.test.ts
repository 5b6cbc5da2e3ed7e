// The inference geometry (segment.ts) and test-time augmentation (tta.ts),
// with stand-in models whose output is known.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';
import type { RawImage } from '../../../src/runtime/data/types.js';
import type { PredictFn } from '../../../src/runtime/eval/infer.js';
import { scaleFor } from '../../../src/runtime/data/rescale.js';
import { createSegmenter } from '../../../src/runtime/eval/segment.js';
import { ttaTransforms, withTta } from '../../../src/runtime/eval/tta.js';

/** A disc of diameter `d` (green 0.5, red 0.8) on black, in a w x h RGB image. */
function disc(w: number, h: number, d: number): RawImage {
  const pixels = new Float32Array(w * h * 3);
  const fov = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((x + 0.5 - w / 2) ** 2 + (y + 0.5 - h / 2) ** 2 > (d / 2) ** 2) continue;
      fov[y * w + x] = 1;
      pixels.set([0.8, 0.5 + 0.1 * Math.sin(x / 3), 0.2], (y * w + x) * 3);
    }
  }
  return { id: 'disc', sourcePath: 'disc.png', width: w, height: h, channels: 3, pixels, label: null, fov };
}

const spec = (evalPatch: Partial<ExperimentConfig['eval']>, preprocess = DEFAULT_EXPERIMENT.data.preprocess): ExperimentConfig => ({
  ...DEFAULT_EXPERIMENT,
  data: { ...DEFAULT_EXPERIMENT.data, preprocess },
  eval: { ...DEFAULT_EXPERIMENT.eval, ...evalPatch },
});

describe('test-time augmentation', () => {
  it('has 1, 4 and 8 transforms', () => {
    expect(ttaTransforms('none')).toHaveLength(1);
    expect(ttaTransforms('flips')).toHaveLength(4);
    expect(ttaTransforms('d4')).toHaveLength(8);
  });

  it('maps every prediction back: a model returning its input returns the input, on a non-square batch', async () => {
    const [n, h, w] = [2, 3, 5];
    const x = Float32Array.from({ length: n * h * w }, (_, i) => i);
    const calls: Array<[number, number]> = [];
    const identity: PredictFn = async (v, _n, hh, ww) => (calls.push([hh, ww]), v.slice());
    for (const mode of ['flips', 'd4'] as const) {
      expect([...(await withTta(identity, mode)(x, n, h, w))]).toEqual([...x]);
    }
    // d4's transposed copies are predicted as w x h
    expect(calls.filter(([hh]) => hh === w)).toHaveLength(4);
  });

  it('averages position-dependent predictions over the transforms', async () => {
    // p = 1 in the top-left pixel only: the 4 flips put it in each corner once
    const corner: PredictFn = async (_v, n, h, w) => Float32Array.from({ length: n * h * w }, (_, i) => (i % (h * w) === 0 ? 1 : 0));
    const p = await withTta(corner, 'flips')(new Float32Array(4 * 6), 1, 4, 6);
    expect(p[0]).toBeCloseTo(0.25);
    expect(p[5]).toBeCloseTo(0.25);
    expect(p[18]).toBeCloseTo(0.25);
    expect(p[23]).toBeCloseTo(0.25);
    expect(p[7]).toBe(0);
  });
});

describe('inference geometry', () => {
  it('resamples to the target FOV diameter, and not for a change under 2%', () => {
    const raw = disc(240, 220, 200);
    expect(scaleFor(raw, 100)).toEqual({ width: 120, height: 110 });
    expect(scaleFor(raw, 202)).toEqual({ width: 240, height: 220 });
    expect(scaleFor(raw, null)).toEqual({ width: 240, height: 220 });
  });

  it('segments the whole image at its original size: the training crop is skipped, the map resampled back', async () => {
    const seen: Array<[number, number]> = [];
    const half: PredictFn = async (_x, n, h, w) => (seen.push([h, w]), new Float32Array(n * h * w).fill(0.7));
    const crop = [{ op: 'crop', mode: 'center', size: [48, 48] } as const, ...DEFAULT_EXPERIMENT.data.preprocess];
    const raw = disc(240, 220, 200);
    const seg = createSegmenter(spec({ scale: 'fov' }, crop), { dataset_normalize: [], fov_diameter: 100 }, { predict: half, channels: 3 });
    const { prob, mask, scaled } = await seg.segment(raw);
    expect(scaled).toEqual({ width: 120, height: 110 });
    // padded to the network's multiple (2^depth), never cropped
    const m = 2 ** DEFAULT_EXPERIMENT.model.depth;
    expect(seen).toEqual([[Math.ceil(110 / m) * m, Math.ceil(120 / m) * m]]);
    expect(prob).toHaveLength(240 * 220);
    let wrong = 0;
    for (let i = 0; i < prob.length; i++) if (Math.abs(prob[i] - (raw.fov[i] ? 0.7 : 0)) > 1e-5 || mask[i] !== raw.fov[i]) wrong++;
    expect(wrong).toBe(0);
  });

  it('falls back to the published DRIVE diameter for runs without a recorded one', () => {
    const model = { predict: async () => new Float32Array(0), channels: 3 };
    const drive = { ...spec({ scale: 'fov' }), data: { ...DEFAULT_EXPERIMENT.data, dataset: { kind: 'drive', root: 'data/DRIVE' } as const } };
    expect(createSegmenter(drive, { dataset_normalize: [] }, model).targetDiameter).toBe(540);
    expect(createSegmenter(drive, { dataset_normalize: [], fov_diameter: 300 }, model).targetDiameter).toBe(300);
    expect(createSegmenter(spec({ scale: 'fov' }), { dataset_normalize: [] }, model).targetDiameter).toBeNull();
    expect(createSegmenter({ ...drive, eval: { ...drive.eval, scale: 'none' } }, { dataset_normalize: [], fov_diameter: 300 }, model).targetDiameter).toBeNull();
  });

  it('names the file when the image does not fit the model', async () => {
    const seg = createSegmenter(spec({}), { dataset_normalize: [] }, { predict: async () => new Float32Array(0), channels: 1 });
    await expect(seg.segment(disc(64, 64, 60))).rejects.toThrow(/^disc\.png: the image has 3 channels after preprocessing, the model expects 1/);
  });
});
