// Field-of-view estimation for images that ship without a mask, for any
// camera: the retina is a bright disc (clipped by the frame on some cameras) on
// a near-black surround. Pixels brighter than a small fraction of the image's
// bright level are retina; the largest such region, with its holes filled, is
// the FOV. Otsu's threshold is not used: on photographs with a dark periphery
// (CHASE_DB1) it splits the retina itself, not retina from surround.
// Pure code (no I/O): the browser page shares it.
import { forEachComponent, N4 } from './components.js';
import { DataError } from './errors.js';

/** Retina = brightness above this fraction of the 99th-percentile brightness. */
const RELATIVE_THRESHOLD = 0.08;
/** An FOV must cover at least this share of the image... */
const MIN_AREA = 0.05;
/** ...and leave a surround: a full-frame bright image is no fundus photograph we can bound. */
const MAX_AREA = 0.985;
/** Area of the FOV over the area of the (frame-clipped) disc its extent implies: within this of 1. */
const ROUNDNESS_TOLERANCE = 0.1;

/** Larger images are estimated on every s-th pixel so that the longer side is at most this (the cost stays bounded). */
const MAX_SIDE = 1024;

/**
 * 0/1 FOV of an HWC [0,1] image. Throws a DataError when no disc-shaped
 * bright region on a dark surround is found (`file` names the image).
 */
export function estimateFov(pixels: Float32Array, width: number, height: number, channels: number, file?: string): Uint8Array {
  const step = Math.ceil(Math.max(width, height) / MAX_SIDE);
  if (step === 1) return estimateFullSize(pixels, width, height, channels, file);
  const w = Math.ceil(width / step);
  const h = Math.ceil(height / step);
  const sampled = new Float32Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * step * width + x * step) * channels;
      for (let k = 0; k < channels; k++) sampled[(y * w + x) * channels + k] = pixels[src + k];
    }
  }
  const small = estimateFullSize(sampled, w, h, channels, file);
  const fov = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = ((y / step) | 0) * w;
    for (let x = 0; x < width; x++) fov[y * width + x] = small[row + ((x / step) | 0)];
  }
  return fov;
}

function estimateFullSize(pixels: Float32Array, width: number, height: number, channels: number, file?: string): Uint8Array {
  const n = width * height;
  const bright = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < channels; k++) m = Math.max(m, pixels[i * channels + k]);
    bright[i] = m;
  }
  const p99 = percentile(bright, 0.99);
  const t = Math.max(RELATIVE_THRESHOLD * p99, 1.5 / 255);
  const above = new Uint8Array(n);
  for (let i = 0; i < n; i++) above[i] = bright[i] > t ? 1 : 0;
  const fov = fillHoles(largestComponent(above, width, height), width, height);
  const area = fov.reduce((s, v) => s + v, 0);
  const fail = (why: string): never => {
    throw new DataError(`no field of view found: ${why}; not a fundus photograph? (give its FOV mask with --fov)`, file);
  };
  if (area < MIN_AREA * n) fail(`the largest bright region covers ${((100 * area) / n).toFixed(1)}% of the image`);
  if (area > MAX_AREA * n) fail('the image has no dark surround');
  const roundness = area / impliedDiscArea(fov, width, height);
  if (Math.abs(roundness - 1) > ROUNDNESS_TOLERANCE) fail(`the bright region is not a disc (it fills ${(100 * roundness).toFixed(0)}% of the disc its extent implies)`);
  return fov;
}

export interface FovExtent {
  readonly x0: number;
  readonly y0: number;
  /** exclusive */
  readonly x1: number;
  readonly y1: number;
}

/** Bounding box of the FOV; null when it is empty. */
export function fovExtent(fov: Uint8Array, width: number, height: number): FovExtent | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (fov[y * width + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * FOV diameter in pixels: the longer side of its bounding box, since cameras
 * clip the disc at the top and bottom (or not at all), never on both axes.
 */
export function fovDiameter(fov: Uint8Array, width: number, height: number): number {
  const e = fovExtent(fov, width, height);
  return e === null ? 0 : Math.max(e.x1 - e.x0, e.y1 - e.y0);
}

/** Pixels of the disc of diameter `fovDiameter` centred on the bounding box, clipped to the box. */
function impliedDiscArea(fov: Uint8Array, width: number, height: number): number {
  const e = fovExtent(fov, width, height)!;
  const r = Math.max(e.x1 - e.x0, e.y1 - e.y0) / 2;
  const cx = (e.x0 + e.x1) / 2;
  const cy = (e.y0 + e.y1) / 2;
  let area = 0;
  for (let y = e.y0; y < e.y1; y++) {
    const dy = y + 0.5 - cy;
    const half = Math.sqrt(Math.max(0, r * r - dy * dy));
    area += Math.max(0, Math.min(e.x1, cx + half) - Math.max(e.x0, cx - half));
  }
  return area;
}

function percentile(values: Float32Array, q: number): number {
  // 1024-bin histogram: exact enough for a threshold, linear time
  const bins = new Uint32Array(1025);
  for (const v of values) bins[Math.round(Math.min(1, Math.max(0, v)) * 1024)]++;
  const target = q * values.length;
  let seen = 0;
  for (let b = 0; b <= 1024; b++) {
    seen += bins[b];
    if (seen >= target) return b / 1024;
  }
  return 1;
}

function largestComponent(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  let best: Int32Array | null = null;
  forEachComponent(mask, width, height, 1, N4, (pixels, size) => {
    if (best === null || size > best.length) best = pixels.slice(0, size);
  });
  for (const p of (best ?? new Int32Array(0)) as Int32Array) out[p] = 1;
  return out;
}

/** Background regions that do not reach the border (dark lesions, the fovea) become FOV. */
function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = mask.slice();
  forEachComponent(mask, width, height, 0, N4, (pixels, size, border) => {
    if (!border) for (let i = 0; i < size; i++) out[pixels[i]] = 1;
  });
  return out;
}
