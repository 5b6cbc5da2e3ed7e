// The meaning of every statement of the language, as data. The resolver
// interprets this table; the language reference (grammar/REFERENCE.md) is
// generated from it, so the documentation cannot drift from the checker.
import { EARLY_STOP_DEFAULTS, LOSS_DEFAULTS, OPTIMIZER_DEFAULTS, SCHEDULE_DEFAULTS } from '../spec/defaults.js';
import * as V from '../spec/vocabulary.js';

// ---------------------------------------------------------------- slots

export type SlotType =
  | { readonly t: 'int'; readonly min?: number; readonly max?: number }
  | { readonly t: 'number'; readonly min?: number; readonly max?: number; readonly exclusiveMin?: boolean }
  | { readonly t: 'string' }
  | { readonly t: 'bool' }
  | { readonly t: 'dims'; readonly min?: number }
  | { readonly t: 'enum'; readonly values: readonly string[] };

export const int = (min?: number, max?: number): SlotType => ({ t: 'int', min, max });
export const num = (min?: number, max?: number, exclusiveMin = false): SlotType => ({ t: 'number', min, max, exclusiveMin });
export const str: SlotType = { t: 'string' };
export const bool: SlotType = { t: 'bool' };
export const dims: SlotType = { t: 'dims', min: 1 };
export const oneOf = (...values: string[]): SlotType => ({ t: 'enum', values });
/** A slot taking one value of a vocabulary of src/spec/vocabulary.ts. */
const oneOfVocabulary = (vocabulary: Readonly<Record<string, string>>): SlotType => oneOf(...V.valuesOf(vocabulary));

/** A placeholder in a phrase pattern: the value of `field` (relative to the statement's target). */
export interface Slot {
  readonly slot: string;
  readonly type: SlotType;
}
export const slot = (field: string, type: SlotType): Slot => ({ slot: field, type });

/** A phrase: literal words and slots, optionally fixing other fields when it matches. */
export interface PhraseDef {
  readonly items: readonly (string | Slot)[];
  /** fields set when the phrase matches, e.g. a split's `kind` */
  readonly sets?: Readonly<Record<string, unknown>>;
  readonly doc?: string;
}
export const phrase = (items: (string | Slot)[], extra: Omit<PhraseDef, 'items'> = {}): PhraseDef => ({ items, ...extra });

// ---------------------------------------------------------------- statements

/** A call-like variant: `adam(lr: 1e-3)`; positional arguments fill `params` in order. */
export interface VariantDef {
  readonly params: Readonly<Record<string, SlotType>>;
  readonly defaults: Readonly<Record<string, unknown>>;
  /** choosing it removes the field: the variant names an optional field's absence (`extra_training none`) */
  readonly absent?: boolean;
  readonly doc?: string;
}

export type StatementForm =
  /** `key value` */
  | { readonly form: 'value'; readonly type: SlotType; readonly flag?: unknown }
  /** `key phrase, phrase …` (commas optional) */
  | {
      readonly form: 'phrases';
      readonly phrases: readonly PhraseDef[];
      /** the object a phrase starts from when the target is null (`early_stop`) or a new list element (`clahe`) */
      readonly create?: Readonly<Record<string, unknown>>;
      /** `key off` sets the target to null */
      readonly nullable?: boolean;
      /** defaults by discriminator value, used when a phrase `sets` the discriminator (`kind`, `mode`) to a new value */
      readonly variants?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    }
  /** `key name` or `key name(arg: value, …)`; the target holds `{ kind: name, …params }` */
  | { readonly form: 'variant'; readonly variants: Readonly<Record<string, VariantDef>> }
  /** `key a, b, c` */
  | { readonly form: 'list'; readonly type: SlotType }
  /** `key { … }` */
  | { readonly form: 'block'; readonly body: BlockDef }
  /** `key name { … }`: the name sets `field`, the block the rest */
  | { readonly form: 'namedBlock'; readonly field: string; readonly type: SlotType; readonly body: BlockDef }
  /** `key { op …; op … }`: an ordered list; each statement becomes one element with `op` set to its key */
  | { readonly form: 'ops'; readonly ops: BlockDef };

export type StatementDef = StatementForm & {
  /** config path of the value this statement sets, relative to the enclosing block's path */
  readonly target: string;
  readonly doc: string;
  readonly example: string;
};

export type BlockDef = Readonly<Record<string, StatementDef>>;

// ---------------------------------------------------------------- the language

const nonNegative = num(0);
const positive = num(0, undefined, true);
const fraction = num(0, 1);

const PREPROCESS: BlockDef = {
  crop: {
    target: '',
    form: 'phrases',
    doc: 'Crop to a centred window or to a box whose top-left corner is at (x, y).',
    example: 'crop center 565 x 565',
    variants: { center: { mode: 'center', size: [565, 565] }, box: { mode: 'box', x: 0, y: 0, size: [565, 565] } },
    phrases: [
      phrase(['center', slot('size', dims)], { sets: { mode: 'center' } }),
      phrase(['box', 'at', slot('x', int(0)), slot('y', int(0)), 'size', slot('size', dims)], { sets: { mode: 'box' } }),
    ],
  },
  grayscale: {
    target: 'mode',
    form: 'value',
    type: oneOfVocabulary(V.GRAYSCALE_MODES),
    doc: 'Reduce RGB to one channel: luminance (0.299 R + 0.587 G + 0.114 B) or a single channel (green has the best vessel contrast).',
    example: 'grayscale green',
  },
  normalize: {
    target: 'mode',
    form: 'value',
    type: oneOfVocabulary(V.NORMALIZE_MODES),
    doc: 'Z-score intensities inside the field of view, per image or with the training set’s mean and deviation; each channel on its own (colour input without `grayscale`).',
    example: 'normalize per_image',
  },
  clahe: {
    target: '',
    form: 'phrases',
    doc: 'Contrast-limited adaptive histogram equalisation over a grid of tiles; each channel on its own (colour input without `grayscale`).',
    example: 'clahe tiles 8 x 8, clip 2',
    create: { tiles: [8, 8], clip: 2 },
    phrases: [phrase(['tiles', slot('tiles', dims)]), phrase(['clip', slot('clip', positive)])],
  },
  gamma: { target: 'value', form: 'value', type: positive, doc: 'Gamma correction: x ↦ x^(1/gamma) on [0, 1].', example: 'gamma 1.2' },
  resize: { target: 'size', form: 'value', type: dims, doc: 'Bilinear resize to H x W.', example: 'resize 512 x 512' },
  pad: {
    target: '',
    form: 'phrases',
    doc: 'Zero-pad bottom/right to a multiple of the network stride (2^depth).',
    example: 'pad multiple 8',
    create: { multiple: 8 },
    phrases: [phrase(['multiple', slot('multiple', int(1))])],
  },
};

/** The published datasets, read under a root folder: `dataset` and `extra_training` take the same calls. */
const PUBLISHED_DATASETS: Readonly<Record<string, VariantDef>> = {
  drive: { params: { root: str }, defaults: { kind: 'drive', root: 'data/DRIVE' }, doc: 'DRIVE (R2U_DRIVE_ROOT overrides the root)' },
  stare: {
    params: { root: str, test: int(0, 19) },
    defaults: { kind: 'stare', root: 'data/STARE', test: 0 },
    doc: 'STARE (the 20 labelled images); test: N holds out the last N images (by id) as the test subset, e.g. test: 10',
  },
  chase_db1: {
    params: { root: str, test: int(0, 27) },
    defaults: { kind: 'chase_db1', root: 'data/CHASE_DB1', test: 0 },
    doc: 'CHASE_DB1; test: N holds out the last N images (by id) as the test subset: the common protocol is test: 8 (train on 01L–10R, test on 11L–14R)',
  },
};

const DATA: BlockDef = {
  dataset: {
    target: 'dataset',
    form: 'variant',
    doc: 'The image collection. drive/stare/chase_db1 read the published layouts under a root folder; synthetic generates fundus-like images with exact labels.',
    example: 'dataset drive("data/DRIVE")',
    variants: {
      ...PUBLISHED_DATASETS,
      synthetic: {
        params: { count: int(2, 10000), size: dims, seed: int(0) },
        defaults: { kind: 'synthetic', count: 20, size: [256, 256], seed: 1 },
      },
    },
  },
  extra_training: {
    target: 'extra_training',
    form: 'variant',
    doc: 'More training images from another published dataset: its training subset (without its `test: N` images), each resampled so its FOV diameter matches the main dataset’s, preprocessed with the same intensity ops (its crop, resize and pad are the main dataset’s geometry and are skipped, as at inference) and added to every training split (patches are drawn from every training image alike, so the extra images’ share of the patches is their share of the images). Never validated on: the split, the validation images and `normalize dataset` statistics are the main dataset’s.',
    example: 'extra_training chase_db1("data/CHASE_DB1", test: 8)',
    variants: {
      none: { params: {}, defaults: {}, absent: true, doc: 'the main dataset alone (the default)' },
      ...PUBLISHED_DATASETS,
    },
  },
  extra_scale: {
    target: 'extra_scale',
    form: 'value',
    type: num(0.25, 4),
    doc: 'The scale `extra_training`’s images are resampled to, as a multiple of the FOV diameter that matches the main dataset’s (absent: 1, the same FOV diameter). Image and label scale together, so a factor below 1 draws the other dataset’s vessels narrower in pixels: at 0.86 CHASE_DB1’s labelled vessels have DRIVE’s mean width (twice the area over the boundary length: 2.50 px against 2.49).',
    example: 'extra_scale 0.86',
  },
  preprocess: {
    target: 'preprocess',
    form: 'ops',
    ops: PREPROCESS,
    doc: 'Preprocessing ops, applied in the order written, identically at training and inference. A spec that extends another replaces the whole list.',
    example: 'preprocess { crop center 565 x 565; grayscale green; clahe tiles 8 x 8, clip 2; normalize per_image }',
  },
  patches: {
    target: 'patches',
    form: 'phrases',
    doc: 'Training patches: size, how many random patches per epoch, the share centred on a vessel pixel, and how `extra_training`’s images are drawn and scored.',
    example: 'patches 48 x 48, random 10000 per epoch, vessel_fraction 0.5',
    phrases: [
      phrase([slot('size', dims)]),
      phrase(['random', slot('per_epoch', int(1)), 'per', 'epoch']),
      phrase(['vessel_fraction', slot('vessel_fraction', fraction)]),
      phrase(['extra_share', slot('extra_share', fraction)], {
        doc: 'the share of each epoch’s patches taken from `extra_training`’s images (e.g. `extra_share 0.3`); absent, every training image is drawn alike, so the extra images’ share of the patches is their share of the images',
      }),
      phrase(['extra_epochs', slot('extra_epochs', int(1))], {
        doc: 'draw from `extra_training`’s images in the first N epochs only; the later ones train on the main dataset alone, at its labels’ style (e.g. `extra_epochs 6` of 10)',
      }),
      phrase(['extra_ignore_edge', slot('extra_ignore_edge', int(1, 8))], {
        doc: 'leave the outer N pixels of each vessel in `extra_training`’s labels out of the loss (neither vessel nor background): another dataset’s annotators draw the vessel edge in their own style, so its images teach where vessels run and the main dataset’s where their edges lie (e.g. `extra_ignore_edge 1`); patch centres are drawn from the labels as annotated',
      }),
    ],
  },
  split: {
    target: 'split',
    form: 'phrases',
    doc: 'Train/validation split by image: ratio, k-fold, or a named list of validation images. A ratio or k-fold split is drawn from the experiment’s seed unless it has its own (`seed N`), which keeps the same validation images while the experiment’s seed varies.',
    example: 'split train 0.9, val 0.1',
    variants: {
      ratio: { kind: 'ratio', train: 0.9, val: 0.1 },
      kfold: { kind: 'kfold', k: 5, fold: 0 },
      list: { kind: 'list', val: [] },
    },
    phrases: [
      phrase(['train', slot('train', fraction)], { sets: { kind: 'ratio' } }),
      phrase(['val', slot('val', fraction)], { sets: { kind: 'ratio' } }),
      phrase(['kfold', slot('k', int(2)), 'fold', slot('fold', int(0))], { sets: { kind: 'kfold' } }),
      phrase(['seed', slot('seed', int(0))], { doc: 'the seed a ratio or k-fold split is drawn from, in place of the experiment’s (e.g. `split kfold 5 fold 1, seed 42` under `seed 43`)' }),
      phrase(['images'], { sets: { kind: 'list' }, doc: 'a named list of validation images follows' }),
      phrase([slot('val[]', str)], { doc: 'a validation image id, e.g. "21"' }),
    ],
  },
  augment: {
    target: 'augment',
    form: 'block',
    doc: 'On-the-fly augmentation, applied to image and label together.',
    example: 'augment { flip horizontal, vertical; rotate90; rotate 15 deg }',
    body: {
      flip: {
        target: '',
        form: 'phrases',
        doc: 'Random flips.',
        example: 'flip horizontal, vertical',
        phrases: [
          phrase(['horizontal'], { sets: { flip_horizontal: true } }),
          phrase(['vertical'], { sets: { flip_vertical: true } }),
          phrase(['none'], { sets: { flip_horizontal: false, flip_vertical: false } }),
        ],
      },
      rotate90: { target: 'rotate90', form: 'value', type: bool, flag: true, doc: 'Random multiples of 90°.', example: 'rotate90' },
      rotate: {
        target: '',
        form: 'phrases',
        doc: 'Random small rotation up to ± this many degrees.',
        example: 'rotate 15 deg',
        phrases: [phrase([slot('rotate', num(0, 180)), 'deg'])],
      },
      brightness: { target: 'brightness', form: 'value', type: nonNegative, doc: 'Random additive brightness shift up to ± this.', example: 'brightness 0.1' },
      contrast: { target: 'contrast', form: 'value', type: fraction, doc: 'Random contrast factor in [1 − c, 1 + c].', example: 'contrast 0.1' },
      gamma: { target: 'gamma', form: 'value', type: fraction, doc: 'Random gamma in [1 − g, 1 + g].', example: 'gamma 0.1' },
      intensity: {
        target: '',
        form: 'phrases',
        doc: 'No brightness, contrast or gamma jitter (all three set to 0), for a spec that extends one with them.',
        example: 'intensity none',
        phrases: [phrase(['none'], { sets: { brightness: 0, contrast: 0, gamma: 0 } })],
      },
      elastic: {
        target: 'elastic',
        form: 'phrases',
        doc: 'Elastic deformation (Simard et al.): displacement scale alpha, smoothing sigma in pixels; alpha 0 is off.',
        example: 'elastic alpha 34, sigma 4',
        phrases: [phrase(['alpha', slot('alpha', nonNegative)]), phrase(['sigma', slot('sigma', positive)])],
      },
    },
  },
};

const MODEL: BlockDef = {
  depth: { target: 'depth', form: 'value', type: int(1, 6), doc: 'Encoder blocks (each followed by 2×2 max-pooling); one bottleneck; a mirrored decoder.', example: 'depth 3' },
  filters: { target: 'filters', form: 'value', type: int(1, 512), doc: 'Filters of the first block, doubled at each level.', example: 'filters 16' },
  t: { target: 't', form: 'value', type: int(0, 8), doc: 'Recurrent steps of each recurrent convolutional layer.', example: 't 2' },
  upsample: {
    target: 'upsample',
    form: 'value',
    type: oneOfVocabulary(V.UPSAMPLES),
    doc: 'Decoder upsampling: 2×2 transposed convolution, or nearest upsampling followed by a 3×3 convolution.',
    example: 'upsample transpose',
  },
  recurrence: {
    target: 'recurrence',
    form: 'value',
    type: oneOfVocabulary(V.RECURRENCES),
    doc: 'RCL formulation: paper = ReLU(w_f∗x + w_r∗h(t−1) + b); shared = one convolution applied to x + h(t−1) (common PyTorch code).',
    example: 'recurrence paper',
  },
  init: {
    target: 'init',
    form: 'value',
    type: oneOfVocabulary(V.INITS),
    doc: "Initialisation of the blocks' convolutions and the output convolution (the 2×2 transposed upsampling convolutions are He-initialised in every case). Without normalisation a recurrent block sums t+1 convolutions of its own output, so He's gain compounds through the network.",
    example: 'init pytorch',
  },
  norm: {
    target: 'norm',
    form: 'value',
    type: oneOfVocabulary(V.NORMS),
    doc: 'Normalisation after each convolution (batch: one layer per recurrent step).',
    example: 'norm batch',
  },
  dropout: { target: 'dropout', form: 'value', type: num(0, 0.9), doc: 'Dropout rate after each block.', example: 'dropout 0.1' },
};

const variantsOf = <K extends string>(
  defaults: Record<K, Record<string, unknown>>,
  params: Record<K, Record<string, SlotType>>,
): Record<K, VariantDef> => {
  const out = {} as Record<K, VariantDef>;
  for (const k of Object.keys(defaults) as K[]) out[k] = { params: params[k], defaults: defaults[k] };
  return out;
};

const adamParams = { lr: positive, beta1: num(0, 1), beta2: num(0, 1), epsilon: positive };

const TRAIN: BlockDef = {
  loss: {
    target: 'loss',
    form: 'variant',
    doc: 'Training loss.',
    example: 'loss bce_dice(dice_weight: 1)',
    variants: variantsOf(LOSS_DEFAULTS, {
      bce: {},
      weighted_bce: { pos_weight: positive },
      dice: { smooth: nonNegative },
      bce_dice: { dice_weight: nonNegative, smooth: nonNegative },
      focal: { gamma: nonNegative, alpha: fraction },
    }),
  },
  optimizer: {
    target: 'optimizer',
    form: 'variant',
    doc: 'Optimizer and its parameters.',
    example: 'optimizer adam(lr: 1e-3)',
    variants: variantsOf(OPTIMIZER_DEFAULTS, {
      adam: adamParams,
      adamw: { ...adamParams, weight_decay: nonNegative },
      sgd: { lr: positive, momentum: num(0, 1), nesterov: bool },
    }),
  },
  schedule: {
    target: 'schedule',
    form: 'variant',
    doc: 'Learning-rate schedule (warmup in epochs; plateau watches the early-stopping monitor, or val_loss).',
    example: 'schedule cosine(min_lr: 1e-5)',
    variants: variantsOf(SCHEDULE_DEFAULTS, {
      constant: {},
      step: { every: int(1), factor: num(0, 1, true) },
      cosine: { min_lr: nonNegative, warmup: int(0) },
      plateau: { factor: num(0, 1, true), patience: int(0), min_lr: nonNegative },
    }),
  },
  batch: { target: 'batch', form: 'value', type: int(1, 4096), doc: 'Patches per training step.', example: 'batch 32' },
  epochs: { target: 'epochs', form: 'value', type: int(1, 100000), doc: 'Maximum number of epochs.', example: 'epochs 10' },
  early_stop: {
    target: 'early_stop',
    form: 'phrases',
    nullable: true,
    create: { ...EARLY_STOP_DEFAULTS },
    doc: 'Stop when the monitored validation quantity has not improved for `patience` epochs; restore the best weights unless keep_last. `early_stop off` disables it. The run\'s model (what eval, predict, ensembles and compare take) is the best epoch\'s checkpoint, or the last one under keep_last or without early stopping.',
    example: 'early_stop val_loss patience 5',
    phrases: [
      phrase([slot('monitor', oneOfVocabulary(V.MONITORS))]),
      phrase(['patience', slot('patience', int(0))]),
      phrase(['restore_best'], { sets: { restore_best: true } }),
      phrase(['keep_last'], { sets: { restore_best: false } }),
    ],
  },
  clip_grad: { target: 'clip_grad', form: 'value', type: nonNegative, doc: 'Clip the global gradient norm to this value (0 = off).', example: 'clip_grad 1' },
  ema: {
    target: 'ema',
    form: 'value',
    // 0.9999 averages over ~10,000 steps, more than most runs take
    type: num(0, 0.9999),
    doc: 'Validate, checkpoint and predict with an exponential moving average of the weights (batch-norm statistics included), updated after every step with this decay and corrected for its start; training goes on from the trained weights. 0 = off.',
    example: 'ema 0.998',
  },
  ensemble: {
    target: 'ensemble',
    form: 'value',
    type: int(1, 16),
    doc: 'Train this many members that differ only in their seed (the experiment’s seed, then the next ones), all validated on the images the experiment’s seed draws, side by side on the CPU cores (one core each) or one after another on a GPU; the run then segments with the mean of their probability maps, as an `r2u ensemble` folder does. Unstated: one model.',
    example: 'ensemble 3',
  },
  metrics: { target: 'metrics', form: 'list', type: oneOfVocabulary(V.METRICS), doc: 'Validation metrics printed each epoch (loss always is).', example: 'metrics accuracy, sensitivity, dice' },
};

const EVAL: BlockDef = {
  threshold: { target: 'threshold', form: 'value', type: fraction, doc: 'Probability threshold of the binary mask.', example: 'threshold 0.5' },
  mode: {
    target: 'mode',
    form: 'value',
    type: oneOfVocabulary(V.INFERENCE_MODES),
    doc: 'Inference over the whole padded image at once, or over overlapping patches averaged.',
    example: 'mode full_image',
  },
  stride: { target: 'stride', form: 'value', type: dims, doc: 'Sliding-window stride.', example: 'stride 16 x 16' },
  min_component: { target: 'min_component', form: 'value', type: int(0), doc: 'Remove foreground components smaller than this many pixels (0 = off).', example: 'min_component 30' },
  fill_holes: { target: 'fill_holes', form: 'value', type: int(0), doc: 'Fill background holes smaller than this many pixels (0 = off).', example: 'fill_holes 10' },
  scale: {
    target: 'scale',
    form: 'value',
    type: oneOfVocabulary(V.INFERENCE_SCALES),
    doc: 'Scale of images at prediction and evaluation: fov resamples each one so its field of view has the diameter of the training images; none keeps its resolution. The training crop, resize and pad are not applied: the whole image is segmented.',
    example: 'scale fov',
  },
  tta: {
    target: 'tta',
    form: 'value',
    type: oneOfVocabulary(V.TTA_MODES),
    doc: 'Test-time augmentation: the mean prediction over flipped (flips) or flipped and rotated (d4) copies of each image.',
    example: 'tta d4',
  },
};

const RUNTIME: BlockDef = {
  backend: {
    target: 'backend',
    form: 'value',
    type: oneOfVocabulary(V.BACKENDS),
    doc: `TensorFlow.js backend; auto tries ${V.valuesOf(V.BACKENDS).filter((b) => b !== 'auto').join(', then ')}.`,
    example: 'backend auto',
  },
  workers: { target: 'workers', form: 'value', type: int(0, 64), doc: 'Data-parallel training workers (0 = one per CPU core).', example: 'workers 2' },
};

/** The statements of an `experiment { … }` block. */
export const EXPERIMENT: BlockDef = {
  seed: { target: 'seed', form: 'value', type: int(0), doc: 'Seed of every random choice (split, patches, augmentation, initialisation).', example: 'seed 42' },
  data: { target: 'data', form: 'block', body: DATA, doc: 'Dataset, preprocessing, patches, split and augmentation.', example: 'data { … }' },
  model: {
    target: 'model',
    form: 'namedBlock',
    field: 'arch',
    type: oneOfVocabulary(V.ARCHITECTURES),
    body: MODEL,
    doc: 'The network: r2unet (Alom et al. 2018), unet (Ronneberger et al. 2015) or attention_r2unet (attention gates on the skips).',
    example: 'model r2unet { depth 3; filters 16; t 2 }',
  },
  train: { target: 'train', form: 'block', body: TRAIN, doc: 'Loss, optimizer, schedule, batch, epochs, early stopping and metrics.', example: 'train { … }' },
  eval: { target: 'eval', form: 'block', body: EVAL, doc: 'Inference and evaluation settings.', example: 'eval { threshold 0.5 }' },
  runtime: { target: 'runtime', form: 'block', body: RUNTIME, doc: 'Where the experiment runs.', example: 'runtime { backend wasm }' },
};

/** Describes a slot type for messages and the reference, e.g. `integer ≥ 1`. */
export function describeType(type: SlotType): string {
  switch (type.t) {
    case 'int':
    case 'number': {
      const base = type.t === 'int' ? 'integer' : 'number';
      const lo = type.min !== undefined ? `${type.t === 'number' && type.exclusiveMin ? '>' : '≥'} ${type.min}` : '';
      const hi = type.max !== undefined ? `≤ ${type.max}` : '';
      return [base, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
    }
    case 'string':
      return 'string';
    case 'bool':
      return 'true or false';
    case 'dims':
      return 'size H x W';
    case 'enum':
      return `one of ${type.values.join(', ')}`;
  }
}
