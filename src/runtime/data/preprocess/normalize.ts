// normalize: per-channel z-score computed inside the FOV only (the black
// surround would otherwise dominate the statistics). Pixels outside the FOV are
// set to 0, i.e. to the mean. `per_image` uses each image's own statistics;
// `dataset` uses statistics fitted once on the training images and saved, so
// inference applies exactly the training transform.
import { DataError } from '../errors.js';
import type { Step, Working } from './image.js';

export interface ChannelStats {
  readonly mean: number[];
  readonly std: number[];
}

/** Per-channel mean and standard deviation over the FOV pixels of all images. */
export function fovStats(images: readonly Working[]): ChannelStats {
  const c = images[0].channels;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  let count = 0;
  for (const img of images) {
    for (let i = 0; i < img.fov.length; i++) {
      if (img.fov[i] === 0) continue;
      count++;
      for (let k = 0; k < c; k++) {
        const v = img.pixels[i * c + k];
        sum[k] += v;
        sq[k] += v * v;
      }
    }
  }
  const mean = Array.from(sum, (s) => s / Math.max(count, 1));
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(s / Math.max(count, 1) - mean[k] * mean[k], 0)));
  return { mean, std };
}

export function zscore(img: Working, { mean, std }: ChannelStats): Working {
  const c = img.channels;
  // a flat channel has no contrast to normalise: centre it and leave the scale alone
  const inv = std.map((s) => (s > 1e-6 ? 1 / s : 1));
  const out = new Float32Array(img.pixels.length);
  for (let i = 0; i < img.fov.length; i++) {
    if (img.fov[i] === 0) continue;
    for (let k = 0; k < c; k++) out[i * c + k] = (img.pixels[i * c + k] - mean[k]) * inv[k];
  }
  return { ...img, pixels: out };
}

export function perImageNormalizeStep(): Step {
  return { description: 'normalize per image: z-score per channel inside the FOV, 0 outside', apply: (img) => zscore(img, fovStats([img])) };
}

export function datasetNormalizeStep(stats: ChannelStats, fittedOn: string): Step {
  const fmt = (v: number[]): string => `[${v.map((x) => x.toPrecision(4)).join(', ')}]`;
  return {
    description: `normalize dataset: z-score with mean ${fmt(stats.mean)} std ${fmt(stats.std)} (${fittedOn}), 0 outside the FOV`,
    apply: (img) => {
      if (img.channels !== stats.mean.length) {
        throw new DataError(`normalize dataset: statistics have ${stats.mean.length} channels, the image has ${img.channels}`);
      }
      return zscore(img, stats);
    },
  };
}
