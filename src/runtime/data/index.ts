// The data pipeline's public API: loading and validating datasets,
// preprocessing, splitting, patch sampling with augmentation, previews.
export { DataError } from './errors.js';
export type { Batch, Dataset, FundusImage, GeometryStep, RawImage, Size } from './types.js';
export { datasetRoot, loadDataset, loadRawImages, type LoadOptions, type LoadedDataset } from './load.js';
export { loadFundusImage } from './fundus.js';
export { createPreprocessor, inputChannels, type Preprocessor, type PreprocessorOptions, type PreprocessStats } from './preprocess/index.js';
export { toOriginalGeometry } from './geometry.js';
export { sharedValidation, splitImages, type Split } from './split.js';
export { loadTrainingSplit, type TrainingSplit } from './training-split.js';
export { resampleRaw, scaleFor } from './rescale.js';
export { PatchSampler, type PatchPlacement, type SamplerOptions } from './sampler.js';
export { gridPatches, cropPatch } from './grid.js';
export { generateSynthetic, synthesizeFundus } from './synthetic.js';
export { writePreview, type PreviewOptions } from './preview.js';
export { hashSeed, mulberry32, type Rng } from './rng.js';
