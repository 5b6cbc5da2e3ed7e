// compareRuns' grouping of repeats: runs that differ only in their seed, or
// only in the fold of a k-fold split, are one experiment measured several times;
// two such groups are compared fold by fold.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPARED_METRICS, compareRuns, comparisonTables, loadRuns, type RunResult, type StatedRule } from '../../src/cli/run-comparison.js';
import { parseAdoptionRule } from '../../src/compiler/index.js';
import type { ExperimentConfig } from '../../src/spec/config.js';
import { DEFAULT_EXPERIMENT } from '../../src/spec/defaults.js';

function run(name: string, change: (c: ExperimentConfig) => ExperimentConfig, dice: number): RunResult {
  const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, m === 'val_dice' ? dice : 0.5])) as NonNullable<RunResult['scored']>['metrics'];
  return { name, dir: `/runs/${name}`, config: change(DEFAULT_EXPERIMENT), finished: true, history: [], scored: { epoch: 1, at: 'best', monitor: 'val_dice', metrics } };
}
const fold = (k: number) => (c: ExperimentConfig): ExperimentConfig => ({ ...c, data: { ...c.data, split: { kind: 'kfold', k: 5, fold: k } } });
const recurrence = (r: 'paper' | 'shared') => (c: ExperimentConfig): ExperimentConfig => ({ ...c, model: { ...c.model, recurrence: r } as ExperimentConfig['model'] });
const lr = (value: number) => (c: ExperimentConfig): ExperimentConfig => ({ ...c, train: { ...c.train, optimizer: { ...c.train.optimizer, lr: value } } });

describe('compareRuns repeats', () => {
  it('summarises the folds of a k-fold split as mean ± std, apart from a run that changes a parameter', () => {
    const c = compareRuns([run('f0', fold(0), 0.8), run('f1', fold(1), 0.82), run('f2', fold(2), 0.84), run('other', (x) => lr(5e-4)(fold(0)(x)), 0.7)]);
    expect(c.repeats).toHaveLength(1);
    expect(c.repeats[0].runs).toEqual(['f0', 'f1', 'f2']);
    expect(c.repeats[0].mean.val_dice).toBeCloseTo(0.82, 10);
    expect(c.repeats[0].std.val_dice).toBeCloseTo(0.02, 10);
  });

  it('groups seeds, but not runs whose ratio split differs', () => {
    const seed = (s: number) => (c: ExperimentConfig): ExperimentConfig => ({ ...c, seed: s });
    const ratio = (c: ExperimentConfig): ExperimentConfig => ({ ...c, data: { ...c.data, split: { kind: 'ratio', train: 0.8, val: 0.2 } } });
    const c = compareRuns([run('s1', seed(1), 0.8), run('s2', seed(2), 0.9), run('r', ratio, 0.85)]);
    expect(c.repeats.map((g) => g.runs)).toEqual([['s1', 's2']]);
  });
});

describe('compareRuns paired', () => {
  const family = (r: 'paper' | 'shared', dice: number[]) => dice.map((d, k) => run(`${r}/fold=${k}`, (x) => recurrence(r)(fold(k)(x)), d));

  it('names each group by the parameters its runs share, and compares the groups fold by fold', () => {
    const c = compareRuns([...family('paper', [0.8, 0.75, 0.82]), ...family('shared', [0.81, 0.77, 0.815])]);
    expect(c.repeats.map((g) => g.label)).toEqual(['recurrence=paper', 'recurrence=shared']);
    expect(c.paired).toHaveLength(1);
    const p = c.paired[0];
    expect([p.group, p.against, p.pairs]).toEqual(['recurrence=shared', 'recurrence=paper', 3]);
    expect(p.change.val_dice.mean).toBeCloseTo((0.01 + 0.02 - 0.005) / 3, 10);
    expect([p.change.val_dice.min, p.change.val_dice.max].map((x) => +x.toFixed(10))).toEqual([-0.005, 0.02]);
    expect(p.change.val_dice.better).toBe(2);
    const table = comparisonTables(c).at(-1)!;
    expect(table.headers[0]).toBe('paired against recurrence=paper');
    expect(table.rows.map((r) => r[0])).toEqual(['recurrence=shared', 'range', 'better in']);
    expect(table.rows[2][2]).toBe('2/3');
  });

  it('names a group that changes a preprocessing op by the op, as the spec writes it', () => {
    const clip = (limit: number) => (c: ExperimentConfig): ExperimentConfig => ({
      ...c,
      data: { ...c.data, preprocess: [...c.data.preprocess, { op: 'clahe', tiles: [8, 8], clip: limit }] },
    });
    const c = compareRuns([0, 1].flatMap((k) => [run(`a/fold=${k}`, (x) => clip(2)(fold(k)(x)), 0.8), run(`b/fold=${k}`, (x) => clip(3)(fold(k)(x)), 0.8)]));
    const at = DEFAULT_EXPERIMENT.data.preprocess.length;
    expect(c.params).toEqual([`data.preprocess.${at}`, 'data.split.fold']);
    expect(c.paired[0].group).toBe('clahe(tiles: 8 x 8, clip: 3)');
    expect(comparisonTables(c)[0].headers.slice(0, 3)).toEqual(['run', `preprocess.${at}`, 'fold']);
  });

  it("names a split's own seed apart from the experiment's", () => {
    const splitSeed = (k: number) => (c: ExperimentConfig): ExperimentConfig => ({ ...c, data: { ...c.data, split: { kind: 'kfold', k: 5, fold: k, seed: 7 } } });
    const c = compareRuns([0, 1].flatMap((k) => [run(`a/fold=${k}`, fold(k), 0.8), run(`b/fold=${k}`, splitSeed(k), 0.8)]));
    expect(comparisonTables(c)[0].headers.slice(0, 3)).toEqual(['run', 'split.seed', 'fold']);
  });

  it("takes a split drawn from its own seed as one experiment with the split drawn from the experiment's, and pairs the runs that validate on the same images", () => {
    const seeded = (seed: number, k: number) => (c: ExperimentConfig): ExperimentConfig => ({ ...c, seed, data: { ...c.data, split: { kind: 'kfold', k: 5, fold: k, seed: 42 } } });
    // seed 43 with the split of seed 42 repeats the reference (seed 42, its split drawn from it) on the reference's folds
    const c = compareRuns([run('ref/fold=0', fold(0), 0.8), run('ref/fold=1', fold(1), 0.75), run('s43/fold=0', seeded(43, 0), 0.79), run('s43/fold=1', seeded(43, 1), 0.74)]);
    expect(c.repeats.map((g) => g.runs)).toEqual([['ref/fold=0', 'ref/fold=1', 's43/fold=0', 's43/fold=1']]);
    // a split of its own seed draws other images: not the same fold
    const other = compareRuns([run('ref/fold=0', fold(0), 0.8), run('ref/fold=1', fold(1), 0.75), run('s7/fold=0', (x) => ({ ...seeded(43, 0)(x), data: { ...x.data, split: { kind: 'kfold', k: 5, fold: 0, seed: 7 } } }), 0.79)]);
    expect(other.repeats[0].runs).toHaveLength(3);
  });

  it('names the machines when the runs trained on more than one, and adds no table when on one', () => {
    const on = (machine: string | undefined) => (r: RunResult): RunResult => ({ ...r, machine, backend: 'native (oneDNN)' });
    const c = compareRuns([...family('paper', [0.8, 0.75]).map(on('2 × Intel Xeon')), ...family('shared', [0.81, 0.77]).map(on(undefined))]);
    expect(c.machines).toEqual([
      { machine: '2 × Intel Xeon', backend: 'native (oneDNN)', runs: ['paper/fold=0', 'paper/fold=1'] },
      { machine: null, backend: 'native (oneDNN)', runs: ['shared/fold=0', 'shared/fold=1'] },
    ]);
    expect(comparisonTables(c).at(-1)!.rows).toEqual([
      ['2 × Intel Xeon; native (oneDNN)', 'paper/fold=0, paper/fold=1'],
      ['machine not recorded; native (oneDNN)', 'shared/fold=0, shared/fold=1'],
    ]);
    const one = compareRuns(family('paper', [0.8, 0.75, 0.7]).map(on('2 × AMD EPYC')));
    expect(comparisonTables(one).map((t) => t.headers[0])).toEqual(['run', 'repeats (seeds, folds)']);
  });

  it('names the r2u sources when the runs trained with more than one, and adds no table when with one', () => {
    const from = (source: string | undefined) => (r: RunResult): RunResult => ({ ...r, source });
    const c = compareRuns([...family('paper', [0.8, 0.75]).map(from(undefined)), ...family('shared', [0.81, 0.77]).map((r, i) => from(i === 0 ? 'r2u 0.1.0, commit aaaa' : 'r2u 0.1.0, commit bbbb')(r))]);
    expect(c.sources).toEqual([
      { source: null, runs: ['paper/fold=0', 'paper/fold=1'] },
      { source: 'r2u 0.1.0, commit aaaa', runs: ['shared/fold=0'] },
      { source: 'r2u 0.1.0, commit bbbb', runs: ['shared/fold=1'] },
    ]);
    expect(comparisonTables(c).at(-1)).toEqual({
      headers: ['trained with (r2u sources)', 'runs'],
      rows: [
        ['not recorded', 'paper/fold=0, paper/fold=1'],
        ['r2u 0.1.0, commit aaaa', 'shared/fold=0'],
        ['r2u 0.1.0, commit bbbb', 'shared/fold=1'],
      ],
    });
    const one = compareRuns(family('paper', [0.8, 0.75, 0.7]).map(from('r2u 0.1.0, commit aaaa')));
    expect(comparisonTables(one).map((t) => t.headers[0])).toEqual(['run', 'repeats (seeds, folds)']);
  });

  it("takes the first finished run as the baseline, so a family's stopped trial listed first does not hide the pairs", () => {
    const stopped: RunResult = { ...run('paper/fold=0', (x) => recurrence('paper')(fold(0)(x)), 0), finished: false, scored: undefined };
    const c = compareRuns([stopped, ...family('paper', [0.8, 0.75, 0.82]).slice(1), ...family('shared', [0.81, 0.77, 0.815])]);
    expect(c.baseline).toBe('paper/fold=1');
    expect(c.paired[0].pairs).toBe(2);
  });

  it('pairs only the folds both groups hold, and needs two of them', () => {
    const paper = family('paper', [0.8, 0.75, 0.82]);
    expect(compareRuns([...paper, ...family('shared', [0.81, 0.77])]).paired[0].pairs).toBe(2);
    const one = compareRuns([...paper, ...family('shared', [0.81, 0.77]).slice(1), run('x', (x) => recurrence('shared')(fold(4)(x)), 0.8)]);
    expect(one.paired).toEqual([]);
  });

  it("pairs fold by fold, each side's mean over its seeds there, where the groups hold different seeds on a fold", () => {
    const seeded = (r: 'paper' | 'shared', seed: number, k: number, dice: number) =>
      run(`${r}/fold=${k},seed=${seed}`, (x) => ({ ...recurrence(r)(fold(k)(x)), seed, data: { ...x.data, split: { kind: 'kfold', k: 5, fold: k, seed: 42 } } }), dice);
    // the baseline: three seeds on each of three folds; the candidate: seed 42 alone
    const baseline = [0, 1, 2].flatMap((k) => [42, 43, 44].map((seed, i) => seeded('paper', seed, k, [0.8, 0.75, 0.82][k] - 0.01 * i)));
    const candidate = [0, 1, 2].map((k) => run(`shared/fold=${k}`, (x) => recurrence('shared')(fold(k)(x)), [0.795, 0.745, 0.805][k]));
    const c = compareRuns([...baseline, ...candidate], undefined, { rule: parseAdoptionRule('mean dice above 0, dice better in 3 of 3', '--adopt-if').rule!, from: '--adopt-if' });
    const p = c.paired[0];
    expect([p.pairs, p.by]).toEqual([3, 'fold']);
    // against the means 0.79, 0.74, 0.81 rather than seed 42's 0.8, 0.75, 0.82
    expect(p.change.val_dice.mean).toBeCloseTo((0.005 + 0.005 - 0.005) / 3, 10);
    expect(p.change.val_dice.better).toBe(2);
    // complete with the baseline's three folds (not its nine runs)
    expect([p.verdict!.decision, p.verdict!.reason]).toEqual(['reject', "'dice better in 3 of 3' fails: 2 of 3"]);
    expect(comparisonTables(c).find((t) => t.headers[0].startsWith('paired'))!.headers[0]).toBe("paired against recurrence=paper (fold by fold: each side's mean over its seeds)");
    // the same seeds on both sides still pair run by run
    const same = compareRuns([...baseline, ...[0, 1, 2].flatMap((k) => [42, 43, 44].map((seed) => seeded('shared', seed, k, 0.8)))]);
    expect([same.paired[0].pairs, same.paired[0].by]).toEqual([9, 'run']);
  });

  it('a lower loss is better', () => {
    const lossy = (name: string, k: number, r: 'paper' | 'shared', loss: number): RunResult => {
      const base = run(name, (x) => recurrence(r)(fold(k)(x)), 0.8);
      return { ...base, scored: { ...base.scored!, metrics: { ...base.scored!.metrics, val_loss: loss } } };
    };
    const c = compareRuns([lossy('a0', 0, 'paper', 0.4), lossy('a1', 1, 'paper', 0.4), lossy('b0', 0, 'shared', 0.3), lossy('b1', 1, 'shared', 0.5)]);
    expect(c.paired[0].change.val_loss.better).toBe(1);
  });
});

describe('compareRuns image by image', () => {
  type Images = NonNullable<NonNullable<RunResult['scored']>['images']>;
  const scores = (dice: number) => ({ dice, auc: 0.97, sensitivity: 0.8, specificity: null });
  const withImages = (r: RunResult, images: Images): RunResult => ({ ...r, scored: { ...r.scored!, images } });
  const member = (r: 'paper' | 'shared', k: number, images: Images) => withImages(run(`${r}/fold=${k}`, (x) => recurrence(r)(fold(k)(x)), 0.8), images);

  it("pairs each validation image with the baseline's, fold by fold, sorted by image", () => {
    const c = compareRuns([
      member('paper', 0, { 21: scores(0.8), 3: scores(0.7) }),
      member('paper', 1, { 10: scores(0.6) }),
      member('shared', 0, { 21: scores(0.82), 3: scores(0.69) }),
      member('shared', 1, { 10: scores(0.65) }),
    ]);
    expect(c.images).toHaveLength(1);
    const { group, against, rows } = c.images[0];
    expect([group, against]).toEqual(['recurrence=shared', 'recurrence=paper']);
    expect(rows.map((r) => [r.image, r.pair, r.baseline.dice, +r.change.dice!.toFixed(10)])).toEqual([
      ['3', 'fold=0', 0.7, -0.01],
      ['10', 'fold=1', 0.6, 0.05],
      ['21', 'fold=0', 0.8, 0.02],
    ]);
    // a figure that either run could not score (specificity of an image without background) has no change
    expect(rows[0].change.specificity).toBeNull();
    const table = comparisonTables(c).find((t) => t.headers[0].startsWith('image'))!;
    expect(table.headers[0]).toBe('image (recurrence=shared against recurrence=paper)');
    expect(table.rows[1]).toEqual(['10', 'fold=1', '0.6000', '+0.0500', '0.9700', '+0.0000', '+0.0000', '—']);
  });

  it("compares each image with its mean over the baseline's seeds when pairing fold by fold", () => {
    const seeded = (seed: number, k: number, images: Images) =>
      withImages(run(`paper/fold=${k},seed=${seed}`, (x) => ({ ...recurrence('paper')(fold(k)(x)), seed, data: { ...x.data, split: { kind: 'kfold', k: 5, fold: k, seed: 42 } } }), 0.8), images);
    const c = compareRuns([
      seeded(42, 0, { 21: scores(0.8) }),
      seeded(43, 0, { 21: scores(0.7) }),
      // a record of the first seed that lacks image 11: the image is the second seed's alone
      seeded(42, 1, { 10: scores(0.6) }),
      seeded(43, 1, { 10: scores(0.64), 11: scores(0.5) }),
      member('shared', 0, { 21: scores(0.76) }),
      member('shared', 1, { 10: scores(0.6), 11: scores(0.55) }),
    ]);
    expect(c.images[0].rows.map((r) => [r.image, r.pair, +r.baseline.dice!.toFixed(10), +r.change.dice!.toFixed(10), r.baseline.specificity])).toEqual([
      ['10', 'fold=1', 0.62, -0.02, null],
      ['11', 'fold=1', 0.5, 0.05, null],
      ['21', 'fold=0', 0.75, 0.01, null],
    ]);
  });

  it('leaves out pairs where either run predates the per-image record, and compares two runs directly', () => {
    const c = compareRuns([member('paper', 0, { 21: scores(0.8) }), run('paper/fold=1', (x) => recurrence('paper')(fold(1)(x)), 0.8), member('shared', 0, { 21: scores(0.9) }), member('shared', 1, { 10: scores(0.9) })]);
    expect(c.images[0].rows.map((r) => r.image)).toEqual(['21']);
    expect(compareRuns([run('a', fold(0), 0.8), run('b', lr(5e-4), 0.8)]).images).toEqual([]);
    const two = compareRuns([withImages(run('a', fold(0), 0.8), { 21: scores(0.8) }), withImages(run('b', (x) => lr(5e-4)(fold(0)(x)), 0.8), { 21: scores(0.75) })]);
    expect([two.images[0].group, two.images[0].against, two.images[0].rows[0].change.dice]).toEqual(['b', 'a', expect.closeTo(-0.05, 10)]);
    expect(comparisonTables(two).map((t) => t.headers[0])).toEqual(['', 'image (b against a)']);
  });
});

describe('adoption rule', () => {
  const family = (r: 'paper' | 'shared', dice: number[]) => dice.map((d, k) => run(`${r}/fold=${k}`, (x) => recurrence(r)(fold(k)(x)), d));
  const baseline = family('paper', [0.8, 0.75, 0.82, 0.81, 0.76]);
  const stated = (text: string): StatedRule => ({ rule: parseAdoptionRule(text, '--adopt-if').rule!, from: '--adopt-if' });
  const rule = stated('mean dice above 0, dice better in 4 of 5');
  const verdict = (dice: number[], r = rule) => compareRuns([...baseline, ...family('shared', dice)], undefined, r).paired[0].verdict!;

  it('adopts when every clause holds on all the pairs, and rejects when one fails', () => {
    const adopt = verdict([0.81, 0.76, 0.83, 0.805, 0.77]);
    expect([adopt.decision, adopt.reason]).toEqual(['adopt', 'every clause holds on the 5 pairs']);
    expect(adopt.clauses.map((c) => [c.measured, c.holds])).toEqual([['+0.0070 over 5 pairs', true], ['4 of 5', true]]);
    const reject = verdict([0.81, 0.76, 0.83, 0.79, 0.74]);
    expect(reject.decision).toBe('reject');
    expect(reject.reason).toBe("'mean dice above 0' fails: -0.0020 over 5 pairs");
  });

  it('waits for the missing pairs, and rejects early once a count can no longer hold', () => {
    const waiting = verdict([0.81, 0.76, 0.81]);
    expect([waiting.decision, waiting.reason]).toEqual(['undecided', '3 of 5 pairs in']);
    expect(waiting.clauses.map((c) => c.holds)).toEqual(['so far', 'not so far']);
    const early = verdict([0.79, 0.76, 0.81]);
    expect(early.decision).toBe('reject');
    expect(early.reason).toBe("'dice better in 4 of 5' fails: 1 of 3 (with 3 of 5 pairs in: no later pair can change it)");
    const table = comparisonTables(compareRuns([...baseline, ...family('shared', [0.79, 0.76, 0.81])], undefined, rule)).find((t) => t.headers[0].startsWith('adopt'))!;
    expect(table.headers).toEqual(['adopt recurrence=shared if (--adopt-if)', 'measured', 'holds']);
    expect(table.rows.map((r) => r[2])).toEqual(['not yet', 'no', '']);
    expect(table.rows.at(-1)![0]).toBe('decision: REJECT');
  });

  it('a lower loss is better, and a count over fewer pairs than compared cannot be judged', () => {
    expect(verdict([0.81, 0.76, 0.83, 0.805, 0.77], stated('mean loss below 0')).decision).toBe('reject');
    const small = verdict([0.81, 0.76, 0.83, 0.805, 0.77], stated('dice better in 2 of 3'));
    expect([small.decision, small.reason]).toEqual(['undecided', "'dice better in 2 of 3' counts fewer pairs than the 5 compared"]);
  });

  it("judges by the candidate family's rule, recorded in its sweep.json, unless --adopt-if gives one", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'r2u-adopt-'));
    try {
      // a trial is finished once its done.json is written; `unfinished` trials have epochs but none
      const write = (name: string, recurrenceOf: 'paper' | 'shared', dice: number[], adopt?: string, unfinished: number[] = []) => {
        const dir = path.join(root, name);
        const trials = dice.map((_, k) => ({ alias: `fold=${k}` }));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ trials, ...(adopt && { adopt: parseAdoptionRule(adopt, 'spec').rule }) }));
        dice.forEach((d, k) => {
          const trial = path.join(dir, 'trials', `fold=${k}`);
          mkdirSync(trial, { recursive: true });
          writeFileSync(path.join(trial, 'spec.json'), JSON.stringify(recurrence(recurrenceOf)(fold(k)(DEFAULT_EXPERIMENT))));
          writeFileSync(path.join(trial, 'metrics.jsonl'), JSON.stringify({ epoch: 1, val_loss: 0.3, val_dice: d, val_auc: 0.97 }) + '\n');
          if (!unfinished.includes(k)) writeFileSync(path.join(trial, 'done.json'), '{}');
        });
      };
      write('base', 'paper', [0.8, 0.75]);
      write('cand', 'shared', [0.81, 0.76], 'mean dice above 0, dice better in 2 of 2');
      const runs = await loadRuns([path.join(root, 'base'), path.join(root, 'cand')]);
      const own = compareRuns(runs).paired[0].verdict!;
      expect([own.decision, own.from, own.rule]).toEqual(['adopt', path.join('cand', 'sweep.json'), 'mean dice above 0, dice better in 2 of 2']);
      expect(compareRuns(runs, undefined, stated('mean auc above 0')).paired[0].verdict!.decision).toBe('reject');

      // a trial stopped after its first epoch is shown, but its best so far is no result: no pair, no verdict
      write('stopped', 'shared', [0.7, 0.74], 'dice better in 2 of 2', [0]);
      const partial = compareRuns(await loadRuns([path.join(root, 'base'), path.join(root, 'stopped')]));
      expect(partial.runs.map((r) => [r.name, r.finished])).toEqual([['base/fold=0', true], ['base/fold=1', true], ['stopped/fold=0', false], ['stopped/fold=1', true]]);
      expect(partial.repeats.map((g) => g.runs)).toEqual([['base/fold=0', 'base/fold=1']]);
      expect(partial.paired).toEqual([]);
      expect(comparisonTables(partial)[0].rows.map((r) => r[0])).toEqual(['base/fold=0 (baseline)', 'base/fold=1', 'stopped/fold=0 (unfinished)', 'stopped/fold=1']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('loadRuns', () => {
  it('names trials family/alias when two families hold the same aliases', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'r2u-compare-'));
    try {
      for (const name of ['kfold-a', 'kfold-b']) {
        const dir = path.join(root, name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ trials: [{ alias: 'fold=0' }, { alias: 'fold=1' }] }));
        for (const alias of ['fold=0', 'fold=1']) {
          const trial = path.join(dir, 'trials', alias);
          mkdirSync(trial, { recursive: true });
          writeFileSync(path.join(trial, 'spec.json'), JSON.stringify(DEFAULT_EXPERIMENT));
          writeFileSync(path.join(trial, 'metrics.jsonl'), JSON.stringify({ epoch: 1, val_loss: 0.3, val_dice: 0.8 }) + '\n');
        }
      }
      const one = await loadRuns([path.join(root, 'kfold-a')]);
      expect(one.map((r) => r.name)).toEqual(['fold=0', 'fold=1']);
      const both = await loadRuns([path.join(root, 'kfold-a'), path.join(root, 'kfold-b')]);
      expect(both.map((r) => r.name)).toEqual(['kfold-a/fold=0', 'kfold-a/fold=1', 'kfold-b/fold=0', 'kfold-b/fold=1']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('scores each run at its model\'s epoch (the best by its monitor, or the last under keep_last or early_stop off), or at its best or last as asked, and the tables say which', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'r2u-at-'));
    try {
      const early = { ...DEFAULT_EXPERIMENT, train: { ...DEFAULT_EXPERIMENT.train, early_stop: { monitor: 'val_dice' as const, patience: 5 } } };
      writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(early));
      const epochs = [0.78, 0.81, 0.79].map((d, i) => JSON.stringify({ epoch: i + 1, val_loss: 0.4 - i / 100, val_dice: d, val_images: { 21: { dice: d } } }));
      writeFileSync(path.join(dir, 'metrics.jsonl'), epochs.join('\n') + '\n');
      const [best] = await loadRuns([dir]);
      const [last] = await loadRuns([dir], 'last');
      expect([best.scored!.epoch, best.scored!.metrics.val_dice, best.scored!.at]).toEqual([2, 0.81, 'best']);
      expect(best.scored!.images).toEqual({ 21: { dice: 0.81 } });
      expect(comparisonTables(compareRuns([last, best]))[1].rows).toEqual([["21", "seed=42", "0.7900", "+0.0200", "—", "—", "—", "—"]]);
      expect(best.history.every((h) => !('val_images' in h))).toBe(true);
      expect([last.scored!.epoch, last.scored!.metrics.val_dice, last.scored!.at]).toEqual([3, 0.79, 'last']);
      const table = comparisonTables(compareRuns([last, { ...last, name: 'again' }]))[0];
      expect(table.rows[0]).toEqual(['last epoch', '3', '3', '']);

      // the model's epoch, by default: the last one where the spec keeps it, the best otherwise
      for (const [early_stop, epoch, at] of [[{ ...early.train.early_stop, restore_best: false }, 3, 'last'], [null, 3, 'last'], [{ ...early.train.early_stop, restore_best: true }, 2, 'best']] as const) {
        writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ ...early, train: { ...early.train, early_stop } }));
        const [model] = await loadRuns([dir]);
        expect([model.scored!.epoch, model.scored!.at]).toEqual([epoch, at]);
        expect((await loadRuns([dir], 'best'))[0].scored!.epoch).toBe(early_stop === null ? 3 : 2); // no early stopping: the best by the validation loss
      }
      const kept = (await loadRuns([dir]))[0];
      writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ ...early, train: { ...early.train, early_stop: { ...early.train.early_stop, restore_best: false } } }));
      const [keptLast] = await loadRuns([dir]);
      expect(compareRuns([kept, { ...keptLast, name: 'kept-last' }]).at).toBe('model');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadRuns: scored at heldout', () => {
  // three validation images over three epochs; each image is scored at the epoch the other two like best
  const images = (dice: [number, number, number]) => Object.fromEntries(['21', '22', '23'].map((id, i) => [id, { dice: dice[i], auc: 0.9 + dice[i] / 10, accuracy: 0.95, sensitivity: 0.8, specificity: 0.97 }]));
  const epochs = [
    { epoch: 1, val_loss: 0.5, val_dice: 0.7, val_images: images([0.7, 0.7, 0.7]) },
    { epoch: 2, val_loss: 0.4, val_dice: 0.79, val_images: images([0.9, 0.72, 0.75]) },
    { epoch: 3, val_loss: 0.3, val_dice: 0.7833, val_images: images([0.8, 0.8, 0.75]) },
  ];
  const withRun = async (lines: object[], test: (dir: string) => Promise<void>, spec: object = fold(0)(DEFAULT_EXPERIMENT)) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'r2u-heldout-'));
    try {
      writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
      writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      await test(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('scores each image at the epoch its run\'s other images choose by Dice, and the run as the mean of its images', () =>
    withRun(epochs, async (dir) => {
      const [run] = await loadRuns([dir], 'heldout');
      // 21 is scored where 22 and 23 peak (epoch 3: 0.775), 22 where 21 and 23 do (epoch 2: 0.825), 23 where 21 and 22 do (epoch 2: 0.81)
      expect(run.scored!.epochs).toEqual({ 21: 3, 22: 2, 23: 2 });
      expect([run.scored!.epoch, run.scored!.at]).toEqual([null, 'heldout']);
      expect(run.scored!.metrics.val_dice).toBeCloseTo((0.8 + 0.72 + 0.75) / 3, 12);
      expect(run.scored!.metrics.val_auc).toBeCloseTo(0.9 + (0.8 + 0.72 + 0.75) / 30, 12);
      expect(run.scored!.metrics.val_accuracy).toBeCloseTo(0.95, 12);
      expect(run.scored!.metrics.val_loss).toBeNaN(); // the loss is not recorded per image
      expect(run.scored!.images!['22'].dice).toBe(0.72);
      const table = comparisonTables(compareRuns([run, { ...run, name: 'again' }]))[0];
      expect(table.rows.find((r) => r[0] === 'heldout epochs')).toEqual(['heldout epochs', '3/2/2', '3/2/2', '']);
    }));

  it('refuses runs that did not record every epoch\'s images, or validated one, naming the run', async () => {
    await withRun([{ epoch: 1, val_loss: 0.5, val_dice: 0.7 }], async (dir) => {
      await expect(loadRuns([dir], 'heldout')).rejects.toThrow(`${path.join(dir, 'metrics.jsonl')}: --at heldout scores each validation image at the epoch the others choose, and this run did not record every epoch’s per-image scores`);
    });
    await withRun([{ epoch: 1, val_dice: 0.7, val_images: { 21: { dice: 0.7 } } }], async (dir) => {
      await expect(loadRuns([dir], 'heldout')).rejects.toThrow(/this run validated one image/);
    });
  });

  it("is the default when the family's rule says 'scored at heldout', and the rule decides nothing on runs scored at another epoch", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'r2u-heldout-rule-'));
    try {
      const write = (name: string, r: 'paper' | 'shared', shift: number, adopt?: string) => {
        const dir = path.join(root, name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ trials: [0, 1].map((k) => ({ alias: `fold=${k}` })), ...(adopt && { adopt: parseAdoptionRule(adopt, 'spec').rule }) }));
        for (const k of [0, 1]) {
          const trial = path.join(dir, 'trials', `fold=${k}`);
          mkdirSync(trial, { recursive: true });
          writeFileSync(path.join(trial, 'spec.json'), JSON.stringify(recurrence(r)(fold(k)(DEFAULT_EXPERIMENT))));
          // the candidate's best epoch is better than the baseline's, and worse on the images that did not choose it
          const lines = shift > 0 ? [epochs[0], { ...epochs[1], val_images: images([0.99, 0.6, 0.6]), val_dice: 0.73 }, { ...epochs[2], val_dice: 0.95, val_images: images([0.6, 0.99, 0.6]) }] : epochs;
          writeFileSync(path.join(trial, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
          writeFileSync(path.join(trial, 'done.json'), '{}');
        }
      };
      write('base', 'paper', 0);
      write('cand', 'shared', 1, 'scored at heldout, mean dice above 0, dice better in 2 of 2');
      const families = [path.join(root, 'base'), path.join(root, 'cand')];
      const heldout = compareRuns(await loadRuns(families));
      expect(heldout.at).toBe('heldout');
      expect(heldout.paired[0].verdict!.decision).toBe('reject');
      expect(heldout.paired[0].verdict!.clauses[0]).toEqual({ text: 'scored at heldout', measured: 'scored at heldout', holds: true });
      const atBest = compareRuns(await loadRuns(families, 'best'), undefined);
      expect(atBest.paired[0].change.val_dice.mean).toBeGreaterThan(0);
      expect([atBest.paired[0].verdict!.decision, atBest.paired[0].verdict!.reason]).toEqual([
        'undecided',
        'the rule scores each run at heldout, and these runs are scored at best (r2u compare --at heldout, its default for this rule)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('loadRuns: an ensemble folder', () => {
  it('is scored by the validation report r2u eval saved in it, named by its members, and paired fold by fold with the runs', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'r2u-compare-ens-'));
    try {
      const seeded = (k: number, seed: number) => ({ ...fold(k)(DEFAULT_EXPERIMENT), seed });
      const image = (dice: number) => ({ accuracy: 0.95, sensitivity: 0.8, specificity: 0.97, precision: 0.8, dice, auc: 0.97 });
      for (const k of [0, 1]) {
        const run = path.join(root, `fold=${k}`);
        mkdirSync(run, { recursive: true });
        writeFileSync(path.join(run, 'spec.json'), JSON.stringify(seeded(k, 42)));
        writeFileSync(path.join(run, 'metrics.jsonl'), JSON.stringify({ epoch: 1, val_loss: 0.3, val_dice: 0.8 - k / 10, val_auc: 0.97, val_images: { [`2${k}`]: image(0.8 - k / 10) } }) + '\n');
        const ens = path.join(root, `ens-${k}`);
        for (const [i, seed] of [42, 43].entries()) {
          mkdirSync(path.join(ens, 'members', String(i)), { recursive: true });
          writeFileSync(path.join(ens, 'members', String(i), 'spec.json'), JSON.stringify(seeded(k, seed)));
        }
        writeFileSync(path.join(ens, 'spec.json'), JSON.stringify(seeded(k, 42)));
        writeFileSync(path.join(ens, 'ensemble.json'), JSON.stringify({ members: ['members/0', 'members/1'], sources: ['a', 'b'] }));
      }
      const paths = [0, 1].map((k) => path.join(root, `fold=${k}`)).concat([0, 1].map((k) => path.join(root, `ens-${k}`)));
      await expect(loadRuns(paths)).rejects.toThrow(`${path.join(root, 'ens-0')}: an ensemble is compared by its score on its members' validation images (validation.json), and it has none`);
      for (const k of [0, 1]) {
        // a figure a record cannot have is null, as JSON writes NaN
        const record = { val_loss: k === 0 ? 0.3 : null, val_accuracy: 0.95, val_sensitivity: 0.8, val_specificity: 0.97, val_precision: 0.8, val_dice: 0.81 - k / 10, val_auc: 0.97 };
        writeFileSync(path.join(root, `ens-${k}`, 'validation.json'), JSON.stringify({ ...record, val_images: { [`2${k}`]: { ...image(0.81 - k / 10), sensitivity: null } } }));
      }
      const runs = await loadRuns(paths);
      expect(runs.map((r) => [r.name, r.ensemble, r.scored?.epoch])).toEqual([['fold=0', undefined, 1], ['fold=1', undefined, 1], ['ens-0', '2 seeds', null], ['ens-1', '2 seeds', null]]);
      const c = compareRuns(runs);
      expect(c.params).toEqual(['ensemble', 'data.split.fold']);
      expect(c.repeats.map((g) => g.label)).toEqual(['ensemble=—', 'ensemble=2 seeds']);
      expect([c.paired[0].group, c.paired[0].pairs, c.paired[0].change.val_dice.better]).toEqual(['ensemble=2 seeds', 2, 2]);
      expect(c.paired[0].change.val_dice.mean).toBeCloseTo(0.01, 10);
      const tables = comparisonTables(c);
      // an ensemble has no epoch; a figure its record lacks is —, in its row and in the pairs' mean
      expect(tables[0].rows[2].slice(0, 4)).toEqual(['ens-0', '2 seeds', '0', '—']);
      expect([tables[0].rows[2].at(-2), tables[0].rows[3].at(-2)]).toEqual(['0.3000', '—']);
      expect(tables[2].rows[0].at(-1)).toBe('—');
      expect(tables.at(-1)!.rows.map((r) => [r[0], r[1], r[3], r[6]])).toEqual([['20', 'fold=0', '+0.0100', '—'], ['21', 'fold=1', '+0.0100', '—']]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
