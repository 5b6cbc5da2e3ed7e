// Train/validation split by image (never by patch, so no validation pixel is
// ever seen in training). Deterministic from the split's own seed where it has
// one, else from the experiment's seed.
import type { SplitConfig } from '../../spec/config.js';
import { DataError } from './errors.js';
import { hashSeed, mulberry32, shuffled } from './rng.js';

export interface Split<T> {
  readonly train: T[];
  readonly val: T[];
}

/**
 * The validation images several experiments share (each split drawn from its
 * own split and seed), or null when they validate on different images, as an
 * ensemble's members may: then each trained on some of the others'.
 */
export function sharedValidation<T extends { readonly id: string }>(images: readonly T[], experiments: ReadonlyArray<{ readonly data: { readonly split: SplitConfig }; readonly seed: number }>): T[] | null {
  const sets = experiments.map((e) => splitImages(images, e.data.split, e.seed).val);
  const ids = sets.map((v) => v.map((im) => im.id).join(','));
  return ids.every((s) => s === ids[0]) ? sets[0] : null;
}

export function splitImages<T extends { readonly id: string }>(images: readonly T[], split: SplitConfig, experimentSeed: number): Split<T> {
  const n = images.length;
  const valIds = new Set<string>();
  if (split.kind === 'list') {
    const known = new Set(images.map((im) => im.id));
    for (const id of split.val) {
      if (!known.has(id)) throw new DataError(`split: validation image "${id}" is not in the dataset (ids: ${[...known].join(', ')})`);
      valIds.add(id);
    }
    if (valIds.size === n) throw new DataError('split: every image is listed for validation, none is left to train on');
  } else {
    if (n < 2) throw new DataError(`split: need at least 2 images to split into train and validation, the dataset has ${n}`);
    const order = shuffled(images.map((im) => im.id), mulberry32(hashSeed(split.seed ?? experimentSeed, 0x5b117)));
    if (split.kind === 'ratio') {
      // at least one validation image, at least one training image
      const nVal = Math.min(n - 1, Math.max(1, Math.round((n * split.val) / (split.train + split.val))));
      for (const id of order.slice(0, nVal)) valIds.add(id);
    } else {
      if (split.k > n) throw new DataError(`split: kfold ${split.k} needs at least ${split.k} images, the dataset has ${n}`);
      if (split.fold < 0 || split.fold >= split.k) throw new DataError(`split: fold ${split.fold} is out of range 0..${split.k - 1}`);
      // fold f holds the shuffled positions f, f+k, f+2k, ...: sizes differ by at most one
      order.forEach((id, i) => i % split.k === split.fold && valIds.add(id));
    }
  }
  return { train: images.filter((im) => !valIds.has(im.id)), val: images.filter((im) => valIds.has(im.id)) };
}
