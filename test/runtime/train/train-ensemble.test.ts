// `train { ensemble N }`: N members trained side by side or one after another, with their own
// seeds on the same validation images, the run folder then an ensemble that
// eval and predict take, scored on those images; --resume skips finished members.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/runtime/backend.js';
import { DataError } from '../../../src/runtime/data/index.js';
import { loadPredictor } from '../../../src/runtime/eval/predictor.js';
import { resolveCheckpointDir } from '../../../src/runtime/run/checkpoint.js';
import { writeEnsemble } from '../../../src/runtime/run/ensemble.js';
import { readSpec } from '../../../src/runtime/run/folder.js';
import { validateEnsemble } from '../../../src/runtime/train/ensemble-validation.js';
import type { EpochRecord } from '../../../src/runtime/train/epoch-record.js';
import { memberBatches, memberConfigs, trainEnsemble } from '../../../src/runtime/train/train-ensemble.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';
import { tinyConfig } from './tiny-config.js';

let root: string;
const quiet = { log: () => {}, progress: false };
const ensembleOf = (n: number, c: ExperimentConfig = tinyConfig({ train: { epochs: 1 } })): ExperimentConfig => ({ ...c, train: { ...c.train, ensemble: n } });

beforeAll(async () => {
  await initBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'r2u-train-ensemble-'));
});

describe('memberConfigs', () => {
  it("gives member i the seed seed + i, keeps the experiment's seed as the split's, and drops `ensemble`", () => {
    const members = memberConfigs(ensembleOf(3));
    expect(members.map((m) => [m.seed, m.data.split, 'ensemble' in m.train])).toEqual([0, 1, 2].map((i) => [7 + i, { kind: 'ratio', train: 0.6, val: 0.4, seed: 7 }, false]));
    const kfold = ensembleOf(2, { ...tinyConfig(), data: { ...tinyConfig().data, split: { kind: 'kfold', k: 5, fold: 1, seed: 42 } } });
    expect(memberConfigs(kfold).map((m) => m.data.split)).toEqual([0, 1].map(() => ({ kind: 'kfold', k: 5, fold: 1, seed: 42 })));
    const list = ensembleOf(2, { ...tinyConfig(), data: { ...tinyConfig().data, split: { kind: 'list', val: ['syn001'] } } });
    expect(memberConfigs(list).map((m) => m.data.split)).toEqual([0, 1].map(() => ({ kind: 'list', val: ['syn001'] })));
    expect(memberConfigs(tinyConfig())).toHaveLength(1);
  });
});

describe('memberBatches', () => {
  it('trains as many members side by side as there are cores, one core each; a last, smaller batch shares the cores out', () => {
    expect(memberBatches(3, 2)).toEqual([
      { members: 2, workers: 1 },
      { members: 1, workers: 2 },
    ]);
    expect(memberBatches(2, 2)).toEqual([{ members: 2, workers: 1 }]);
    expect(memberBatches(5, 4)).toEqual([
      { members: 4, workers: 1 },
      { members: 1, workers: 4 },
    ]);
    expect(memberBatches(3, 8)).toEqual([{ members: 3, workers: 2 }]);
    expect(memberBatches(3, 1)).toEqual([0, 1, 2].map(() => ({ members: 1, workers: 1 })));
    expect(memberBatches(0, 2)).toEqual([]);
  });
});

describe('trainEnsemble', () => {
  it('trains each member into its own run, then makes the run folder an ensemble scored on the shared validation images', async () => {
    const out = join(root, 'two');
    const result = await trainEnsemble(ensembleOf(2), { ...quiet, out });
    expect(result.stopped).toBe('completed');
    expect(result.members.map((m) => [m.seed, m.result?.history.length])).toEqual([[7, 1], [8, 1]]);
    expect((await readdir(out)).sort()).toEqual(['ensemble.json', 'member-runs', 'members', 'preprocess.json', 'run.json', 'spec.json', 'validation.json']);
    expect((await readSpec(out)).train.ensemble).toBe(2);
    expect(await Promise.all([0, 1].map(async (i) => (await readSpec(join(out, 'member-runs', String(i)))).seed))).toEqual([7, 8]);
    expect(JSON.parse(await readFile(join(out, 'ensemble.json'), 'utf8'))).toEqual({
      members: ['members/0', 'members/1'],
      sources: [0, 1].map((i) => join(out, 'member-runs', String(i))),
      trained_on: [0, 1].map(() => ({ machine: expect.stringMatching(/ × .*GiB, Node v/), backend: expect.stringMatching(/^cpu/) })),
    });
    expect(await resolveCheckpointDir(out)).toBe(out);
    const predictor = await loadPredictor(out);
    expect(predictor.ensemble?.members).toHaveLength(2);
    predictor.dispose();
    const record = result.validation!;
    expect(Object.keys(record.val_images!)).toHaveLength(2);
    expect(JSON.parse(await readFile(join(out, 'validation.json'), 'utf8')).val_auc).toBeCloseTo(record.val_auc, 12);

    // scored as training scores an epoch: an ensemble of one run twice has that run's best-epoch figures
    const [best] = (await readFile(join(out, 'member-runs', '0', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as EpochRecord);
    const twice = join(root, 'twice');
    await writeEnsemble([join(out, 'member-runs', '0'), join(out, 'member-runs', '0')], twice);
    const same = (await validateEnsemble(twice))!;
    for (const m of ['val_loss', 'val_dice', 'val_auc', 'val_sensitivity', 'val_specificity', 'val_accuracy'] as const) expect(same[m], m).toBeCloseTo(best[m], 6);

    // a member whose copy is missing trains on from its run (here: nothing left); the other is skipped
    await rm(join(out, 'members', '1'), { recursive: true });
    await rm(join(out, 'ensemble.json'));
    const resumed = await trainEnsemble(ensembleOf(2), { ...quiet, resume: out });
    expect(resumed.members.map((m) => [m.seed, m.result === null])).toEqual([[7, true], [8, false]]);
    expect(resumed.validation).toEqual(record);
    await expect(trainEnsemble({ ...ensembleOf(2), seed: 9 }, { ...quiet, resume: out })).rejects.toThrow(/the experiment differs from the run's spec\.json/);

    // a resume with more epochs lengthens every member, finished or not, and records the new length
    const longer = ensembleOf(2, tinyConfig({ train: { epochs: 2 } }));
    const lengthened = await trainEnsemble(longer, { ...quiet, resume: out });
    expect(lengthened.members.map((m) => m.result?.history.length)).toEqual([2, 2]);
    expect((await readSpec(out)).train.epochs).toBe(2);
    expect((await trainEnsemble(longer, { ...quiet, resume: out })).members.map((m) => m.result)).toEqual([null, null]);
  }, 600_000);

  it('leaves no run folder behind when the first member cannot load its data', async () => {
    const out = join(root, 'bad');
    const bad = ensembleOf(2, { ...tinyConfig(), data: { ...tinyConfig().data, dataset: { kind: 'drive', root: join(root, 'no-such-drive') } } });
    await expect(trainEnsemble(bad, { ...quiet, out })).rejects.toBeInstanceOf(DataError);
    expect(await readdir(root)).not.toContain('bad');
  });

  it('trains members side by side, each on its own worker thread, to the same models as one after another', async () => {
    const c = ensembleOf(2, tinyConfig({ train: { epochs: 2 } }));
    const wasm = { ...c, runtime: { ...c.runtime, backend: 'wasm' as const } };
    const lines: string[] = [];
    const progress: string[] = [];
    const sideBySide = join(root, 'side-by-side');
    const together = await trainEnsemble(wasm, { log: (l) => lines.push(l), progressSink: { write: (t: string) => progress.push(t) }, out: sideBySide, workers: 2 });
    const sequential = join(root, 'sequential');
    await trainEnsemble(wasm, { ...quiet, out: sequential, workers: 1 });
    expect(together.stopped).toBe('completed');
    expect(lines).toContain('members 1, 2 of 2 side by side, 1 core each: seeds 7, 8');
    expect(lines.some((l) => l.startsWith('[member 2] gradients: a worker thread, wasm'))).toBe(true);
    // every line names its member, the epoch table's rule under its header included
    expect(lines.filter((l) => l.startsWith('[member 1] ')).flatMap((l) => l.split('\n')).every((l) => l.startsWith('[member 1] '))).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((t) => /^\[member [12]\] epoch /.test(t))).toBe(true);
    const records = async (run: string, i: number) =>
      (await readFile(join(run, 'member-runs', String(i), 'metrics.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => {
          const { time_s: _t, ...rest } = JSON.parse(l) as EpochRecord;
          return rest;
        });
    for (const i of [0, 1]) expect(await records(sideBySide, i)).toEqual(await records(sequential, i));

    // the result lists the members in member order, whichever trained and whichever was skipped
    await rm(join(sideBySide, 'members', '0'), { recursive: true });
    await rm(join(sideBySide, 'ensemble.json'));
    const resumed = await trainEnsemble(wasm, { ...quiet, resume: sideBySide, workers: 2 });
    expect(resumed.members.map((m) => [m.seed, m.result === null])).toEqual([[7, false], [8, true]]);
  }, 600_000);

  it('stops the other members when one fails, and leaves no run folder when none could start', async () => {
    const out = join(root, 'bad-side-by-side');
    const bad = ensembleOf(2, { ...tinyConfig(), data: { ...tinyConfig().data, dataset: { kind: 'drive', root: join(root, 'no-such-drive') } } });
    await expect(trainEnsemble(bad, { ...quiet, out, workers: 2 })).rejects.toBeInstanceOf(DataError);
    expect(await readdir(root)).not.toContain('bad-side-by-side');
  });
});
