// An ensemble folder from saved checkpoints: it segments with the mean of its
// members' maps, refuses members that would read a different input, and knows
// whether it may be scored on its validation split.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/runtime/backend.js';
import { loadDataset, splitImages } from '../../../src/runtime/data/index.js';
import { loadPredictor } from '../../../src/runtime/eval/predictor.js';
import { evaluateRun } from '../../../src/runtime/eval/run-eval.js';
import { buildModel } from '../../../src/runtime/model/index.js';
import { resolveCheckpointDir, saveCheckpoint } from '../../../src/runtime/run/checkpoint.js';
import { writeEnsemble } from '../../../src/runtime/run/ensemble.js';
import { RunError } from '../../../src/runtime/run/errors.js';
import { writeJsonAtomic } from '../../../src/runtime/run/atomic.js';
import { RUN_FILES } from '../../../src/runtime/run/folder.js';
import { initialMonitorState } from '../../../src/runtime/train/early-stop.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';
import { tinyConfig } from '../train/tiny-config.js';

let root: string;
const base = tinyConfig();

/** A run folder holding a freshly initialised model of `config` as its best checkpoint. */
async function savedRun(name: string, config: ExperimentConfig): Promise<string> {
  const dir = join(root, name);
  const dataset = await loadDataset(config.data, { seed: config.seed });
  const model = buildModel(config.model, dataset.channels);
  const state = { epoch: 1, monitor: initialMonitorState('val_loss'), lr: 1e-3, schedule: null, rng: { seed: config.seed, next_epoch: 2 } };
  await saveCheckpoint(join(dir, RUN_FILES.best), { model, optimizer: null, average: null, state, spec: config, preprocess: dataset.preprocessor.stats });
  await writeJsonAtomic(join(dir, RUN_FILES.spec), config);
  model.dispose();
  return dir;
}

beforeAll(async () => {
  await initBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'r2u-ensemble-'));
});

describe('an ensemble', () => {
  it('predicts the mean of its members, and is taken where a checkpoint is', async () => {
    const a = await savedRun('a', base);
    const b = await savedRun('b', { ...base, model: { ...base.model, filters: 6 } });
    const out = join(root, 'ab');
    const manifest = await writeEnsemble([a, b], out);
    // bare run folders without run.json or backend.json: where they trained is not known
    expect(manifest).toEqual({ members: ['members/0', 'members/1'], sources: [a, b], trained_on: [0, 1].map(() => ({ machine: null, backend: null })) });
    expect((await readdir(out)).sort()).toEqual(['ensemble.json', 'members', 'preprocess.json', 'spec.json']);
    expect((await readdir(join(out, 'members', '1'))).sort()).toEqual(['model.json', 'preprocess.json', 'spec.json', 'weights.bin']);
    expect(await resolveCheckpointDir(out)).toBe(out);

    const x = tf.randomNormal([1, 32, 32, 1], 0, 1, 'float32', 3).dataSync() as Float32Array;
    const one = await Promise.all([a, b].map(async (run) => {
      const p = await loadPredictor(join(run, RUN_FILES.best));
      const y = await p.predict(x, 1, 32, 32);
      p.dispose();
      return y;
    }));
    expect(Array.from(one[0])).not.toEqual(Array.from(one[1]));
    const ensemble = await loadPredictor(out);
    expect(ensemble.ensemble?.members).toHaveLength(2);
    const y = await ensemble.predict(x, 1, 32, 32);
    ensemble.dispose();
    y.forEach((v, i) => expect(v).toBeCloseTo((one[0][i] + one[1][i]) / 2, 6));
  });

  it('is scored on its validation split only when its members validated on the same images', async () => {
    const a = await savedRun('va', base);
    const b = await savedRun('vb', base);
    const shared = join(root, 'shared');
    await writeEnsemble([a, b], shared);
    const report = await evaluateRun(shared, { split: 'val' });
    expect(report.configured.images.length).toBe(2);

    // under a ratio split another seed draws other validation images: no validation split, and no threshold chosen on one
    const plain = (c: ExperimentConfig, seed: number, split: ExperimentConfig['data']['split']): ExperimentConfig => ({
      ...c,
      seed,
      data: { ...c.data, preprocess: [{ op: 'grayscale', mode: 'green' }], split },
    });
    const apart = join(root, 'apart');
    await writeEnsemble([await savedRun('s1', plain(base, 1, base.data.split)), await savedRun('s2', plain(base, 2, base.data.split))], apart);
    await expect(evaluateRun(apart, { split: 'val' })).rejects.toThrow(/validated on different images/);
    const test = await evaluateRun(apart, { split: 'test' });
    expect(test.best_f1_source).toMatch(/^eval.threshold/);
    expect(test.best_f1.threshold).toBe(0.5);
    // the images decide, not how the split is written: seed 1's ratio split, and another seed given the same images by name
    const images = (await loadDataset(plain(base, 1, base.data.split).data, { seed: 1 })).images;
    const { val } = splitImages(images, base.data.split, 1);
    const listed = join(root, 'listed');
    await writeEnsemble([await savedRun('l1', plain(base, 1, base.data.split)), await savedRun('l2', plain(base, 2, { kind: 'list', val: val.map((im) => im.id) }))], listed);
    expect((await evaluateRun(listed, { split: 'val' })).configured.images.map((im) => im.id)).toEqual(val.map((im) => im.id));
  });

  it('refuses members that read another input, one member, an ensemble as a member, and a folder in use', async () => {
    const a = await savedRun('ra', base);
    const other = await savedRun('rb', { ...base, data: { ...base.data, preprocess: [{ op: 'grayscale', mode: 'luminance' }, { op: 'normalize', mode: 'dataset' }] } });
    await expect(writeEnsemble([a, other], join(root, 'x1'))).rejects.toThrow(new RegExp(`${other}: its preprocessing \\(data.preprocess\\) differs from ${a}'s`));
    const deeper = await savedRun('rc', { ...base, model: { ...base.model, depth: 3 } });
    await expect(writeEnsemble([a, deeper], join(root, 'x2'))).rejects.toThrow(/its model depth differs/);
    // normalize dataset is fitted on the training images, which another seed draws differently
    const seeded = await savedRun('rd', { ...base, seed: 8 });
    await expect(writeEnsemble([a, seeded], join(root, 'x3'))).rejects.toThrow(/fitted preprocessing statistics/);
    await expect(writeEnsemble([a], join(root, 'x4'))).rejects.toThrow(/at least 2 members, 1 given/);
    const ens = join(root, 'x5');
    await writeEnsemble([a, a], ens);
    await expect(writeEnsemble([ens, a], join(root, 'x6'))).rejects.toThrow(/is an ensemble itself/);
    const used = join(root, 'x7');
    await writeFile(join(root, 'keep'), 'x');
    await expect(writeEnsemble([a, a], root)).rejects.toBeInstanceOf(RunError);
    expect(await readFile(join(root, 'keep'), 'utf8')).toBe('x');
    await expect(writeEnsemble([a, join(root, 'nope')], used)).rejects.toThrow(/no such run or checkpoint directory/);
  });
});
