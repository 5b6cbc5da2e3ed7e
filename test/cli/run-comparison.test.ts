// compareRuns' grouping of repeats: runs that differ only in their seed, or
// only in the fold of a k-fold split, are one experiment measured several times.
import { describe, expect, it } from 'vitest';
import { COMPARED_METRICS, compareRuns, type RunResult } from '../../src/cli/run-comparison.js';
import type { ExperimentConfig } from '../../src/spec/config.js';
import { DEFAULT_EXPERIMENT } from '../../src/spec/defaults.js';

function run(name: string, change: (c: ExperimentConfig) => ExperimentConfig, dice: number): RunResult {
  const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, m === 'val_dice' ? dice : 0.5])) as NonNullable<RunResult['best']>['metrics'];
  return { name, dir: `/runs/${name}`, config: change(DEFAULT_EXPERIMENT), history: [], best: { epoch: 1, monitor: 'val_dice', metrics } };
}
const fold = (k: number) => (c: ExperimentConfig): ExperimentConfig => ({ ...c, data: { ...c.data, split: { kind: 'kfold', k: 5, fold: k } } });
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
