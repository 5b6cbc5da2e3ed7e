// The names of what r2u writes into a run folder, and into an ensemble's: the
// runtime writes them and the command line reads them. They live here, in the
// neutral layer, because the bundled front-end commands (`r2u diff` and `r2u
// compare` of run folders) read run folders without loading the runtime.
//
// The layouts themselves are drawn in ARCHITECTURE.md (the run folder, an
// ensemble's model folder).
import type { ExperimentConfig } from './config.js';

export const RUN_FILES = {
  spec: 'spec.json',
  run: 'run.json',
  backend: 'backend.json',
  preprocess: 'preprocess.json',
  metrics: 'metrics.jsonl',
  last: 'checkpoints/last',
  best: 'checkpoints/best',
  curvesSvg: 'curves.svg',
  curvesPng: 'curves.png',
  panels: 'panels',
} as const;

/**
 * Which of a run's checkpoints is its model, as its spec says: the best epoch
 * by the monitor where early stopping restores the best weights (the
 * default), the last where it says `keep_last` or `early_stop off` (the default). eval,
 * predict, ensembles, the page and compare all take a run folder's model from here.
 */
export const modelEpoch = (config: Pick<ExperimentConfig, 'train'>): 'best' | 'last' => (config.train.early_stop != null && config.train.early_stop.restore_best !== false ? 'best' : 'last');

/** An ensemble's folder (`r2u ensemble`, or a run of an experiment with `train { ensemble N }`). */
export const ENSEMBLE_FILES = {
  /** the members' folders and where each came from; its presence makes a folder an ensemble */
  manifest: 'ensemble.json',
  /** members/<i>/: each member's model (its run's kept checkpoint: modelEpoch) */
  members: 'members',
  /** member-runs/<i>/: each member's whole run, where the run trained its members itself */
  memberRuns: 'member-runs',
  /** the ensemble scored on its members' validation images as training scores an epoch (one metrics.jsonl record without the epoch's training figures) */
  validation: 'validation.json',
} as const;

/** The report `r2u eval` writes into a run folder, without its .json or .csv: `eval-val`, `eval-test`, `eval-chase_db1-test`. */
export const evalReportName = (split: 'val' | 'test' | 'all', datasetKind?: string): string =>
  datasetKind === undefined ? `eval-${split}` : `eval-${datasetKind}${split === 'test' ? '-test' : ''}`;
