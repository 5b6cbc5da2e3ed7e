// loadDataset: resolve the dataset's files, decode and validate every image up
// front (a bad file fails before training starts, not at epoch 7), then
// preprocess. `normalize dataset` statistics are fitted on the training split
// only, never on validation or test images.
import { resolve } from 'node:path';
import type { DataConfig, DatasetConfig } from '../../spec/config.js';
import { chaseFiles } from './datasets/chase.js';
import { driveFiles } from './datasets/drive.js';
import { stareFiles } from './datasets/stare.js';
import { DataError, inFile } from './errors.js';
import { fovDiameter } from './fov.js';
import { createPreprocessor, type Preprocessor, type PreprocessStats } from './preprocess/index.js';
import { readRawImage, type ImageFiles } from './raw-image.js';
import { hashSeed } from './rng.js';
import { splitImages } from './split.js';
import { generateSynthetic } from './synthetic.js';
import type { Dataset, RawImage } from './types.js';

export interface LoadOptions {
  /** `training` (default) or the held-out `test` subset (DRIVE; synthetic draws fresh images) */
  readonly subset?: 'training' | 'test';
  readonly log?: (line: string) => void;
  /** experiment seed: selects the training split that `normalize dataset` is fitted on (default 0) */
  readonly seed?: number;
  /** saved preprocessing statistics (e.g. from a checkpoint); when given nothing is fitted */
  readonly stats?: PreprocessStats;
  /** folder that relative dataset roots are resolved against (default: the working directory) */
  readonly baseDir?: string;
}

export interface LoadedDataset extends Dataset {
  /** the pipeline applied, with its fitted statistics: save `preprocessor.stats` with the model */
  readonly preprocessor: Preprocessor;
}

export async function loadDataset(data: DataConfig, opts: LoadOptions = {}): Promise<LoadedDataset> {
  const subset = opts.subset ?? 'training';
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const { root, raw } = await loadRawSubset(data.dataset, subset, opts);
  log(`data: ${raw.length} ${data.dataset.kind} ${subset} images${root === undefined ? '' : ` from ${root}`} decoded and validated in ${ms(t0)}`);

  const needsFit = opts.stats === undefined && data.preprocess.some((op) => op.op === 'normalize' && op.mode === 'dataset');
  let fit: RawImage[] | PreprocessStats | undefined = opts.stats;
  if (needsFit) {
    // fit on the same training split the trainer uses, of the training subset
    const training = subset === 'training' ? raw : (await loadRawSubset(data.dataset, 'training', opts)).raw;
    fit = splitImages(training, data.split, opts.seed ?? 0).train;
  }
  const t1 = performance.now();
  const preprocessor = createPreprocessor(data.preprocess, fit);
  const images = raw.map((r) => inFile(r.sourcePath, () => preprocessor.apply(r)));
  log(`data: preprocessed in ${ms(t1)}: ${preprocessor.describe().join('; ')}`);
  const channels = images[0].channels;
  // the scale of the training images, which inference brings other images to (eval.scale fov)
  const stats: PreprocessStats = opts.stats ?? { ...preprocessor.stats, fov_diameter: medianFovDiameter(images) };
  return { kind: data.dataset.kind, ...(root === undefined ? {} : { root }), channels, images, preprocessor: { ...preprocessor, stats } };
}

/** The images of a dataset as decoded, before preprocessing (inference applies its own geometry). */
export async function loadRawImages(data: DataConfig, opts: LoadOptions = {}): Promise<{ root?: string; images: RawImage[] }> {
  const { root, raw } = await loadRawSubset(data.dataset, opts.subset ?? 'training', opts);
  return { ...(root === undefined ? {} : { root }), images: raw };
}

/** The median FOV diameter of images: the scale of a dataset, which inference and `extra_training` bring other images to. */
export function medianFovDiameter(images: ReadonlyArray<Pick<RawImage, 'fov' | 'width' | 'height'>>): number {
  return median(images.map((im) => fovDiameter(im.fov, im.width, im.height)));
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The folder a dataset on disk is read from (R2U_DRIVE_ROOT overrides DRIVE's), or undefined for a synthetic one. */
export function datasetRoot(ds: DatasetConfig, baseDir = process.cwd()): string | undefined {
  if (ds.kind === 'synthetic') return undefined;
  const envRoot = ds.kind === 'drive' ? process.env.R2U_DRIVE_ROOT : undefined;
  return resolve(baseDir, envRoot !== undefined && envRoot !== '' ? envRoot : ds.root);
}

/** A dataset's training or test subset as decoded, each image validated. */
export async function loadRawSubset(ds: DatasetConfig, subset: 'training' | 'test', opts: Pick<LoadOptions, 'baseDir'>): Promise<{ root?: string; raw: RawImage[] }> {
  if (ds.kind === 'synthetic') {
    // the synthetic "test" subset is a fresh draw from a derived seed
    const seed = subset === 'training' ? ds.seed : hashSeed(ds.seed, 0x7e57);
    return { raw: generateSynthetic(ds.count, ds.size, seed) };
  }
  const root = datasetRoot(ds, opts.baseDir)!;
  let files: ImageFiles[];
  if (ds.kind === 'drive') files = await driveFiles(root, subset);
  else if (ds.kind === 'chase_db1') files = heldOut(await chaseFiles(root), ds, subset, root);
  else files = heldOut(await stareFiles(root), ds, subset, root);
  const raw = await mapLimited(files, 4, readRawImage);
  const channels = new Set(raw.map((r) => r.channels));
  if (channels.size > 1) throw new DataError(`images have different channel counts (${[...channels].join(', ')})`, root);
  return { root, raw };
}

/** A dataset published without a test folder: its last `test` images (by id) are the test subset, never trained on. */
function heldOut(files: ImageFiles[], { kind, test }: { kind: string; test: number }, subset: 'training' | 'test', root: string): ImageFiles[] {
  if (subset === 'test' && test === 0) throw new DataError(`${kind} has no held-out test subset unless the dataset states one, e.g. ${kind}("…", test: ${kind === 'chase_db1' ? '8) for the common protocol' : '10)'}`, root);
  if (test >= files.length) throw new DataError(`${kind}(test: ${test}) holds out every image: the folder has ${files.length}`, root);
  const sorted = [...files].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return subset === 'test' ? sorted.slice(sorted.length - test) : sorted.slice(0, sorted.length - test);
}

/** Promise.all with at most `limit` in flight: decoding is done by sharp's thread pool. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function ms(t: number): string {
  return `${Math.round(performance.now() - t)} ms`;
}
