// Tracking of the monitored validation quantity: which epoch is best (for the
// `best` checkpoint and best-weights restore) and when patience runs out.
import type { ExperimentConfig, Monitor } from '../../spec/config.js';
import type { EpochRecord } from './epoch-record.js';

export interface MonitorState {
  monitor: Monitor;
  /** best value so far (null before the first epoch) */
  best: number | null;
  bestEpoch: number;
  /** epochs since the last improvement */
  wait: number;
}

/** The monitor that picks the best checkpoint: early stopping's, else the validation loss. */
export const monitorOf = (c: ExperimentConfig): Monitor => c.train.early_stop?.monitor ?? 'val_loss';

export const lowerIsBetter = (m: Monitor): boolean => m === 'val_loss';

export function initialMonitorState(monitor: Monitor): MonitorState {
  return { monitor, best: null, bestEpoch: 0, wait: 0 };
}

/**
 * Folds one epoch into the state. A NaN value never counts as an improvement.
 * `stop` is true once `patience` epochs passed without improvement (null
 * patience: never).
 */
export function updateMonitor(s: MonitorState, record: EpochRecord, patience: number | null): { state: MonitorState; improved: boolean; stop: boolean } {
  const value = record[s.monitor];
  const improved = !Number.isNaN(value) && (s.best === null || (lowerIsBetter(s.monitor) ? value < s.best : value > s.best));
  const state: MonitorState = improved
    ? { monitor: s.monitor, best: value, bestEpoch: record.epoch, wait: 0 }
    : { ...s, wait: s.wait + 1 };
  return { state, improved, stop: patience !== null && state.wait >= patience };
}
