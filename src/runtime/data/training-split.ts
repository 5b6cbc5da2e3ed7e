// The images an experiment trains and validates on: the main dataset split by
// image, and `extra_training`'s images added to the training side. Training,
// the dry run, `r2u data preview` and generated modules all load through here,
// so they agree on which images train.
import type { DataConfig } from '../../spec/config.js';
import { DataError, inFile } from './errors.js';
import { loadDataset, loadRawSubset, medianFovDiameter, type LoadedDataset, type LoadOptions } from './load.js';
import { createPreprocessor } from './preprocess/index.js';
import { resampleRaw, scaleFor } from './rescale.js';
import { splitImages } from './split.js';
import type { FundusImage } from './types.js';

export interface TrainingSplit {
  readonly dataset: LoadedDataset;
  /** the main dataset's training images, then the extra ones */
  readonly train: FundusImage[];
  /** the main dataset's validation images */
  readonly val: FundusImage[];
  /** how many of `train` come from `extra_training` */
  readonly extra: number;
}

export async function loadTrainingSplit(data: DataConfig, opts: LoadOptions & { readonly seed: number }): Promise<TrainingSplit> {
  const dataset = await loadDataset(data, opts);
  const { train, val } = splitImages(dataset.images, data.split, opts.seed);
  const extra = await loadExtraTraining(data, dataset, opts);
  return { dataset, train: [...train, ...extra], val, extra: extra.length };
}

/**
 * `extra_training`'s training subset, each image resampled so its FOV has the
 * main dataset's diameter times `extra_scale` (label included), then given the main pipeline's
 * intensity ops with its statistics; ids are prefixed with the dataset's kind.
 */
export async function loadExtraTraining(data: DataConfig, dataset: LoadedDataset, opts: LoadOptions = {}): Promise<FundusImage[]> {
  const extra = data.extra_training;
  if (extra === undefined) return [];
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const { root, raw } = await loadRawSubset(extra, 'training', opts);
  const stats = dataset.preprocessor.stats;
  const target = (stats.fov_diameter ?? medianFovDiameter(dataset.images)) * (data.extra_scale ?? 1);
  // the main dataset's crop, resize and pad fit its own image size; inference skips them on other cameras too
  const preprocessor = createPreprocessor(data.preprocess, stats, { geometry: false });
  const factors: number[] = [];
  const images = raw.map((r) => {
    const size = scaleFor(r, target);
    factors.push(size.width / r.width);
    const scaled = resampleRaw(r, size, { label: true });
    const image = inFile(r.sourcePath, () => preprocessor.apply({ ...scaled, id: `${extra.kind}:${r.id}` }));
    if (image.label === null) throw new DataError(`extra_training: ${extra.kind} image ${r.id} has no label to train on`, r.sourcePath);
    if (image.channels !== dataset.channels) {
      throw new DataError(`extra_training: ${extra.kind} image ${r.id} has ${image.channels} channels after preprocessing, the main dataset's have ${dataset.channels}`, r.sourcePath);
    }
    return image;
  });
  const [lo, hi] = [Math.min(...factors), Math.max(...factors)];
  const scale = lo === hi ? `×${lo.toFixed(3)}` : `×${lo.toFixed(3)}–${hi.toFixed(3)}`;
  log(`data: ${images.length} ${extra.kind} training images added from ${root}, resampled ${scale} to a FOV diameter of ${Math.round(target)} px, in ${Math.round(performance.now() - t0)} ms`);
  return images;
}
