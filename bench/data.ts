// Data-pipeline benchmark: `npx tsx bench/data.ts`.
// 1. load + validate + preprocess the 20 DRIVE training images (crop, green,
//    CLAHE 8x8 clip 2, per-image normalisation, pad 8), cold then warm;
// 2. synthetic generation (20 x 256x256);
// 3. patch sampler throughput with every augmentation on, 48x48 patches;
// 4. share of time a consumer waits on the prefetch queue, with a consumer
//    that awaits (as a trainer awaiting tensor data does) and one that blocks.
// Timings are wall-clock on whatever else the machine is running: see loadavg.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_EXPERIMENT } from '../src/compiler/defaults.js';
import type { AugmentConfig, DataConfig } from '../src/runtime/config.js';
import { generateSynthetic, loadDataset, PatchSampler, splitImages, type FundusImage } from '../src/runtime/data/index.js';

const DRIVE = resolve(process.env.R2U_DRIVE_ROOT || '../shared/data/DRIVE');
const AUG: AugmentConfig = {
  flip_horizontal: true,
  flip_vertical: true,
  rotate90: true,
  rotate: 15,
  brightness: 0.1,
  contrast: 0.1,
  gamma: 0.1,
  elastic: { alpha: 8, sigma: 4 },
};

const cpu = cpus();
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, node ${process.version}, loadavg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const data: DataConfig = {
  ...DEFAULT_EXPERIMENT.data,
  dataset: { kind: 'drive', root: DRIVE },
  preprocess: [
    { op: 'crop', mode: 'center', size: [565, 565] },
    { op: 'grayscale', mode: 'green' },
    { op: 'clahe', tiles: [8, 8], clip: 2 },
    { op: 'normalize', mode: 'per_image' },
    { op: 'pad', multiple: 8 },
  ],
  patches: { size: [48, 48], per_epoch: 4000, vessel_fraction: 0.5 },
};

let images: FundusImage[];
if (existsSync(resolve(DRIVE, 'training', 'images'))) {
  for (const run of ['cold', 'warm', 'warm']) {
    const t = performance.now();
    const ds = await loadDataset(data);
    images = ds.images;
    console.log(`DRIVE load+validate+preprocess (20 images, CLAHE), ${run}: ${(performance.now() - t).toFixed(0)} ms`);
  }
} else {
  console.log(`DRIVE absent at ${DRIVE}: sampler benchmark runs on synthetic 565x565 grey images`);
  images = (await loadDataset({ ...data, dataset: { kind: 'synthetic', count: 20, size: [565, 565], seed: 1 }, preprocess: data.preprocess.slice(1) })).images;
}

{
  const t = performance.now();
  generateSynthetic(20, [256, 256], 1);
  console.log(`synthetic 20 x 256x256: ${(performance.now() - t).toFixed(0)} ms`);
}

const { train } = splitImages(images!, data.split, 42);
for (const [name, aug] of [
  ['no augmentation', DEFAULT_EXPERIMENT.data.augment],
  ['flips + rot90', { ...DEFAULT_EXPERIMENT.data.augment, flip_horizontal: true, flip_vertical: true, rotate90: true }],
  ['all augmentations (incl. rotate 15, elastic)', AUG],
] as const) {
  const sampler = new PatchSampler(train, data.patches, aug, 42);
  const t = performance.now();
  let n = 0;
  for await (const b of sampler.batches(0, 32)) n += b.n;
  const s = (performance.now() - t) / 1000;
  console.log(`sampler, ${name}: ${(n / s).toFixed(0)} patches/s (${n} patches of 48x48 in ${s.toFixed(2)} s)`);
}

// waiting share: a trainer at ~30 patches/s spends ~1 s per batch of 32; scaled
// down here to 40 ms per batch (~800 patches/s) to keep the benchmark short
const perBatchMs = 40;
for (const mode of ['awaiting', 'blocking'] as const) {
  const sampler = new PatchSampler(train, { ...data.patches, per_epoch: 32 * 25 }, AUG, 7);
  const t = performance.now();
  for await (const _ of sampler.batches(0, 32)) {
    if (mode === 'awaiting') await new Promise((r) => setTimeout(r, perBatchMs));
    else for (const end = performance.now() + perBatchMs; performance.now() < end; );
  }
  const total = performance.now() - t;
  console.log(`consumer ${mode} ${perBatchMs} ms per batch of 32: waited ${sampler.waitMs.toFixed(0)} of ${total.toFixed(0)} ms (${((100 * sampler.waitMs) / total).toFixed(1)}%)`);
}
