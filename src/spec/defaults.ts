// Defaults of every field of the resolved experiment. A spec states only what
// differs from these; `r2u check --print` shows the result.
import type { EarlyStopConfig, ExperimentConfig, LossConfig, OptimizerConfig, ScheduleConfig } from './config.js';

export const DEFAULT_EXPERIMENT: ExperimentConfig = {
  name: 'experiment',
  seed: 42,
  data: {
    dataset: { kind: 'synthetic', count: 20, size: [256, 256], seed: 1 },
    preprocess: [],
    patches: { size: [48, 48], per_epoch: 10000, vessel_fraction: 0 },
    split: { kind: 'ratio', train: 0.9, val: 0.1 },
    augment: {
      flip_horizontal: false,
      flip_vertical: false,
      rotate90: false,
      rotate: 0,
      brightness: 0,
      contrast: 0,
      gamma: 0,
      elastic: { alpha: 0, sigma: 4 },
    },
  },
  model: {
    arch: 'r2unet',
    depth: 3,
    filters: 16,
    t: 2,
    upsample: 'transpose',
    recurrence: 'paper',
    init: 'pytorch',
    norm: 'none',
    dropout: 0,
  },
  train: {
    loss: { kind: 'bce' },
    optimizer: { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    schedule: { kind: 'constant' },
    batch: 32,
    epochs: 10,
    early_stop: null,
    clip_grad: 0,
    ema: 0,
    metrics: ['accuracy', 'sensitivity', 'specificity', 'dice', 'auc'],
  },
  eval: { threshold: 0.5, mode: 'full_image', stride: [16, 16], min_component: 0, fill_holes: 0, scale: 'fov', tta: 'none' },
  runtime: { backend: 'auto', workers: 0 },
};

/** Defaults of each variant's parameters, used when a spec switches variant (`loss focal`). */
export const LOSS_DEFAULTS: { [K in LossConfig['kind']]: Extract<LossConfig, { kind: K }> } = {
  bce: { kind: 'bce' },
  weighted_bce: { kind: 'weighted_bce', pos_weight: 5 },
  dice: { kind: 'dice', smooth: 1 },
  bce_dice: { kind: 'bce_dice', dice_weight: 1, smooth: 1 },
  focal: { kind: 'focal', gamma: 2, alpha: 0.25 },
};

export const OPTIMIZER_DEFAULTS: { [K in OptimizerConfig['kind']]: Extract<OptimizerConfig, { kind: K }> } = {
  adam: { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  adamw: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 1e-2 },
  sgd: { kind: 'sgd', lr: 1e-2, momentum: 0.9, nesterov: false },
};

export const SCHEDULE_DEFAULTS: { [K in ScheduleConfig['kind']]: Extract<ScheduleConfig, { kind: K }> } = {
  constant: { kind: 'constant' },
  step: { kind: 'step', every: 10, factor: 0.5 },
  cosine: { kind: 'cosine', min_lr: 0, warmup: 0 },
  plateau: { kind: 'plateau', factor: 0.5, patience: 2, min_lr: 1e-6 },
};

/** What `early_stop <monitor>` (or `--set train.early_stop=<monitor>`) starts from when it was off. */
export const EARLY_STOP_DEFAULTS: EarlyStopConfig = { monitor: 'val_loss', patience: 5, restore_best: true };

/**
 * A resolved spec saved before fields were added (a checkpoint's or a run's
 * spec.json) completed with those fields' defaults: eval.scale and eval.tta,
 * model.init, train.ema. Their defaults are what such runs did.
 */
export function withNewerDefaults(saved: ExperimentConfig): ExperimentConfig {
  const ds = saved.data.dataset;
  // `test: N` came to stare and chase_db1 after their first checkpoints
  const dataset = (ds.kind === 'stare' || ds.kind === 'chase_db1') && ds.test === undefined ? { ...ds, test: 0 } : ds;
  return {
    ...saved,
    data: { ...saved.data, dataset },
    model: { ...saved.model, init: saved.model.init ?? DEFAULT_EXPERIMENT.model.init },
    train: { ...saved.train, ema: saved.train.ema ?? DEFAULT_EXPERIMENT.train.ema },
    eval: { ...DEFAULT_EXPERIMENT.eval, ...saved.eval },
  };
}
