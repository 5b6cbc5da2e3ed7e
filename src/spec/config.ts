// The resolved experiment configuration: what a `.r2u` spec means after
// `extends`, defaults and `--set` overrides have been applied and validated.
// This type is the contract between the compiler (which produces it), the
// generated trainer modules (which embed it `as const satisfies
// ExperimentConfig`) and the runtime (which executes it).
//
// Field names are the spec's own keywords, so a config path such as
// `train.optimizer.lr` is also the `--set` path and the `r2u diff` path.
// What each field means is stated once: per field in field-docs.ts, per value
// of an enumeration in vocabulary.ts, per statement in the statement table.

import type { Architecture, BackendName, GrayscaleMode, InferenceMode, Init, InferenceScale, Metric, Monitor, Norm, NormalizeMode, Recurrence, TtaMode, Upsample } from './vocabulary.js';

export type { Architecture, BackendName, Metric, Monitor } from './vocabulary.js';

export type Dims = readonly [height: number, width: number];

// ---------------------------------------------------------------- data

export type DatasetConfig =
  | { readonly kind: 'drive'; readonly root: string }
  | { readonly kind: 'stare'; readonly root: string; readonly test: number }
  | { readonly kind: 'chase_db1'; readonly root: string; readonly test: number }
  | {
      readonly kind: 'synthetic';
      readonly count: number;
      readonly size: Dims;
      readonly seed: number;
    };

/**
 * More training images from another labelled dataset (its training subset),
 * resampled to the FOV diameter of the main dataset's images: never validated
 * on, so the split and its validation images are the main dataset's alone.
 */
export type ExtraTrainingConfig = Exclude<DatasetConfig, { readonly kind: 'synthetic' }>;

export type PreprocessOp =
  | { readonly op: 'crop'; readonly mode: 'center'; readonly size: Dims }
  | { readonly op: 'crop'; readonly mode: 'box'; readonly x: number; readonly y: number; readonly size: Dims }
  | { readonly op: 'grayscale'; readonly mode: GrayscaleMode }
  | { readonly op: 'normalize'; readonly mode: NormalizeMode }
  | { readonly op: 'clahe'; readonly tiles: Dims; readonly clip: number }
  | { readonly op: 'gamma'; readonly value: number }
  | { readonly op: 'resize'; readonly size: Dims }
  | { readonly op: 'pad'; readonly multiple: number };

export interface PatchConfig {
  readonly size: Dims;
  readonly per_epoch: number;
  readonly vessel_fraction: number;
  /** the share of patches from `extra_training`'s images; absent: each training image drawn alike (optional: no hash changes) */
  readonly extra_share?: number;
  /** extra_training's images are drawn in epochs 1..N only; absent: in every epoch */
  readonly extra_epochs?: number;
  /** the vessel pixels within N steps of background in extra_training's labels are left out of the loss; absent: every pixel scored */
  readonly extra_ignore_edge?: number;
}

/** The patch fields that concern `extra_training`'s images: meaningless without them (the validator and the sampler refuse them alone). */
export const EXTRA_PATCH_FIELDS = ['extra_share', 'extra_epochs', 'extra_ignore_edge'] as const satisfies ReadonlyArray<keyof PatchConfig>;

export type SplitConfig =
  /** `seed`: the split's own seed; absent, the split is drawn from the experiment's */
  | { readonly kind: 'ratio'; readonly train: number; readonly val: number; readonly seed?: number }
  | { readonly kind: 'kfold'; readonly k: number; readonly fold: number; readonly seed?: number }
  | { readonly kind: 'list'; readonly val: readonly string[] };

export interface AugmentConfig {
  readonly flip_horizontal: boolean;
  readonly flip_vertical: boolean;
  readonly rotate90: boolean;
  readonly rotate: number;
  readonly brightness: number;
  readonly contrast: number;
  readonly gamma: number;
  readonly elastic: { readonly alpha: number; readonly sigma: number };
}

export interface DataConfig {
  readonly dataset: DatasetConfig;
  /** absent: the main dataset alone (optional, so that experiments without it keep their content hash) */
  readonly extra_training?: ExtraTrainingConfig;
  /** extra_training's images are resampled to this multiple of the main dataset's FOV diameter; absent: 1 */
  readonly extra_scale?: number;
  /** preprocessing ops, applied in order, identically at training and inference */
  readonly preprocess: readonly PreprocessOp[];
  readonly patches: PatchConfig;
  readonly split: SplitConfig;
  readonly augment: AugmentConfig;
}

// ---------------------------------------------------------------- model


export interface ModelConfig {
  readonly arch: Architecture;
  readonly depth: number;
  readonly filters: number;
  readonly t: number;
  readonly upsample: Upsample;
  readonly recurrence: Recurrence;
  readonly init: Init;
  readonly norm: Norm;
  readonly dropout: number;
}

// ---------------------------------------------------------------- train

export type LossConfig =
  | { readonly kind: 'bce' }
  | { readonly kind: 'weighted_bce'; readonly pos_weight: number }
  | { readonly kind: 'dice'; readonly smooth: number }
  | { readonly kind: 'bce_dice'; readonly dice_weight: number; readonly smooth: number }
  | { readonly kind: 'focal'; readonly gamma: number; readonly alpha: number };

export type OptimizerConfig =
  | { readonly kind: 'adam'; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number }
  | {
      readonly kind: 'adamw';
      readonly lr: number;
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
      readonly weight_decay: number;
    }
  | { readonly kind: 'sgd'; readonly lr: number; readonly momentum: number; readonly nesterov: boolean };

export type ScheduleConfig =
  | { readonly kind: 'constant' }
  | { readonly kind: 'step'; readonly every: number; readonly factor: number }
  | { readonly kind: 'cosine'; readonly min_lr: number; readonly warmup: number }
  | { readonly kind: 'plateau'; readonly factor: number; readonly patience: number; readonly min_lr: number };

export interface EarlyStopConfig {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly restore_best: boolean;
}

export interface TrainConfig {
  readonly loss: LossConfig;
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleConfig;
  readonly batch: number;
  readonly epochs: number;
  /** null = train for all epochs */
  readonly early_stop: EarlyStopConfig | null;
  readonly clip_grad: number;
  /**
   * per-step decay of an exponential moving average of the weights that
   * validation, checkpoints and inference use; 0 = the trained weights as they are
   */
  readonly ema: number;
  readonly metrics: readonly Metric[];
  /** members with seeds seed, seed + 1, …, trained side by side on the CPU cores (one after another on a GPU); absent: one model (so that runs without it keep their content hash) */
  readonly ensemble?: number;
}

// ---------------------------------------------------------------- eval

export interface EvalConfig {
  readonly threshold: number;
  readonly mode: InferenceMode;
  readonly stride: Dims;
  readonly min_component: number;
  readonly fill_holes: number;
  /** `r2u predict`/`eval`: resample images to the training FOV diameter, or segment them at their own scale */
  readonly scale: InferenceScale;
  /** test-time augmentation: predictions over flipped/rotated copies, averaged */
  readonly tta: TtaMode;
}

// ---------------------------------------------------------------- runtime

export interface RuntimeConfig {
  readonly backend: BackendName;
  readonly workers: number;
}

// ---------------------------------------------------------------- experiment

export interface ExperimentConfig {
  readonly name: string;
  readonly seed: number;
  readonly data: DataConfig;
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly eval: EvalConfig;
  readonly runtime: RuntimeConfig;
}

/** The number of networks an experiment trains (`train { ensemble N }`; 1 when unstated: a single model). */
export const ensembleSize = (config: ExperimentConfig): number => config.train.ensemble ?? 1;
