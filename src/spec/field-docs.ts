// One-line meaning of each field of the resolved experiment, by config path
// (the `--set` path). Generated modules show them as trailing comments, and
// editors as hover text. A field whose meaning depends on its variant is keyed
// `path#variant.field` (`data.split#ratio.val`), read before `path.field`.
// What a whole statement means, with its syntax, is in the statement table.
export const FIELD_DOCS: Readonly<Record<string, string>> = {
  'data.dataset.root': 'folder holding the dataset',
  'data.dataset.count': 'images generated',
  'data.dataset.size': 'height x width',
  'data.dataset.seed': 'generator seed, independent of `seed`',
  'data.dataset.test': 'images held out as the test subset: the last N by id',
  'data.extra_training.root': 'folder holding the extra training images',
  'data.extra_training.test': 'its images never trained on: the last N by id',
  'data.extra_scale': 'extra_training’s FOV diameter, relative to the main dataset’s',
  'data.patches.size': 'height x width; divisible by 2^depth',
  'data.patches.per_epoch': 'random training patches per epoch',
  'data.patches.vessel_fraction': 'share centred on a vessel pixel',
  'data.patches.extra_share': 'share from extra_training’s images',
  'data.patches.extra_epochs': 'epochs that draw from extra_training’s images',
  'data.patches.extra_ignore_edge': 'vessel edge of extra_training’s labels left out of the loss',
  'data.split#ratio.train': 'share of the images',
  'data.split#ratio.val': 'share of the images',
  'data.split#list.val': 'ids of the validation images',
  'data.split.k': 'folds',
  'data.split.fold': 'the fold validated on, 0-based',
  'data.augment.rotate': 'max small rotation, degrees',
  'data.augment.brightness': 'max additive shift',
  'data.augment.contrast': 'max relative change',
  'data.augment.gamma': 'max gamma jitter',
  'data.augment.elastic.alpha': 'displacement strength',
  'data.augment.elastic.sigma': 'displacement smoothness, pixels',
  'model.depth': 'encoder levels around one bottleneck',
  'model.filters': 'of the first level, doubled at each level',
  'model.t': 'recurrent steps per recurrent convolution',
  'train.loss.pos_weight': 'weight of vessel pixels',
  'train.loss.smooth': 'added to both sides of the Dice ratio',
  'train.loss.dice_weight': 'loss = bce + dice_weight * dice',
  'train.loss#focal.gamma': 'focusing exponent',
  'train.loss#focal.alpha': 'weight of vessel pixels',
  'train.optimizer.lr': 'initial learning rate',
  'train.optimizer.weight_decay': 'decoupled',
  'train.schedule.every': 'epochs between decays',
  'train.schedule.factor': 'lr multiplier per decay',
  'train.schedule.min_lr': 'lower bound of the learning rate',
  'train.schedule.warmup': 'epochs of linear warm-up',
  'train.schedule.patience': 'epochs without improvement before a decay',
  'train.batch': 'patches per step',
  'train.early_stop.patience': 'epochs without improvement before stopping',
  'train.early_stop.restore_best': 'keep the weights of the best epoch',
  'train.clip_grad': 'global gradient-norm clip; 0 = off',
  'train.ema': 'per-step decay of the weight average used for validation and inference; 0 = off',
  'train.ensemble': 'members with seeds seed, seed + 1, …, trained side by side on the CPU cores (one after another on a GPU); the run segments with the mean of their maps',
  'train.metrics': 'printed per epoch, besides the loss',
  'eval.threshold': 'probability above which a pixel is vessel',
  'eval.stride': 'sliding-window step, height x width',
  'eval.min_component': 'drop smaller components, pixels; 0 = off',
  'eval.fill_holes': 'fill smaller holes, pixels; 0 = off',
  'eval.scale': 'fov: resampled to the training FOV diameter at predict/eval',
  'eval.tta': 'test-time augmentation: flipped/rotated copies averaged',
  'runtime.workers': 'data-parallel workers; 0 = one per core',
};

/** The doc of the field at `path` inside an object whose variant is `variant` (its `kind`, `op` or `mode`), if any. */
export function fieldDoc(path: string, variant?: string): string | undefined {
  if (variant !== undefined) {
    const cut = path.lastIndexOf('.');
    const scoped = FIELD_DOCS[`${path.slice(0, cut)}#${variant}${path.slice(cut)}`];
    if (scoped !== undefined) return scoped;
  }
  return FIELD_DOCS[path];
}
