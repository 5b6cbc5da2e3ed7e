// Every enumeration of the language, once, each value with its meaning. The
// config types (config.ts), the statement table and the JSON Schema
// (src/compiler), the CLI's choices and --help, and the runtime all read these
// objects, so adding a value is one line here. Order is the order users see.

/** An enumeration: value → one-line meaning. */
type Vocabulary = Readonly<Record<string, string>>;

/** The values of a vocabulary, in order. */
export function valuesOf<V extends Vocabulary>(vocabulary: V): readonly (keyof V & string)[] {
  return Object.keys(vocabulary) as (keyof V & string)[];
}

/** Whether `value` is one of the vocabulary's values (a type guard). */
export function isValueOf<V extends Vocabulary>(vocabulary: V, value: string): value is keyof V & string {
  return Object.prototype.hasOwnProperty.call(vocabulary, value);
}

/** TensorFlow.js backends. `auto` tries the others in this order and takes the first that starts. */
export const BACKENDS = {
  auto: 'the fastest backend that starts, tried in the order listed',
  webgpu: 'a GPU through WebGPU (Dawn: Vulkan, Metal or D3D12); auto takes it only for a hardware adapter',
  tensorflow: 'native TensorFlow (the optional @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node)',
  native: "r2u's native CPU kernels (oneDNN convolutions and batch-norm kernels, built by npm ci) on the wasm backend",
  wasm: "WebAssembly: XNNPACK with SIMD and threads, and r2u's convolution-gradient kernels",
  cpu: 'pure JavaScript; slow, always available',
} as const;
export type BackendName = keyof typeof BACKENDS;

/** Validation metrics: printed per epoch, written by `r2u eval`. */
export const METRICS = {
  accuracy: 'share of FOV pixels classified correctly',
  sensitivity: 'share of vessel pixels found (recall)',
  specificity: 'share of background pixels kept as background',
  precision: 'share of predicted vessel pixels that are vessel',
  dice: 'Dice coefficient (F1) of the binary mask',
  auc: 'area under the ROC curve of the probability map',
} as const;
export type Metric = keyof typeof METRICS;

/** Quantities early stopping, the plateau schedule and checkpoint selection can watch. */
export const MONITORS = {
  val_loss: 'validation loss (lower is better)',
  val_dice: 'validation Dice',
  val_auc: 'validation AUC',
  val_accuracy: 'validation accuracy',
  val_sensitivity: 'validation sensitivity',
  val_specificity: 'validation specificity',
} as const;
export type Monitor = keyof typeof MONITORS;
/** A monitor as a comparison names it (`val_dice` → `dice`): `r2u compare`'s columns and an adoption rule's metrics. */
export const shortMonitorName = (monitor: string): string => monitor.replace(/^val_/, '');
export const monitorOfShortName = (name: string): string => `val_${name}`;
export const COMPARED_NAMES: readonly string[] = Object.keys(MONITORS).map(shortMonitorName);

/**
 * Which epoch of a run `r2u compare` scores (`--at`, or `scored at …` in an
 * adoption rule). The best of ten noisy epochs scored on the images that chose
 * it is optimistic; `last` and `heldout` are chosen by nothing they score.
 */
export const EPOCH_CHOICES = {
  model: "its model's: the epoch its spec keeps (the best by its monitor, or the last under keep_last or early_stop off)",
  best: 'its best epoch by its monitor',
  last: 'its last epoch',
  heldout: "each validation image at the epoch the run's other validation images choose by Dice (leave one out; needs the per-image records)",
} as const;
export type EpochChoice = keyof typeof EPOCH_CHOICES;

export const ARCHITECTURES = {
  r2unet: 'R2U-Net (Alom et al. 2018): recurrent residual convolutional blocks',
  unet: 'U-Net (Ronneberger et al. 2015)',
  attention_r2unet: 'R2U-Net with attention gates on the skip connections',
} as const;
export type Architecture = keyof typeof ARCHITECTURES;

export const UPSAMPLES = {
  transpose: '2×2 transposed convolution',
  upsample_conv: 'nearest upsampling followed by a 3×3 convolution',
} as const;
export type Upsample = keyof typeof UPSAMPLES;

export const RECURRENCES = {
  paper: 'ReLU(w_f∗x + w_r∗h(t−1) + b): separate feed-forward and recurrent weights',
  shared: 'one convolution applied to x + h(t−1) (common PyTorch code)',
} as const;
export type Recurrence = keyof typeof RECURRENCES;

export const INITS = {
  pytorch: "uniform ±1/√fan_in (variance 1/(3·fan_in)), PyTorch's default for convolutions",
  he: 'normal, variance 2/fan_in (He et al. 2015, Keras he_normal)',
  glorot: "uniform, variance 2/(fan_in + fan_out) (Keras's default)",
} as const;
export type Init = keyof typeof INITS;

export const NORMS = {
  none: 'no normalisation',
  batch: 'batch normalisation, one layer per recurrent step',
  instance: 'instance normalisation',
  group: 'group normalisation',
} as const;
export type Norm = keyof typeof NORMS;

export const GRAYSCALE_MODES = {
  luminance: '0.299 R + 0.587 G + 0.114 B',
  green: 'the green channel (best vessel contrast)',
  red: 'the red channel',
  blue: 'the blue channel',
} as const;
export type GrayscaleMode = keyof typeof GRAYSCALE_MODES;

export const NORMALIZE_MODES = {
  per_image: "each image's own mean and deviation inside the FOV",
  dataset: "the training set's mean and deviation",
} as const;
export type NormalizeMode = keyof typeof NORMALIZE_MODES;

export const INFERENCE_MODES = {
  full_image: 'one pass over the whole padded image',
  sliding_window: 'overlapping patches, averaged',
} as const;
export type InferenceMode = keyof typeof INFERENCE_MODES;

export const INFERENCE_SCALES = {
  fov: "each image resampled so its FOV diameter matches the training images' (recorded in the run), the map resampled back",
  none: 'each image segmented at its own resolution',
} as const;
export type InferenceScale = keyof typeof INFERENCE_SCALES;

export const TTA_MODES = {
  none: 'one prediction per image',
  flips: 'the mean over the image and its horizontal, vertical and double flips (4 passes)',
  d4: 'the mean over the 8 flips and 90° rotations of the image (8 passes)',
} as const;
export type TtaMode = keyof typeof TTA_MODES;
