// Segmenting one photograph, whatever its camera, size and scale, into a
// vessel probability map and mask at its original size: the inference
// geometry, separate from the training geometry. `r2u predict`, `r2u eval` and
// the browser page all call this, so their maps agree.
//
//   1. The FOV comes with the image (a given mask, or estimated: fov.ts).
//   2. eval.scale fov: the image is resampled so its FOV diameter is the
//      training images' (recorded in the run's preprocess.json).
//   3. The training pipeline's intensity ops (grayscale, clahe, normalize,
//      gamma) are applied; its crop, resize and pad are training-set choices
//      and are skipped, so the whole image is segmented.
//   4. Inference (full image padded to 2^depth, tiled when large; or sliding
//      window), with eval.tta's flips and rotations averaged.
//   5. The map is resampled back to the original size, zero outside the FOV,
//      then thresholded and post-processed.
// Pure code (no I/O, no Node modules): the browser page bundles it.
import type { DatasetConfig, ExperimentConfig } from '../../spec/config.js';
import { DataError, inFile } from '../data/errors.js';
import { createPreprocessor, type Preprocessor, type PreprocessStats } from '../data/preprocess/index.js';
import { resizeBilinear } from '../data/preprocess/resize.js';
import { resampleRaw, scaleFor } from '../data/rescale.js';
import type { RawImage, Size } from '../data/types.js';
import { infer, inferenceSettings, type InferenceSettings, type PredictFn } from './infer.js';
import { binarize } from './postprocess.js';
import { withTta } from './tta.js';

/**
 * FOV diameters of the published datasets (median over their masks), for runs
 * that predate preprocess.json's `fov_diameter`, such as the shipped checkpoint.
 */
export const PUBLISHED_FOV_DIAMETER: Partial<Record<DatasetConfig['kind'], number>> = { drive: 540, chase_db1: 922 };

export interface SegmentModel {
  readonly predict: PredictFn;
  /** input channels of the model */
  readonly channels: number;
}

export interface Segmentation {
  /** vessel probability per pixel at the original size, 0 outside the FOV */
  readonly prob: Float32Array;
  /** 0/1 vessel mask at eval.threshold, post-processed */
  readonly mask: Uint8Array;
  /** the size the network saw (before padding) */
  readonly scaled: Size;
}

export interface Segmenter {
  /** the FOV diameter images are resampled to; null = each at its own scale */
  readonly targetDiameter: number | null;
  segment(raw: RawImage): Promise<Segmentation>;
}

/** The FOV diameter of a run's training images: recorded, else the dataset's published one. */
export function trainingFovDiameter(spec: ExperimentConfig, stats: PreprocessStats): number | null {
  return stats.fov_diameter ?? PUBLISHED_FOV_DIAMETER[spec.data.dataset.kind] ?? null;
}

/** `maxTensorBytes`: the backend's largest buffer (WebGPU), which bounds the full-image tile. */
export function createSegmenter(spec: ExperimentConfig, stats: PreprocessStats, model: SegmentModel, maxTensorBytes = Infinity, threshold = spec.eval.threshold): Segmenter {
  const preprocessor = createPreprocessor(spec.data.preprocess, stats, { geometry: false });
  const settings = inferenceSettings(spec, maxTensorBytes);
  const predict = withTta(model.predict, spec.eval.tta);
  const targetDiameter = spec.eval.scale === 'fov' ? trainingFovDiameter(spec, stats) : null;
  return {
    targetDiameter,
    segment: (raw) => segmentImage(raw, { spec, preprocessor, settings, predict, channels: model.channels, targetDiameter, threshold }),
  };
}

interface Context {
  spec: ExperimentConfig;
  preprocessor: Preprocessor;
  settings: InferenceSettings;
  predict: PredictFn;
  channels: number;
  targetDiameter: number | null;
  threshold: number;
}

async function segmentImage(raw: RawImage, ctx: Context): Promise<Segmentation> {
  const { width, height } = raw;
  const scaled = scaleFor(raw, ctx.targetDiameter);
  const input = resampleRaw(raw, scaled, { label: false });
  const img = inFile(raw.sourcePath, () => ctx.preprocessor.apply(input));
  if (img.channels !== ctx.channels) {
    throw new DataError(`the image has ${img.channels} channels after preprocessing, the model expects ${ctx.channels}`, raw.sourcePath);
  }
  const net = await infer(img, ctx.predict, ctx.settings);
  if (net.some(Number.isNaN)) throw new DataError('the model predicts NaN for this image', raw.sourcePath);
  const prob = net.length === width * height ? net : resizeBilinear(net, img.width, img.height, 1, width, height);
  for (let i = 0; i < prob.length; i++) if (raw.fov[i] === 0) prob[i] = 0;
  const mask = binarize(prob, width, height, ctx.spec.eval, ctx.threshold);
  for (let i = 0; i < mask.length; i++) mask[i] &= raw.fov[i];
  return { prob, mask, scaled };
}
