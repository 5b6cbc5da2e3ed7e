// Inference over whole images, shared by validation, `r2u eval` and
// `r2u predict` so that every number comes from the same code path.
//
// Both modes take a `predict(x, n, h, w)` function (NHWC input, one
// probability per pixel out), which keeps them independent of the model.
import type { Dims, ExperimentConfig } from '../../spec/config.js';
import type { InferenceMode } from '../../spec/vocabulary.js';

export type PredictFn = (x: Float32Array, n: number, h: number, w: number) => Promise<Float32Array>;

/** The part of a preprocessed image that inference needs: HWC pixels. */
export interface InferInput {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Float32Array;
}

export interface InferenceSettings {
  readonly mode: InferenceMode;
  /** full image: sides are padded to a multiple of this (2^depth) */
  readonly multiple: number;
  /** full image: images with a padded side above this are split into overlapping tiles */
  readonly maxTile: number;
  /** full image: context discarded at each inner tile edge */
  readonly tileMargin: number;
  /** sliding window: patch size and stride */
  readonly patch: Dims;
  readonly stride: Dims;
  /** sliding window: patches per forward pass */
  readonly batch: number;
}

/**
 * Inference settings of an experiment; patches are the training patch size.
 * `maxTensorBytes` is the largest tensor the backend can hold (a GPU's
 * buffer limits); tiles and sliding-window batches are sized to stay under it.
 */
export function inferenceSettings(config: ExperimentConfig, maxTensorBytes = Infinity): InferenceSettings {
  const multiple = 2 ** config.model.depth;
  // the widest full-resolution tensor: the last decoder block's input, skip and upsampled path concatenated
  const bytesPerPixel = 4 * 2 * config.model.filters;
  const fitting = Math.floor(Math.sqrt(maxTensorBytes / bytesPerPixel) / multiple) * multiple;
  const [ph, pw] = config.data.patches.size;
  return {
    mode: config.eval.mode,
    multiple,
    maxTile: Math.max(multiple, Math.min(Math.floor(1024 / multiple) * multiple, fitting)),
    tileMargin: Math.ceil(64 / multiple) * multiple,
    patch: config.data.patches.size,
    stride: config.eval.stride,
    batch: Math.max(1, Math.min(config.train.batch, Math.floor(maxTensorBytes / (bytesPerPixel * ph * pw)))),
  };
}

/** The largest tensor a backend can hold, in bytes (unbounded but for GPUs). */
export function maxTensorBytes(backend: { readonly adapter?: { maxStorageBufferBindingSize: number; maxBufferSize: number } }): number {
  return backend.adapter === undefined ? Infinity : Math.min(backend.adapter.maxStorageBufferBindingSize, backend.adapter.maxBufferSize);
}

export function infer(img: InferInput, predict: PredictFn, s: InferenceSettings): Promise<Float32Array> {
  return s.mode === 'full_image' ? inferFullImage(img, predict, s) : inferSlidingWindow(img, predict, s);
}

/** Copies the window [y0, y0+h) x [x0, x0+w) of the image into `out` at `offset`, zero outside the image. */
function extract(img: InferInput, y0: number, x0: number, h: number, w: number, out: Float32Array, offset: number): void {
  const c = img.channels;
  for (let y = 0; y < h; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= img.height) continue;
    const xa = Math.max(0, -x0);
    const xb = Math.min(w, img.width - x0);
    if (xb <= xa) continue;
    const src = (sy * img.width + x0 + xa) * c;
    out.set(img.pixels.subarray(src, src + (xb - xa) * c), offset + (y * w + xa) * c);
  }
}

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

/**
 * Tiles of one axis: `[start, coreStart, coreEnd)` where the tile
 * [start, start+tile) is predicted and only its core is kept. Cores partition
 * [0, len); each core sits at least `margin` inside its tile unless at an edge.
 */
function axisTiles(len: number, tile: number, margin: number): Array<[number, number, number]> {
  if (len <= tile) return [[0, 0, len]];
  const core = tile - 2 * margin;
  const out: Array<[number, number, number]> = [];
  for (let c0 = 0; c0 < len; c0 += core) {
    const c1 = Math.min(len, c0 + core);
    const start = Math.min(Math.max(0, c0 - margin), len - tile);
    out.push([start, c0, c1]);
  }
  return out;
}

/**
 * One forward pass over the image zero-padded to a multiple of 2^depth; very
 * large images go through overlapping tiles whose margins are discarded.
 */
export async function inferFullImage(img: InferInput, predict: PredictFn, s: InferenceSettings): Promise<Float32Array> {
  const hp = roundUp(img.height, s.multiple);
  const wp = roundUp(img.width, s.multiple);
  const tile = Math.max(s.multiple, Math.floor(s.maxTile / s.multiple) * s.multiple);
  const margin = Math.min(s.tileMargin, Math.floor((tile - s.multiple) / 2 / s.multiple) * s.multiple);
  const out = new Float32Array(img.width * img.height);
  for (const [ty, cy0, cy1] of axisTiles(hp, tile, margin)) {
    for (const [tx, cx0, cx1] of axisTiles(wp, tile, margin)) {
      const th = Math.min(tile, hp);
      const tw = Math.min(tile, wp);
      const x = new Float32Array(th * tw * img.channels);
      extract(img, ty, tx, th, tw, x, 0);
      const prob = await predict(x, 1, th, tw);
      for (let y = cy0; y < Math.min(cy1, img.height); y++) {
        const row = (y - ty) * tw - tx;
        for (let xx = cx0; xx < Math.min(cx1, img.width); xx++) out[y * img.width + xx] = prob[row + xx];
      }
    }
  }
  return out;
}

/** Window starts along one axis: every `stride`, plus one flush with the end so the whole axis is covered. */
function windowStarts(len: number, patch: number, stride: number): number[] {
  if (len <= patch) return [0];
  const starts: number[] = [];
  for (let p = 0; p + patch < len; p += stride) starts.push(p);
  starts.push(len - patch);
  return starts;
}

/** Overlapping patches at the configured stride; each pixel gets the mean of the patches covering it. */
export async function inferSlidingWindow(img: InferInput, predict: PredictFn, s: InferenceSettings): Promise<Float32Array> {
  const [ph, pw] = s.patch;
  const windows: Array<[number, number]> = [];
  for (const y of windowStarts(img.height, ph, s.stride[0])) for (const x of windowStarts(img.width, pw, s.stride[1])) windows.push([y, x]);
  // float64 sums of float32 values stay exact for any realistic overlap count, so a constant model yields that constant
  const sum = new Float64Array(img.width * img.height);
  const count = new Uint32Array(img.width * img.height);
  const patchLen = ph * pw * img.channels;
  for (let b = 0; b < windows.length; b += s.batch) {
    const group = windows.slice(b, b + s.batch);
    const x = new Float32Array(group.length * patchLen);
    group.forEach(([y0, x0], i) => extract(img, y0, x0, ph, pw, x, i * patchLen));
    const prob = await predict(x, group.length, ph, pw);
    group.forEach(([y0, x0], i) => {
      for (let y = 0; y < ph && y0 + y < img.height; y++) {
        for (let xx = 0; xx < pw && x0 + xx < img.width; xx++) {
          const o = (y0 + y) * img.width + x0 + xx;
          sum[o] += prob[i * ph * pw + y * pw + xx];
          count[o]++;
        }
      }
    });
  }
  const out = new Float32Array(sum.length);
  for (let i = 0; i < out.length; i++) out[i] = sum[i] / count[i];
  return out;
}
