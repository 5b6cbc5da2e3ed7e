// Eval and predict from a saved checkpoint, without training: an untrained
// model is enough to check that the files, geometry and numbers line up.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../../src/runtime/backend.js';
import { generateSynthetic, loadDataset } from '../../../src/runtime/data/index.js';
import { evaluateImages } from '../../../src/runtime/eval/evaluate.js';
import { infer, inferenceSettings } from '../../../src/runtime/eval/infer.js';
import { predictImages } from '../../../src/runtime/eval/predict-images.js';
import { loadPredictor } from '../../../src/runtime/eval/predictor.js';
import { evaluateRun, evalCsv } from '../../../src/runtime/eval/run-eval.js';
import { buildModel } from '../../../src/runtime/model/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../../src/runtime/run/checkpoint.js';
import { RunError } from '../../../src/runtime/run/errors.js';
import { writeJsonAtomic } from '../../../src/runtime/run/atomic.js';
import { RUN_FILES } from '../../../src/runtime/run/folder.js';
import { initialMonitorState } from '../../../src/runtime/train/early-stop.js';
import { tinyConfig } from '../train/tiny-config.js';

const config = tinyConfig({ eval: { mode: 'sliding_window', stride: [16, 16] } });
let runDir: string;
let model: ReturnType<typeof buildModel>;

beforeAll(async () => {
  await initBackend('cpu');
  runDir = await mkdtemp(join(tmpdir(), 'r2u-evalrun-'));
  const dataset = await loadDataset(config.data, { seed: config.seed });
  model = buildModel(config.model, dataset.channels);
  const state = { epoch: 1, monitor: initialMonitorState('val_loss'), lr: 1e-3, schedule: null, rng: { seed: 7, next_epoch: 2 } };
  const optimizer = { step: 3, slots: [Float32Array.of(1, 2, 3, 4), Float32Array.of(5)] };
  await saveCheckpoint(join(runDir, RUN_FILES.best), { model, optimizer, average: null, state, spec: config, preprocess: dataset.preprocessor.stats });
  await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
  await writeJsonAtomic(join(runDir, RUN_FILES.run), { cwd: process.cwd(), created: 'now' });
});

describe('checkpoint directories', () => {
  it('round-trip weights, optimizer slots and state', async () => {
    const ck = await loadCheckpoint(join(runDir, RUN_FILES.best));
    const expected = model.getWeights();
    expect(ck.weights.length).toBe(expected.length);
    ck.weights.forEach((w, i) => expect(w.values).toEqual(expected[i].dataSync()));
    expect(ck.optimizer).toEqual({ step: 3, slots: [Float32Array.of(1, 2, 3, 4), Float32Array.of(5)] });
    expect(ck.state.rng).toEqual({ seed: 7, next_epoch: 2 });
    expect(ck.spec).toEqual(config);
    expect((await readdir(join(runDir, RUN_FILES.best))).sort()).toEqual(
      ['model.json', 'optimizer.bin', 'optimizer.json', 'preprocess.json', 'spec.json', 'state.json', 'weights.bin'].sort(),
    );
  });

  it('load through tf.loadLayersModel and predict like the original model', async () => {
    const predictor = await loadPredictor(join(runDir, RUN_FILES.best));
    const x = tf.randomNormal([1, 32, 32, 1], 0, 1, 'float32', 5);
    const want = (model.predict(x) as tf.Tensor).dataSync();
    const got = await predictor.predict(x.dataSync() as Float32Array, 1, 32, 32);
    expect(Array.from(got)).toEqual(Array.from(want));
    predictor.dispose();
    x.dispose();
  });
});

describe('r2u eval', () => {
  it('scores the validation split and writes json + csv', async () => {
    const report = await evaluateRun(runDir, { split: 'val' });
    expect(report.configured.images.length).toBe(2);
    expect(report.configured.threshold).toBe(0.5);
    for (const k of ['accuracy', 'specificity', 'auc'] as const) expect(report.configured.mean[k]).toBeGreaterThanOrEqual(0);
    // the best-F1 threshold is chosen on the same validation images here, so it cannot do worse
    const dice = (t: typeof report.configured) => t.mean.dice || 0;
    expect(dice(report.best_f1)).toBeGreaterThan(0);
    const json = JSON.parse(await readFile(join(runDir, 'eval-val.json'), 'utf8'));
    expect(json.best_f1.threshold).toBe(report.best_f1.threshold);
    const csv = (await readFile(join(runDir, 'eval-val.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('image,threshold_kind,threshold,accuracy,sensitivity,specificity,precision,dice,auc');
    // per threshold: the 2 images, their mean, and the pooled row (whose AUC is the pooled AUC)
    expect(csv.length).toBe(1 + 2 * 4);
    expect(csv[4]).toBe(['pooled', 'configured', 0.5, ...['accuracy', 'sensitivity', 'specificity', 'precision', 'dice'].map((m) => report.configured.pooled[m as 'dice']), report.pooled_auc].map((v) => (Number.isNaN(v) ? '' : v)).join(','));
    expect(evalCsv(report)).toBe(`${csv.join('\n')}\n`);
  });

  it('matches evaluating the same images directly', async () => {
    const predictor = await loadPredictor(join(runDir, RUN_FILES.best));
    const dataset = await loadDataset(config.data, { subset: 'test', seed: config.seed, stats: predictor.preprocess });
    const direct = await evaluateImages(dataset.images, (img) => infer(img, predictor.predict, inferenceSettings(config)), config.eval, 0.5);
    predictor.dispose();
    const report = await evaluateRun(runDir, { split: 'test' });
    expect(report.configured.mean.auc).toBeCloseTo(direct.mean.auc, 10);
    expect(report.configured.images.map((i) => i.id)).toEqual(dataset.images.map((i) => i.id));
    // pooled: the counts of every image's mask summed, then the ratios, not the mean of the ratios
    let [tp, fp, fn, tn] = [0, 0, 0, 0];
    direct.images.forEach(({ mask }, n) => {
      const { label, fov } = dataset.images[n];
      for (let i = 0; i < mask.length; i++) {
        if (!fov[i]) continue;
        if (label![i]) mask[i] ? tp++ : fn++;
        else mask[i] ? fp++ : tn++;
      }
    });
    expect(tp + fp + fn + tn).toBe(dataset.images.reduce((a, d) => a + d.fov.reduce((x, v) => x + v, 0), 0));
    expect(report.configured.pooled.dice).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
    expect(report.configured.pooled.accuracy).toBeCloseTo((tp + tn) / (tp + tn + fp + fn), 12);
  });

  it('refuses a folder that is not a run', async () => {
    await expect(evaluateRun(join(runDir, 'nope'), { split: 'val' })).rejects.toBeInstanceOf(RunError);
  });
});

describe('r2u predict', () => {
  it('writes probability and mask at the original size, and an overlay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r2u-predict-'));
    const [img] = generateSynthetic(1, [70, 90], 11);
    const rgb = Uint8Array.from(img.pixels, (v) => Math.round(v * 255));
    await writeFile(join(dir, 'photo.png'), await sharp(rgb, { raw: { width: img.width, height: img.height, channels: img.channels as 3 } }).png().toBuffer());
    await mkdir(join(dir, 'out'));
    const res = await predictImages(runDir, [join(dir, 'photo.png')], { out: join(dir, 'out'), overlay: true });
    expect(res[0].files.map((f) => f.replace(/^.*\//, ''))).toEqual(['photo.png', 'photo_mask.png', 'photo_overlay.png']);
    for (const f of res[0].files) {
      const meta = await sharp(f).metadata();
      expect([meta.width, meta.height]).toEqual([90, 70]);
    }
    const mask = await sharp(res[0].files[1]).raw().toBuffer();
    expect(mask.every((v) => v === 0 || v === 255)).toBe(true);
  });

  it('reports a missing checkpoint as a run error', async () => {
    await expect(predictImages('/nonexistent/run', ['x.png'], { out: '/tmp' })).rejects.toBeInstanceOf(RunError);
  });
});
