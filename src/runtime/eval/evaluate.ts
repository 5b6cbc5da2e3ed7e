// Scoring a set of labelled images: inference, post-processing and
// FOV-masked metrics, per image and averaged. Validation during training and
// `r2u eval` both call this, so their numbers are comparable.
import type { EvalConfig } from '../../spec/config.js';
import type { RawImage } from '../data/index.js';
import { addConfusion, aucFromRanked, confusion, meanScores, mergeRanked, rankScores, scores, type Confusion, type FullScores, type RankedScores, type Scores } from './metrics.js';
import { binarize } from './postprocess.js';
import { DivergedError } from '../run/errors.js';

/** What scoring needs of an image, in the geometry its map is predicted in. */
export type ScoredImage = Pick<RawImage, 'id' | 'width' | 'height' | 'label' | 'fov'>;

/** The probability map of an image: inference in training geometry, or segment.ts at the original size. */
export type MapFn<T extends ScoredImage> = (img: T) => Promise<Float32Array>;

/** Loss of a probability map against its label, over the FOV. */
export type MapLoss = (prob: Float32Array, label: Uint8Array, fov: Uint8Array) => Promise<number>;

export interface ImageResult {
  id: string;
  /** probability map, in the geometry of the scored image */
  prob: Float32Array;
  /** binary mask at the threshold, post-processed */
  mask: Uint8Array;
  /** the mask's counts inside the FOV, for scores pooled over images */
  counts: Confusion;
  scores: FullScores;
  /** NaN when no loss function was given */
  loss: number;
}

export interface EvalSummary {
  images: ImageResult[];
  /** mean of the per-image scores (NaN entries skipped) */
  mean: FullScores;
  meanLoss: number;
  /** FOV scores of all images pooled, for threshold selection and pooled AUC */
  pooled: RankedScores;
}

/** A probability map thresholded and post-processed into a mask, with the mask's counts and scores inside the FOV. */
function scoredMask(
  img: ScoredImage & { label: Uint8Array },
  prob: Float32Array,
  post: Pick<EvalConfig, 'min_component' | 'fill_holes'>,
  threshold: number,
  auc: number,
): Pick<ImageResult, 'mask' | 'counts' | 'scores'> {
  const mask = binarize(prob, img.width, img.height, post, threshold);
  // the mask is 0/1, so any threshold in (0, 1] reads it back
  const counts = confusion(mask, img.label, img.fov, 1);
  return { mask, counts, scores: { ...scores(counts), auc } };
}

/**
 * Thresholded scores over all FOV pixels of the images together (the global
 * figures many DRIVE tables report), where the mean weighs every image alike.
 */
export function pooledScores(results: ReadonlyArray<Pick<ImageResult, 'counts'>>): Scores {
  return scores(results.reduce((sum, r) => addConfusion(sum, r.counts), { tp: 0, fp: 0, tn: 0, fn: 0 }));
}

export async function evaluateImages<T extends ScoredImage>(
  images: readonly T[],
  mapOf: MapFn<T>,
  post: Pick<EvalConfig, 'min_component' | 'fill_holes'>,
  threshold: number,
  loss?: MapLoss,
): Promise<EvalSummary> {
  const results: ImageResult[] = [];
  const ranked: RankedScores[] = [];
  for (const img of images) {
    if (img.label === null) throw new Error(`image ${img.id} has no label to evaluate against`);
    const prob = await mapOf(img);
    if (prob.some(Number.isNaN)) throw new DivergedError(`the model predicts NaN for image ${img.id}`);
    const r = rankScores(prob, img.label, img.fov);
    results.push({
      id: img.id,
      prob,
      ...scoredMask({ ...img, label: img.label }, prob, post, threshold, aucFromRanked(r)),
      loss: loss === undefined ? Number.NaN : await loss(prob, img.label, img.fov),
    });
    ranked.push(r);
  }
  const losses = results.map((r) => r.loss);
  return {
    images: results,
    mean: meanScores(results.map((r) => r.scores)),
    meanLoss: losses.reduce((s, v) => s + v, 0) / Math.max(1, losses.length),
    pooled: mergeRanked(ranked),
  };
}

/** Re-scores already predicted images at another threshold (e.g. the best-F1 one). */
export function rescore(images: readonly ScoredImage[], results: readonly ImageResult[], post: Pick<EvalConfig, 'min_component' | 'fill_holes'>, threshold: number): ImageResult[] {
  return results.map((res, i) => {
    const img = images[i];
    return { ...res, ...scoredMask({ ...img, label: img.label as Uint8Array }, res.prob, post, threshold, res.scores.auc) };
  });
}
