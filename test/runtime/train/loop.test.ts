// End-to-end training on a tiny synthetic experiment (wasm backend, one
// worker): run folder contents, determinism, tensor leaks, resume equivalence.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../../src/runtime/run/checkpoint.js';
import { RunError } from '../../../src/runtime/run/errors.js';
import { readMetrics } from '../../../src/runtime/run/folder.js';
import type { EpochRecord } from '../../../src/runtime/train/epoch-record.js';
import { trainExperiment, type TrainResult } from '../../../src/runtime/train/loop.js';
import { tinyConfig } from './tiny-config.js';

// plateau: a schedule with state that a resume has to restore
const config = tinyConfig({
  train: {
    epochs: 3,
    schedule: { kind: 'plateau', factor: 0.5, patience: 0, min_lr: 1e-5 },
    early_stop: { monitor: 'val_dice', patience: 5, restore_best: false },
  },
});
const quiet = { backend: 'wasm' as const, log: () => {}, progressSink: { write: () => true } };
const withoutTime = (h: readonly EpochRecord[]) => h.map(({ time_s: _t, ...rest }) => rest);

let base: string;
let full: TrainResult;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'r2u-loop-'));
  full = await trainExperiment(config, { ...quiet, out: join(base, 'full') });
});

describe('trainExperiment', () => {
  it('writes the run folder', async () => {
    const dir = full.runDir;
    expect((await readdir(dir)).sort()).toEqual(
      ['backend.json', 'checkpoints', 'curves.png', 'curves.svg', 'metrics.jsonl', 'panels', 'preprocess.json', 'run.json', 'spec.json'].sort(),
    );
    expect(JSON.parse(await readFile(join(dir, 'spec.json'), 'utf8'))).toEqual(config);
    expect(JSON.parse(await readFile(join(dir, 'backend.json'), 'utf8')).name).toBe('wasm');
    expect(await readMetrics(dir)).toEqual(full.history);
    expect(full.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    // each epoch records its validation images' scores; the val_* figures are their mean
    for (const r of full.history) {
      const dice = Object.values(r.val_images!).map((s) => s.dice).filter((d) => d !== null);
      expect(Object.keys(r.val_images!).length).toBeGreaterThan(0);
      expect(r.val_dice).toBeCloseTo(dice.reduce((a, b) => a + b, 0) / dice.length, 12);
    }
    // the plateau schedule (patience 0) halves the rate after each epoch whose val_dice is no better than the best so far
    const expected = [1e-3];
    let best = -Infinity;
    for (const r of full.history.slice(0, -1)) {
      expected.push(r.val_dice > best ? expected.at(-1)! : Math.max(1e-5, expected.at(-1)! * 0.5));
      best = Math.max(best, r.val_dice);
    }
    expect(full.history.map((r) => r.lr)).toEqual(expected);
    for (const { val_images: _, ...figures } of full.history) for (const v of Object.values(figures)) expect(Number.isFinite(v)).toBe(true);
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['best', 'last']);
    const last = await loadCheckpoint(join(dir, 'checkpoints', 'last'));
    expect(last.state.epoch).toBe(3);
    expect(last.optimizer?.step).toBe(3 * 2);
    expect((await loadCheckpoint(join(dir, 'checkpoints', 'best'))).state.epoch).toBe(full.best?.epoch);
    expect((await readdir(join(dir, 'panels'))).length).toBe(2);
    expect(await readFile(join(dir, 'curves.svg'), 'utf8')).toContain('Validation Dice');
    // nothing half-written is left behind
    expect((await readdir(join(dir, 'checkpoints', 'last'))).every((f) => !f.startsWith('.'))).toBe(true);
  });

  it('does not leak tensors from epoch to epoch', () => {
    const [, second, third] = full.tensorsAfterEpoch;
    expect(third).toBe(second);
  });

  it('is deterministic from the seed', async () => {
    const again = await trainExperiment(config, { ...quiet, out: join(base, 'again') });
    expect(withoutTime(again.history)).toEqual(withoutTime(full.history));
  });

  it('resumes an interrupted run to the same weights as an uninterrupted one', async () => {
    const abort = new AbortController();
    const out = join(base, 'interrupted');
    const first = await trainExperiment(config, {
      ...quiet,
      out,
      signal: abort.signal,
      // interrupt as soon as epoch 1 is reported: epoch 2 stops after its first step
      log: (line) => /^\s+1 \|/.test(line) && abort.abort(),
    });
    expect(first.stopped).toBe('aborted');
    expect(first.history.length).toBe(1);
    expect((await loadCheckpoint(join(out, 'checkpoints', 'last'))).state.epoch).toBe(1);

    const resumed = await trainExperiment(config, { ...quiet, resume: out });
    expect(resumed.stopped).toBe('completed');
    expect(withoutTime(resumed.history)).toEqual(withoutTime(full.history));
    const a = await loadCheckpoint(join(out, 'checkpoints', 'last'));
    const b = await loadCheckpoint(join(full.runDir, 'checkpoints', 'last'));
    a.weights.forEach((w, i) => expect(w.values).toEqual(b.weights[i].values));
    expect(a.optimizer).toEqual(b.optimizer);
  });

  it('writes nothing when the data checks fail', async () => {
    const big = { ...config, data: { ...config.data, patches: { ...config.data.patches, size: [96, 96] as const } } };
    const out = join(base, 'baddata');
    await expect(trainExperiment(big, { ...quiet, out })).rejects.toThrow(/patches of 96x96 do not fit/);
    expect(await readdir(base)).not.toContain('baddata');
  });

  it('lengthens a finished run on resume: the first epochs are kept, spec.json takes the new length', async () => {
    const out = join(base, 'lengthened');
    const short = { ...config, train: { ...config.train, epochs: 2 } };
    const first = await trainExperiment(short, { ...quiet, out });
    expect(first.history.map((r) => r.epoch)).toEqual([1, 2]);
    const lines: string[] = [];
    const longer = await trainExperiment(config, { ...quiet, resume: out, log: (line) => lines.push(line) });
    expect(lines).toContain('train.epochs: 2 -> 3 (spec.json updated)');
    expect(longer.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(withoutTime(longer.history.slice(0, 2))).toEqual(withoutTime(first.history));
    expect(JSON.parse(await readFile(join(out, 'spec.json'), 'utf8'))).toEqual(config);
    expect((await loadCheckpoint(join(out, 'checkpoints', 'last'))).state.epoch).toBe(3);
    // a plateau schedule does not depend on the length: the lengthened run is the 3-epoch run
    expect(withoutTime(longer.history)).toEqual(withoutTime(full.history));
    // fewer epochs than the run has finished cannot be resumed
    await expect(trainExperiment(short, { ...quiet, resume: out })).rejects.toThrow(/train.epochs 2 is fewer than the 3 epochs the run has finished/);
  });

  it('refuses to resume with a different experiment or to overwrite a run', async () => {
    await expect(trainExperiment({ ...config, train: { ...config.train, batch: 4 } }, { ...quiet, resume: full.runDir })).rejects.toBeInstanceOf(RunError);
    await expect(trainExperiment({ ...config, train: { ...config.train, batch: 4 } }, { ...quiet, resume: full.runDir })).rejects.toThrow(
      /only train.epochs and runtime settings may change/,
    );
    await expect(trainExperiment(config, { ...quiet, out: full.runDir })).rejects.toBeInstanceOf(RunError);
  });
});
