// Data-pipeline benchmark: `npx tsx bench/data.ts [--learn [seconds]]`.
// 1. load + validate + preprocess the 20 DRIVE training images (crop, green,
//    CLAHE 8x8 clip 2, per-image normalisation, pad 8), cold then warm;
// 2. synthetic generation (20 x 256x256);
// 3. patch sampler throughput with every augmentation on, 48x48 patches;
// 4. share of time a consumer waits on the prefetch queue, with a consumer
//    that awaits (as a trainer awaiting tensor data does) and one that blocks.
// 5. with --learn: is the default synthetic dataset learnable? Trains a small
//    U-Net (depth 3, 8 filters, BCE + Dice) on raw RGB 48x48 patches for the
//    given wall-clock budget (default 120 s) and prints validation Dice.
// Timings are wall-clock on whatever else the machine is running: see loadavg.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_EXPERIMENT } from '../src/spec/defaults.js';
import type { AugmentConfig, DataConfig } from '../src/spec/config.js';
import { machineLine } from './machine.js';
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

console.log(`machine: ${machineLine()}, loadavg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

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

const learnAt = process.argv.indexOf('--learn');
if (learnAt >= 0) await learnability(Number(process.argv[learnAt + 1] ?? 120) || 120);

async function learnability(seconds: number): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../src/runtime/backend.js');
  const { buildModel } = await import('../src/runtime/model/index.js');
  const { makeLoss } = await import('../src/runtime/train/losses.js');
  console.log(`learnability: ${(await initBackend('auto')).description}, budget ${seconds} s`);
  const cfg: DataConfig = { ...DEFAULT_EXPERIMENT.data, patches: { size: [48, 48], per_epoch: 1_000_000, vessel_fraction: 0.5 } };
  const ds = await loadDataset(cfg, { seed: 42 });
  const { train: tr, val } = splitImages(ds.images, cfg.split, 42);
  const sampler = new PatchSampler(tr, cfg.patches, { ...cfg.augment, flip_horizontal: true, rotate90: true }, 42);
  const model = buildModel({ ...DEFAULT_EXPERIMENT.model, arch: 'unet', depth: 3, filters: 8 }, ds.channels);
  const loss = makeLoss({ kind: 'bce_dice', dice_weight: 1, smooth: 1 });
  const opt = tf.train.adam(2e-3);
  const dice = (): number => {
    let inter = 0;
    let sum = 0;
    for (const im of val) {
      const p = tf.tidy(() => (model.predict(tf.tensor4d(im.pixels, [1, im.height, im.width, im.channels])) as InstanceType<typeof tf.Tensor>).dataSync());
      im.fov.forEach((f, i) => {
        if (!f) return;
        const b = p[i] >= 0.5 ? 1 : 0;
        inter += b * im.label![i];
        sum += b + im.label![i];
      });
    }
    return (2 * inter) / sum;
  };
  const t0 = performance.now();
  let step = 0;
  for await (const b of sampler.batches(0, 16)) {
    const x = tf.tensor4d(b.x, [b.n, b.h, b.w, b.c]);
    const y = tf.tensor4d(b.y, [b.n, b.h, b.w, 1]);
    const l = opt.minimize(() => loss(y, model.apply(x, { training: true }) as InstanceType<typeof tf.Tensor>), true)!;
    await l.data();
    tf.dispose([x, y, l]);
    if (++step % 100 === 0) console.log(`  step ${step}, ${((performance.now() - t0) / 1000).toFixed(0)} s: val Dice ${dice().toFixed(3)}`);
    if (performance.now() - t0 > seconds * 1000) break;
  }
  console.log(`learnability: val Dice ${dice().toFixed(3)} after ${step} steps of 16 patches in ${((performance.now() - t0) / 1000).toFixed(0)} s (sampler waited ${sampler.waitMs.toFixed(0)} ms)`);
}
