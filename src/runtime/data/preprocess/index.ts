// The preprocessing pipeline: the spec's ops, in the order written, as one
// function used identically for training, validation and inference. Images
// enter with intensities in [0,1]. `normalize dataset` is the only op with
// state: its statistics are fitted on the given training images (after the ops
// before it) or taken from saved stats, so inference reproduces training.
import type { DataConfig, PreprocessOp } from '../../../spec/config.js';
import { DataError } from '../errors.js';
import type { FundusImage, RawImage } from '../types.js';
import { claheStep } from './clahe.js';
import { cropStep } from './crop.js';
import { gammaStep } from './gamma.js';
import { grayscaleStep } from './grayscale.js';
import type { Step, Working } from './image.js';
import { datasetNormalizeStep, fovStats, perImageNormalizeStep, type ChannelStats } from './normalize.js';
import { padStep } from './pad.js';
import { resizeStep } from './resize.js';

export type { ChannelStats } from './normalize.js';
/** Channels of the images after preprocessing: fundus photographs are RGB until `grayscale`. */
export function inputChannels(data: DataConfig): number {
  return data.preprocess.some((op) => op.op === 'grayscale') ? 1 : 3;
}

/** Fitted state of a pipeline, JSON-serialisable so a checkpoint can carry it. */
export interface PreprocessStats {
  /** one entry per `normalize dataset` op, keyed by its index in the op list */
  readonly dataset_normalize: ReadonlyArray<{ readonly op: number } & ChannelStats>;
  /**
   * median FOV diameter of the training images after preprocessing, in pixels:
   * the scale `eval.scale fov` brings other images to (absent in runs that predate it)
   */
  readonly fov_diameter?: number;
}

export interface Preprocessor {
  apply(raw: RawImage): FundusImage;
  readonly stats: PreprocessStats;
  /** the resolved pipeline, one line per op, for `--dry-run` */
  describe(): string[];
}

/** Ops that change the geometry: training-set choices, skipped at inference (`geometry: false`). */
const GEOMETRIC_OPS: ReadonlySet<PreprocessOp['op']> = new Set(['crop', 'resize', 'pad']);

export interface PreprocessorOptions {
  /** false: skip crop, resize and pad, so that the whole image at its own size is segmented (default true) */
  readonly geometry?: boolean;
}

export function createPreprocessor(ops: readonly PreprocessOp[], fit?: readonly RawImage[] | PreprocessStats, opts: PreprocessorOptions = {}): Preprocessor {
  const steps: Step[] = [];
  const fitted: Array<{ op: number } & ChannelStats> = [];
  const saved = fit !== undefined && !Array.isArray(fit) ? (fit as PreprocessStats) : undefined;
  const fitImages = Array.isArray(fit) ? (fit as readonly RawImage[]) : undefined;
  // training images advanced through the steps so far, only when a fit needs them
  let fitWork: Working[] | null = null;
  let fitDone = 0;
  for (const [index, op] of ops.entries()) {
    if (opts.geometry === false && GEOMETRIC_OPS.has(op.op)) continue;
    if (op.op !== 'normalize' || op.mode !== 'dataset') {
      steps.push(stepFor(op));
      continue;
    }
    let stats: ChannelStats;
    let source: string;
    if (saved !== undefined) {
      const s = saved.dataset_normalize.find((e) => e.op === index);
      if (s === undefined) throw new DataError(`normalize dataset (op ${index + 1}): the saved preprocessing stats have no entry for it`);
      stats = { mean: [...s.mean], std: [...s.std] };
      source = 'saved statistics';
    } else if (fitImages !== undefined && fitImages.length > 0) {
      fitWork ??= fitImages.map(toWorking);
      for (; fitDone < steps.length; fitDone++) fitWork = fitWork.map((w) => steps[fitDone].apply(w));
      stats = fovStats(fitWork);
      source = `fitted on ${fitImages.length} training image${fitImages.length === 1 ? '' : 's'}`;
    } else {
      throw new DataError('normalize dataset needs training images to fit its mean and std (or saved statistics)');
    }
    fitted.push({ op: index, ...stats });
    steps.push(datasetNormalizeStep(stats, source));
  }
  return {
    stats: { dataset_normalize: fitted },
    describe: () => ['scale intensities to [0,1]', ...steps.map((s) => s.description)],
    apply: (raw) => {
      let w = toWorking(raw);
      for (const s of steps) w = s.apply(w);
      return {
        id: raw.id,
        sourcePath: raw.sourcePath,
        width: w.width,
        height: w.height,
        channels: w.channels,
        pixels: w.pixels,
        label: w.label,
        fov: w.fov,
        original: { width: raw.width, height: raw.height },
        geometry: w.geometry,
      };
    },
  };
}

function toWorking(raw: RawImage): Working {
  return { width: raw.width, height: raw.height, channels: raw.channels, pixels: raw.pixels, label: raw.label, fov: raw.fov, geometry: [] };
}

function stepFor(op: PreprocessOp): Step {
  switch (op.op) {
    case 'crop':
      return op.mode === 'center' ? cropStep({ mode: 'center', size: op.size }) : cropStep({ mode: 'box', size: op.size, x: op.x, y: op.y });
    case 'grayscale':
      return grayscaleStep(op.mode);
    case 'normalize':
      return perImageNormalizeStep();
    case 'clahe':
      return claheStep(op.tiles, op.clip);
    case 'gamma':
      return gammaStep(op.value);
    case 'resize':
      return resizeStep(op.size);
    case 'pad':
      return padStep(op.multiple);
  }
}
