// One line of `metrics.jsonl`: what an epoch produced. Validation scores are
// FOV-masked, at `eval.threshold`, computed by the same inference as `r2u eval`.
import type { EvalSummary } from '../eval/evaluate.js';
import type { FullScores } from '../eval/metrics.js';

/**
 * One validation image's scores; the epoch's val_* figures are their mean. A
 * figure the image cannot have (sensitivity without vessels) is null, as
 * JSON writes NaN.
 */
export type ImageScores = { [K in keyof FullScores]: number | null };

export const imageScores = (s: FullScores): ImageScores =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number.isNaN(v) ? null : v])) as ImageScores;

export interface EpochRecord {
  /** 1-based epoch number */
  epoch: number;
  /** mean training loss over the epoch's batches */
  loss: number;
  val_loss: number;
  val_accuracy: number;
  val_sensitivity: number;
  val_specificity: number;
  val_precision: number;
  val_dice: number;
  val_auc: number;
  /** learning rate used during the epoch */
  lr: number;
  /** wall-clock seconds of training + validation */
  time_s: number;
  /**
   * each validation image's scores by its id, so that a family's figures can
   * be read image by image (`r2u compare` pairs them); absent in runs trained
   * before it was recorded
   */
  val_images?: Record<string, ImageScores>;
}

/** An epoch record's validation figures: an epoch's, or an ensemble's (which has no training figures). */
export type ValidationFigures = Omit<EpochRecord, 'epoch' | 'loss' | 'lr' | 'time_s'>;

/** The validation figures of an evaluation of the validation images: their mean, and each image's. */
export function validationFigures(evaluation: EvalSummary): ValidationFigures {
  const m = evaluation.mean;
  return {
    val_loss: evaluation.meanLoss,
    val_accuracy: m.accuracy,
    val_sensitivity: m.sensitivity,
    val_specificity: m.specificity,
    val_precision: m.precision,
    val_dice: m.dice,
    val_auc: m.auc,
    val_images: Object.fromEntries(evaluation.images.map((img) => [img.id, imageScores(img.scores)])),
  };
}
