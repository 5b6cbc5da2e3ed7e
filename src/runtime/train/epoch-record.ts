// One line of `metrics.jsonl`: what an epoch produced. Validation scores are
// FOV-masked, at `eval.threshold`, computed by the same inference as `r2u eval`.
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
}
