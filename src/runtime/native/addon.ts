// Loads r2u's native CPU kernels (native/, built by `npm ci` through
// scripts/build-native.mjs), or says exactly why they are not there.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsFresh } from '../../build-freshness.mjs';

export interface NativeAddon {
  /** kind 0: forward (+bias, activation), 1: input gradient, 2: filter gradient; see native/src/r2u_native.cc */
  conv(
    kind: 0 | 1 | 2,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    geometry: Int32Array,
    bias?: Float32Array | null,
    activation?: number,
    alpha?: number,
  ): void;
  tile(x: ArrayBufferView, out: ArrayBufferView, shape: Int32Array, reps: Int32Array, elementBytes: number): void;
  /** out[j] = scale * sum_i x[i * cols + j] */
  reduceRows(x: Float32Array, out: Float32Array, rows: number, cols: number, scale: number): void;
  /** op 0 add, 1 sub, 2 mul, 3 div; broadcast 0 same, 1 b per column, 2 a per column, 3 b scalar, 4 a scalar */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, n: number, cols: number, broadcast: number): void;
  batchNorm(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    epsilon: number,
  ): void;
  /** batch statistics of each column (mean, biased variance) and the normalised x (rectified with relu) */
  batchNormTrain(
    x: Float32Array,
    y: Float32Array,
    rows: number,
    cols: number,
    scale: Float32Array | null,
    offset: Float32Array | null,
    epsilon: number,
    mean: Float32Array,
    variance: Float32Array,
    relu: boolean,
  ): void;
  /** batchNormTrain's gradients with respect to x (through the batch statistics too), scale and offset */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    rows: number,
    cols: number,
    scale: Float32Array | null,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
    dx: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
    offset: Float32Array | null,
    relu: boolean,
  ): void;
  /** row i of rowBytes bytes from src + i * srcStride to dst + i * dstStride */
  copyRows(src: ArrayBufferView, dst: ArrayBufferView, rows: number, rowBytes: number, srcStride: number, dstStride: number): void;
  /** geometry: conv's 17 numbers for the pooling window; NHWC */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** OpenMP threads for oneDNN calls from this thread; returns the count in force */
  setThreads(n: number): number;
  info(): { api: number; library: string; version: string; isa: string; threads: number };
}

/** kApiVersion of native/src/r2u_native.cc that this file's interface describes */
const API_VERSION = 6;

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../native');
const addonPath = (dir: string): string => path.join(dir, 'build', 'Release', 'r2u_native.node');

/** Why the addon under `dir` (a native/ folder) cannot be loaded, before loading it; null when it can be tried. */
export function addonProblem(dir: string = nativeDir): string | null {
  const file = addonPath(dir);
  if (!fs.existsSync(file)) {
    try {
      const status = JSON.parse(fs.readFileSync(path.join(dir, 'build', 'status.json'), 'utf8')) as { reason?: string | null };
      if (status.reason) return `not built at install: ${status.reason}`;
    } catch {
      // no status: the install script never ran
    }
    return 'the addon was not built (run npm ci, or node scripts/build-native.mjs)';
  }
  // an addon built before its sources last changed (a pull, a branch switch, an edit) would run the old kernels
  if (!buildIsFresh(file, [path.join(dir, 'src'), path.join(dir, 'binding.gyp')])) {
    return `${path.relative(process.cwd(), file)} is older than ${path.relative(process.cwd(), path.join(dir, 'src'))}: run npm run build:native`;
  }
  return null;
}

let loaded: NativeAddon | string | undefined;

/** The addon, or why it cannot be used (the install's own reason where it recorded one). */
export function loadNativeAddon(): NativeAddon | string {
  if (loaded !== undefined) return loaded;
  if (process.env.R2U_NATIVE === '0') return (loaded = 'R2U_NATIVE=0 is set');
  const problem = addonProblem();
  if (problem !== null) return (loaded = problem);
  try {
    const addon = createRequire(import.meta.url)(addonPath(nativeDir)) as NativeAddon;
    const api = addon.info().api;
    // the interface this file describes; a build that passes the mtime test can still be another version's (a copied folder)
    loaded = api === API_VERSION ? addon : `native/build is out of date (API ${api ?? 1}, this r2u needs ${API_VERSION}): run npm run build:native`;
  } catch (err) {
    loaded = `${path.relative(process.cwd(), addonPath(nativeDir))} failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return loaded;
}
