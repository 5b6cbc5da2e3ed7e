// The resolved experiment configuration: what a `.r2u` spec means after
// `extends`, defaults and `--set` overrides have been applied and validated.
// This type is the contract between the compiler (which produces it), the
// generated trainer modules (which embed it `as const satisfies
// ExperimentConfig`) and the runtime (which executes it).
//
// Field names are the spec's own keywords, so a config path such as
// `train.optimizer.lr` is also the `--set` path and the `r2u diff` path.

import type { Architecture, BackendName, GrayscaleMode, InferenceMode, Metric, Monitor, Norm, NormalizeMode, Recurrence, Upsample } from './vocabulary.js';

export type { Architecture, BackendName, Metric, Monitor } from './vocabulary.js';

export type Dims = readonly [height: number, width: number];

// ---------------------------------------------------------------- data

export type DatasetConfig =
  | { readonly kind: 'drive'; readonly root: string }
  | { readonly kind: 'stare'; readonly root: string }
  | { readonly kind: 'chase_db1'; readonly root: string }
  | {
      readonly kind: 'synthetic';
      /** number of images generated */
      readonly count: number;
      /** image size, height x width */
      readonly size: Dims;
      /** generator seed (independent of the experiment seed) */
      readonly seed: number;
    };

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
  /** patch size, height x width */
  readonly size: Dims;
  /** random training patches drawn per epoch */
  readonly per_epoch: number;
  /** share of patches centred on a vessel pixel (0 = uniform inside the FOV) */
  readonly vessel_fraction: number;
}

export type SplitConfig =
  | { readonly kind: 'ratio'; readonly train: number; readonly val: number }
  | { readonly kind: 'kfold'; readonly k: number; readonly fold: number }
  | { readonly kind: 'list'; readonly val: readonly string[] };

export interface AugmentConfig {
  readonly flip_horizontal: boolean;
  readonly flip_vertical: boolean;
  readonly rotate90: boolean;
  /** maximum absolute small-rotation angle in degrees (0 = off) */
  readonly rotate: number;
  /** maximum additive brightness shift, in units of the normalised intensity (0 = off) */
  readonly brightness: number;
  /** maximum relative contrast change, e.g. 0.1 = x[0.9, 1.1] (0 = off) */
  readonly contrast: number;
  /** maximum gamma jitter, e.g. 0.1 = gamma in [0.9, 1.1] (0 = off) */
  readonly gamma: number;
  /** elastic deformation; alpha 0 = off */
  readonly elastic: { readonly alpha: number; readonly sigma: number };
}

export interface DataConfig {
  readonly dataset: DatasetConfig;
  /** preprocessing ops, applied in order, identically at training and inference */
  readonly preprocess: readonly PreprocessOp[];
  readonly patches: PatchConfig;
  readonly split: SplitConfig;
  readonly augment: AugmentConfig;
}

// ---------------------------------------------------------------- model


export interface ModelConfig {
  readonly arch: Architecture;
  /** encoder blocks; the decoder mirrors them around one bottleneck block */
  readonly depth: number;
  /** filters of the first encoder block; doubled at every level */
  readonly filters: number;
  /** recurrent steps of each recurrent convolutional layer (ignored by unet) */
  readonly t: number;
  /** `transpose`: 2x2 transposed convolution; `upsample_conv`: nearest upsampling + 3x3 conv */
  readonly upsample: Upsample;
  /**
   * `paper`: RCL output ReLU(w_f * x + w_r * h(t-1) + b), separate feed-forward and recurrent weights;
   * `shared`: the common PyTorch formulation, one conv applied to (x + h(t-1)).
   */
  readonly recurrence: Recurrence;
  /** normalisation after each convolution; `batch` keeps one BN layer per recurrent step */
  readonly norm: Norm;
  /** dropout rate after each encoder/decoder block (0 = off) */
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
  /** restore the weights of the best epoch at the end of training */
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
  /** global gradient-norm clipping; 0 = off */
  readonly clip_grad: number;
  /** metrics printed per epoch (loss is always printed) */
  readonly metrics: readonly Metric[];
}

// ---------------------------------------------------------------- eval

export interface EvalConfig {
  /** probability threshold for the binary mask */
  readonly threshold: number;
  /** `full_image`: one pass over the padded image; `sliding_window`: overlapping patches averaged */
  readonly mode: InferenceMode;
  /** sliding-window stride, height x width */
  readonly stride: Dims;
  /** post-processing of the binary mask: drop components smaller than this many pixels (0 = off) */
  readonly min_component: number;
  /** fill background holes smaller than this many pixels (0 = off) */
  readonly fill_holes: number;
}

// ---------------------------------------------------------------- runtime

export interface RuntimeConfig {
  readonly backend: BackendName;
  /** data-parallel training workers; 0 = one per CPU core */
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
