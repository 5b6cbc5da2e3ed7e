// `train { ema d }`: the average's arithmetic (corrected for its start), the
// swap between trained and averaged weights, and a training run that
// validates and checkpoints the average and resumes to the same weights.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainEngine } from '../../../src/runtime/engine/index.js';
import { loadCheckpoint } from '../../../src/runtime/run/checkpoint.js';
import type { EpochRecord } from '../../../src/runtime/train/epoch-record.js';
import { trainExperiment, type TrainResult } from '../../../src/runtime/train/loop.js';
import { WeightAverage } from '../../../src/runtime/train/weight-average.js';
import { tinyConfig } from './tiny-config.js';

/**
 * An engine of two weights whose values the test sets, as an optimiser step
 * would. Its backend's name picks the average's form: host arrays on a CPU
 * backend, tensors on a GPU's device (here the cpu backend stands in for it).
 */
function fakeEngine(backend: 'wasm' | 'webgpu') {
  const vars = [tf.variable(tf.tensor1d([0, 0])), tf.variable(tf.tensor1d([0]))];
  const engine = {
    backend: { name: backend },
    model: { weights: vars.map((v) => ({ read: () => v })) },
    getWeights: async () => Promise.all(vars.map(async (v) => (await v.data()) as Float32Array)),
    setWeights: async (values: readonly Float32Array[]) => values.forEach((a, i) => vars[i].assign(tf.tensor1d(a))),
  } as unknown as TrainEngine;
  const step = (a: number[], b: number) => {
    vars[0].assign(tf.tensor1d(a));
    vars[1].assign(tf.tensor1d([b]));
  };
  return { engine, step, read: async () => (await engine.getWeights()).map((w) => [...w]) };
}

describe.each(['wasm', 'webgpu'] as const)('WeightAverage (engine on %s)', (backend) => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the exponential average of the steps so far, corrected for its start', async () => {
    const { engine, step, read } = fakeEngine(backend);
    const d = 0.9;
    const average = new WeightAverage(d, engine);
    const steps = [
      [[1, 2], 10],
      [[3, 4], 20],
      [[5, 8], 40],
    ] as const;
    for (const [a, b] of steps) {
      step([...a], b);
      average.update();
    }
    // Σ (1−d) d^(n−k) w_k / (1 − d^n) over n = 3 steps
    const weights = [d ** 2, d, 1].map((x) => (x * (1 - d)) / (1 - d ** 3));
    const expected = (pick: (s: (typeof steps)[number]) => number) => steps.reduce((sum, s, k) => sum + weights[k] * pick(s), 0);
    await average.enter();
    const held = await read();
    expect(held[0][0]).toBeCloseTo(expected((s) => s[0][0]), 5);
    expect(held[0][1]).toBeCloseTo(expected((s) => s[0][1]), 5);
    expect(held[1][0]).toBeCloseTo(expected((s) => s[1]), 4);
    // the trained weights are kept aside while the engine holds the average, and come back
    expect(average.state()?.steps).toBe(3);
    expect(average.state()?.trained.map((w) => [...w])).toEqual([[5, 8], [40]]);
    await average.leave();
    expect(await read()).toEqual([[5, 8], [40]]);
    expect(average.state()).toBeNull();
    average.dispose();
  });

  it('starts from the first step, not from zero', async () => {
    const { engine, step, read } = fakeEngine(backend);
    const average = new WeightAverage(0.999, engine);
    step([7, -7], 3);
    average.update();
    step([0, 0], 0);
    await average.enter();
    // the engine's weights changed after the last update; the average did not follow
    expect(await read()).toEqual([[7, -7], [3]]);
    average.dispose();
  });

  it('resumes from a restored average as if it had not stopped', async () => {
    const a = fakeEngine(backend);
    const b = fakeEngine(backend);
    const uninterrupted = new WeightAverage(0.5, a.engine);
    a.step([1, 2], 3);
    uninterrupted.update();
    await uninterrupted.enter();
    const saved = { average: await a.engine.getWeights(), state: uninterrupted.state()! };
    await uninterrupted.leave();
    const resumed = new WeightAverage(0.5, b.engine);
    resumed.restore(saved.average, saved.state);
    // as a resumed run does before it trains: the engine gets the trained weights back
    await resumed.leave();
    expect(await b.read()).toEqual([[1, 2], [3]]);
    for (const f of [a, b]) f.step([5, 6], 7);
    uninterrupted.update();
    resumed.update();
    await uninterrupted.enter();
    await resumed.enter();
    expect(await b.read()).toEqual(await a.read());
    uninterrupted.dispose();
    resumed.dispose();
  });
});

const quiet = { backend: 'wasm' as const, log: () => {}, progressSink: { write: () => true } };
const withoutTime = (h: readonly EpochRecord[]) => h.map(({ time_s: _t, ...rest }) => rest);
const averaged = tinyConfig({ train: { epochs: 3, ema: 0.9, early_stop: { monitor: 'val_dice', patience: 5, restore_best: false } } });

describe('training with ema', () => {
  let base: string;
  let full: TrainResult;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'r2u-ema-'));
    full = await trainExperiment(averaged, { ...quiet, out: join(base, 'full') });
  });

  it('checkpoints the average as the model and the trained weights beside it', async () => {
    const dir = join(full.runDir, 'checkpoints', 'last');
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'average.json', 'trained.bin']));
    const c = await loadCheckpoint(dir);
    expect(c.average?.steps).toBe(3 * Math.ceil(averaged.data.patches.per_epoch / averaged.train.batch));
    expect(c.average?.trained.length).toBe(c.weights.length);
    // an average over several steps is not the last step's weights
    const differs = c.weights.some((w, i) => w.values.some((v, j) => v !== c.average?.trained[i][j]));
    expect(differs).toBe(true);
  });

  it('validates another model than the same run without ema', async () => {
    const plain = await trainExperiment({ ...averaged, train: { ...averaged.train, ema: 0 } }, { ...quiet, out: join(base, 'plain') });
    // the first step starts the average, so epoch 1 differs unless it has one step; the losses trained are the same
    expect(plain.history.map((r) => r.loss)).toEqual(full.history.map((r) => r.loss));
    expect(plain.history.map((r) => r.val_loss)).not.toEqual(full.history.map((r) => r.val_loss));
    expect(await readdir(join(plain.runDir, 'checkpoints', 'last'))).not.toContain('average.json');
    expect((await loadCheckpoint(join(plain.runDir, 'checkpoints', 'last'))).average).toBeNull();
  });

  it('resumes an interrupted run to the same average and trained weights', async () => {
    const abort = new AbortController();
    const out = join(base, 'interrupted');
    const first = await trainExperiment(averaged, { ...quiet, out, signal: abort.signal, log: (line) => /^\s+1 \|/.test(line) && abort.abort() });
    expect(first.stopped).toBe('aborted');
    const resumed = await trainExperiment(averaged, { ...quiet, resume: out });
    expect(withoutTime(resumed.history)).toEqual(withoutTime(full.history));
    const a = await loadCheckpoint(join(out, 'checkpoints', 'last'));
    const b = await loadCheckpoint(join(full.runDir, 'checkpoints', 'last'));
    a.weights.forEach((w, i) => expect(w.values).toEqual(b.weights[i].values));
    expect(a.average).toEqual(b.average);
  });
});
