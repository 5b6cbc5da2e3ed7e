// Learning-rate schedules. `learningRate` is a pure function of the position
// in training; `plateau` depends on the monitored validation value, so it is a
// small stateful class fed once per epoch; RunRate is the two as one run sees them.
import type { Monitor, ScheduleConfig, TrainConfig } from '../../spec/config.js';
import { lowerIsBetter } from './early-stop.js';
import type { EpochRecord } from './epoch-record.js';

/**
 * Learning rate at step `step` (0-based) of epoch `epoch` (0-based) for base
 * rate `baseLr`; `epochs` is the planned length (cosine decays to its end).
 * For `plateau` this returns `baseLr`; use PlateauSchedule.
 */
export function learningRate(
  cfg: ScheduleConfig,
  baseLr: number,
  epoch: number,
  step: number,
  stepsPerEpoch: number,
  epochs: number,
): number {
  switch (cfg.kind) {
    case 'constant':
    case 'plateau':
      return baseLr;
    case 'step':
      return baseLr * cfg.factor ** Math.floor(epoch / cfg.every);
    case 'cosine': {
      // fractional epochs so the rate changes smoothly within an epoch
      const t = epoch + step / Math.max(1, stepsPerEpoch);
      if (t < cfg.warmup) return (baseLr * (t + 1 / Math.max(1, stepsPerEpoch))) / cfg.warmup;
      const span = Math.max(1e-12, epochs - cfg.warmup);
      const progress = Math.min(1, (t - cfg.warmup) / span);
      return cfg.min_lr + 0.5 * (baseLr - cfg.min_lr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/** Reduce-on-plateau (Keras semantics): after `patience` consecutive epochs without improvement, multiply the rate by `factor` (not below `min_lr`) and start counting again. */
export class PlateauSchedule {
  private best: number;
  private waited = 0;
  lr: number;

  constructor(
    private readonly cfg: Extract<ScheduleConfig, { kind: 'plateau' }>,
    baseLr: number,
    /** 'min' for losses, 'max' for dice/AUC/accuracy-like monitors */
    private readonly mode: 'min' | 'max',
  ) {
    this.lr = baseLr;
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Feeds the monitored value at the end of an epoch; returns the rate for the next epoch. */
  update(value: number): number {
    const improved = this.mode === 'min' ? value < this.best : value > this.best;
    if (improved) {
      this.best = value;
      this.waited = 0;
    } else if (++this.waited >= this.cfg.patience) {
      this.lr = Math.max(this.cfg.min_lr, this.lr * this.cfg.factor);
      this.waited = 0;
    }
    return this.lr;
  }

  getState(): { lr: number; best: number; waited: number } {
    return { lr: this.lr, best: this.best, waited: this.waited };
  }

  setState(s: { lr: number; best: number; waited: number }): void {
    this.lr = s.lr;
    this.best = s.best;
    this.waited = s.waited;
  }
}

/**
 * The learning rate through one run: `learningRate` for the schedules that
 * depend only on the position, the PlateauSchedule's state for `plateau`.
 */
export class RunRate {
  private readonly plateau: PlateauSchedule | null;

  constructor(
    private readonly train: TrainConfig,
    /** the monitored value that `plateau` watches */
    private readonly monitor: Monitor,
    private readonly stepsPerEpoch: number,
  ) {
    const s = train.schedule;
    this.plateau = s.kind === 'plateau' ? new PlateauSchedule(s, train.optimizer.lr, lowerIsBetter(monitor) ? 'min' : 'max') : null;
  }

  /** the rate at step `step` (0-based) of epoch `epoch` (1-based); `step` = stepsPerEpoch is where the next epoch starts */
  at(epoch: number, step: number): number {
    if (this.plateau !== null) return this.plateau.lr;
    return learningRate(this.train.schedule, this.train.optimizer.lr, epoch - 1, step, this.stepsPerEpoch, this.train.epochs);
  }

  /** Feeds a finished epoch (only `plateau` listens). */
  afterEpoch(record: EpochRecord): void {
    this.plateau?.update(record[this.monitor]);
  }

  /** what a checkpoint keeps of the schedule (null: it has no state) */
  state(): { lr: number; best: number; waited: number } | null {
    return this.plateau?.getState() ?? null;
  }

  /** Restores `state()` from a checkpoint. */
  restore(saved: unknown): void {
    if (this.plateau === null) return;
    // JSON turns the initial ±Infinity best into null
    const s = saved as { lr: number; best: number | null; waited: number };
    this.plateau.setState({ ...s, best: s.best ?? (lowerIsBetter(this.monitor) ? Infinity : -Infinity) });
  }
}
