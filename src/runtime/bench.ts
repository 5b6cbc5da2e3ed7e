// `r2u bench`: training throughput and full-image inference time of an
// experiment's model on random data of the experiment's shapes.
import type { BackendInfo } from './backend.js';
import { ensembleSize, type BackendName, type Dims, type ExperimentConfig } from '../spec/config.js';
import { createTrainEngine } from './engine/index.js';
import { inputChannels } from './data/index.js';
import { summarizeModel } from './model/index.js';

export interface BenchOptions {
  /** timed training steps (after warm-up) */
  readonly steps: number;
  /** untimed steps first: XNNPACK builds its operators on first use */
  readonly warmup?: number;
  /** data-parallel workers; 0 = one per core */
  readonly workers: number;
  readonly backend: BackendName;
  /** also time inference on a batch of this many training-sized patches (as PyTorch benchmarks do) */
  readonly inferPatches?: number;
  /** image for the inference timing, height x width; default DRIVE's 584 x 565 */
  readonly image?: Dims;
  /** progress lines (to stderr in the CLI) */
  readonly log?: (line: string) => void;
}

export interface BenchResult {
  readonly backend: string;
  readonly backendDescription: string;
  /** webgpu: the GPU adapter measured */
  readonly adapter?: BackendInfo['adapter'];
  /** where gradients are computed (the engine's layout) */
  readonly gradients: string;
  readonly workers: number;
  /** the networks the experiment trains (`train { ensemble N }`; 1 without); every figure is one network's */
  readonly networks: number;
  readonly batch: number;
  readonly patch: Dims;
  readonly inputChannels: number;
  readonly params: number;
  /** forward convolution FLOPs per patch */
  readonly flopsPerPatch: number;
  readonly steps: number;
  readonly stepSeconds: { readonly median: number; readonly min: number; readonly max: number };
  readonly trainPatchesPerSec: number;
  /** 3 x forward FLOPs (forward, input and filter gradients) per second at the median step */
  readonly trainGflopsPerSec: number;
  readonly image: Dims;
  /** the image padded to a multiple of 2^depth */
  readonly paddedImage: Dims;
  /** one image, in the main thread */
  readonly inferImageSeconds: number;
  readonly inferGflopsPerSec: number;
  /** images per second when `workers` images are predicted at once (spread over the workers) */
  readonly inferImagesPerSec: number;
  /** patches per second predicted in batches of `inferPatches`, when asked for */
  readonly inferPatchesPerSec?: number;
  /** peak resident set size of the process (workers included) when training ends, before any inference, MiB */
  readonly trainPeakRssMiB: number;
  /** peak resident set size of the process (workers included) over the whole bench, MiB */
  readonly peakRssMiB: number;
}

/** deterministic pseudo-random floats in [0, 1) */
function noise(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function runBench(config: ExperimentConfig, opts: BenchOptions): Promise<BenchResult> {
  if (!(opts.steps >= 1)) throw new Error(`bench needs at least one step, got ${opts.steps}`);
  const log = opts.log ?? (() => {});
  const channels = inputChannels(config.data);
  const [ph, pw] = config.data.patches.size;
  const batch = config.train.batch;
  const engine = await createTrainEngine({ config, inputChannels: channels, workers: opts.workers, backend: opts.backend });
  try {
    const summary = summarizeModel(engine.model, [ph, pw], channels);
    log(`backend: ${engine.backend.description}; gradients: ${engine.layout}`);
    log(`model: ${config.model.arch}, ${summary.params.toLocaleString('en-US')} parameters, ${(summary.flopsPerPatch / 1e9).toFixed(3)} GFLOP/patch`);

    const x = noise(batch * ph * pw * channels, 1);
    const y = noise(batch * ph * pw, 2).map((v) => (v < 0.12 ? 1 : 0));
    const warmup = opts.warmup ?? 2;
    for (let i = 0; i < warmup; i++) {
      await engine.step(x, y, batch, ph, pw);
      log(`warm-up step ${i + 1}/${warmup}`);
    }
    const times: number[] = [];
    for (let i = 0; i < opts.steps; i++) {
      const t0 = performance.now();
      await engine.step(x, y, batch, ph, pw);
      times.push((performance.now() - t0) / 1000);
      log(`step ${i + 1}/${opts.steps}: ${times[i].toFixed(3)} s`);
    }
    const stepMedian = median(times);
    const trainPeakRssMiB = process.resourceUsage().maxRSS / 1024;

    const image = opts.image ?? ([584, 565] as const);
    const multiple = 2 ** config.model.depth;
    const padded: Dims = [Math.ceil(image[0] / multiple) * multiple, Math.ceil(image[1] / multiple) * multiple];
    const img = noise(padded[0] * padded[1] * channels, 3);
    await engine.predict(img, 1, padded[0], padded[1]); // warm-up: operators for the new shape
    const t0 = performance.now();
    await engine.predict(img, 1, padded[0], padded[1]);
    const inferSeconds = (performance.now() - t0) / 1000;
    let imagesPerSec = 1 / inferSeconds;
    if (engine.workers > 1) {
      const k = engine.workers;
      const imgs = noise(k * padded[0] * padded[1] * channels, 4);
      await engine.predict(imgs, k, padded[0], padded[1]);
      const t1 = performance.now();
      await engine.predict(imgs, k, padded[0], padded[1]);
      imagesPerSec = k / ((performance.now() - t1) / 1000);
    }
    const imageFlops = (summary.flopsPerPatch * padded[0] * padded[1]) / (ph * pw);
    let inferPatchesPerSec: number | undefined;
    if (opts.inferPatches !== undefined) {
      const k = opts.inferPatches;
      const patches = noise(k * ph * pw * channels, 5);
      await engine.predict(patches, k, ph, pw);
      const t2 = performance.now();
      await engine.predict(patches, k, ph, pw);
      inferPatchesPerSec = k / ((performance.now() - t2) / 1000);
    }

    return {
      backend: engine.backend.name,
      backendDescription: engine.backend.description,
      ...(engine.backend.adapter === undefined ? {} : { adapter: engine.backend.adapter }),
      gradients: engine.layout,
      workers: engine.workers,
      networks: ensembleSize(config),
      batch,
      patch: [ph, pw],
      inputChannels: channels,
      params: summary.params,
      flopsPerPatch: summary.flopsPerPatch,
      steps: opts.steps,
      stepSeconds: { median: stepMedian, min: Math.min(...times), max: Math.max(...times) },
      trainPatchesPerSec: batch / stepMedian,
      trainGflopsPerSec: (3 * summary.flopsPerPatch * batch) / stepMedian / 1e9,
      image,
      paddedImage: padded,
      inferImageSeconds: inferSeconds,
      inferGflopsPerSec: imageFlops / inferSeconds / 1e9,
      inferImagesPerSec: imagesPerSec,
      ...(inferPatchesPerSec === undefined ? {} : { inferPatchesPerSec }),
      trainPeakRssMiB,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await engine.dispose();
  }
}

export function formatBench(r: BenchResult): string {
  const s = r.stepSeconds;
  return [
    `backend        ${r.backendDescription}`,
    `gradients      ${r.gradients}`,
    `model          ${r.params.toLocaleString('en-US')} parameters, ${(r.flopsPerPatch / 1e9).toFixed(3)} GFLOP forward per ${r.patch.join('x')}x${r.inputChannels} patch`,
    ...(r.networks > 1 ? [`  ensemble     the experiment trains ${r.networks} such networks and segments with all of them: its training and inference take ${r.networks} times the figures below`] : []),
    `training       ${r.trainPatchesPerSec.toFixed(1)} patches/s (batch ${r.batch}, ${r.steps} steps)`,
    `  step time    median ${s.median.toFixed(3)} s, min ${s.min.toFixed(3)} s, max ${s.max.toFixed(3)} s`,
    `  effective    ${r.trainGflopsPerSec.toFixed(1)} GFLOP/s (3 x forward FLOPs)`,
    `inference      ${r.inferImageSeconds.toFixed(3)} s per ${r.image.join('x')} image (padded to ${r.paddedImage.join('x')}), ${r.inferGflopsPerSec.toFixed(1)} GFLOP/s`,
    ...(r.workers > 1 ? [`  batched      ${r.inferImagesPerSec.toFixed(2)} images/s with ${r.workers} images over ${r.workers} workers`] : []),
    `peak RSS       ${r.trainPeakRssMiB.toFixed(0)} MiB training, ${r.peakRssMiB.toFixed(0)} MiB with inference`,
  ].join('\n');
}
