import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { EpochRecord } from '../../../src/runtime/train/epoch-record.js';
import { learningRate, PlateauSchedule, RunRate } from '../../../src/runtime/train/schedule.js';

describe('learning-rate schedules', () => {
  it('constant', () => {
    expect(learningRate({ kind: 'constant' }, 0.01, 7, 3, 10, 20)).toBe(0.01);
  });

  it('step decays by factor every `every` epochs', () => {
    const cfg = { kind: 'step', every: 10, factor: 0.5 } as const;
    expect(learningRate(cfg, 0.1, 9, 99, 100, 50)).toBeCloseTo(0.1, 12);
    expect(learningRate(cfg, 0.1, 10, 0, 100, 50)).toBeCloseTo(0.05, 12);
    expect(learningRate(cfg, 0.1, 25, 0, 100, 50)).toBeCloseTo(0.025, 12);
  });

  it('cosine without warmup: half-way is the mean of lr and min_lr, the end is min_lr', () => {
    const cfg = { kind: 'cosine', min_lr: 0.001, warmup: 0 } as const;
    expect(learningRate(cfg, 0.1, 0, 0, 10, 10)).toBeCloseTo(0.1, 12);
    expect(learningRate(cfg, 0.1, 5, 0, 10, 10)).toBeCloseTo(0.0505, 12);
    expect(learningRate(cfg, 0.1, 2, 5, 10, 10)).toBeCloseTo(0.001 + 0.0495 * (1 + Math.cos(Math.PI * 0.25)), 12);
    expect(learningRate(cfg, 0.1, 10, 0, 10, 10)).toBeCloseTo(0.001, 12);
  });

  it('cosine warmup ramps linearly per step up to lr', () => {
    const cfg = { kind: 'cosine', min_lr: 0, warmup: 2 } as const;
    expect(learningRate(cfg, 1, 0, 0, 10, 12)).toBeCloseTo(0.05, 12);
    expect(learningRate(cfg, 1, 1, 0, 10, 12)).toBeCloseTo(0.55, 12);
    expect(learningRate(cfg, 1, 1, 9, 10, 12)).toBeCloseTo(1, 12);
    expect(learningRate(cfg, 1, 2, 0, 10, 12)).toBeCloseTo(1, 12);
    expect(learningRate(cfg, 1, 7, 0, 10, 12)).toBeCloseTo(0.5, 12);
  });

  it('plateau reduces after `patience` epochs without improvement, not below min_lr', () => {
    const s = new PlateauSchedule({ kind: 'plateau', factor: 0.5, patience: 2, min_lr: 0.02 }, 0.1, 'min');
    expect(s.update(1)).toBe(0.1);
    expect(s.update(0.9)).toBe(0.1);
    expect(s.update(0.95)).toBe(0.1);
    expect(s.update(0.95)).toBeCloseTo(0.05, 12);
    expect(s.update(0.99)).toBeCloseTo(0.05, 12);
    expect(s.update(0.99)).toBeCloseTo(0.025, 12);
    expect(s.update(0.99)).toBeCloseTo(0.025, 12);
    expect(s.update(0.99)).toBeCloseTo(0.02, 12);
    const restored = new PlateauSchedule({ kind: 'plateau', factor: 0.5, patience: 2, min_lr: 0.02 }, 0.1, 'min');
    restored.setState(s.getState());
    expect(restored.getState()).toEqual(s.getState());
  });

  it('plateau in max mode treats increases as improvements', () => {
    const s = new PlateauSchedule({ kind: 'plateau', factor: 0.1, patience: 1, min_lr: 0 }, 1, 'max');
    expect(s.update(0.5)).toBe(1);
    expect(s.update(0.6)).toBe(1);
    expect(s.update(0.55)).toBeCloseTo(0.1, 12);
  });
});

describe('the rate through a run', () => {
  const train = (schedule: (typeof DEFAULT_EXPERIMENT)['train']['schedule']) => ({ ...DEFAULT_EXPERIMENT.train, epochs: 10, schedule, optimizer: { ...DEFAULT_EXPERIMENT.train.optimizer, lr: 0.1 } });
  const epoch = (val_loss: number) => ({ val_loss }) as EpochRecord;

  it('counts epochs from 1 for the position schedules', () => {
    const cfg = { kind: 'step', every: 2, factor: 0.5 } as const;
    const rate = new RunRate(train(cfg), 'val_loss', 4);
    expect(rate.at(3, 1)).toBe(learningRate(cfg, 0.1, 2, 1, 4, 10));
    expect(rate.state()).toBeNull();
  });

  it('a plateau restored from its JSON state goes on as if it had never stopped', () => {
    const cfg = { kind: 'plateau', factor: 0.5, patience: 1, min_lr: 0 } as const;
    const straight = new RunRate(train(cfg), 'val_loss', 4);
    const resumed = new RunRate(train(cfg), 'val_loss', 4);
    // saved before any epoch improved: the best is still Infinity, which JSON writes as null
    resumed.restore(JSON.parse(JSON.stringify(straight.state())));
    for (const v of [0.5, 0.6, 0.4, 0.45]) {
      straight.afterEpoch(epoch(v));
      resumed.afterEpoch(epoch(v));
      expect(resumed.at(1, 0)).toBe(straight.at(1, 0));
    }
    expect(straight.at(1, 0)).toBe(0.025);
  });
});
