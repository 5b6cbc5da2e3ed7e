/// <reference lib="dom" />
// The browser page: a fundus photograph dropped on it is segmented in the
// browser by TF.js (webgl, else wasm) with the checkpoint exported beside it,
// through segment.ts, the same inference geometry and preprocessing code as
// `r2u predict`. Bundled by export.ts with esbuild; no Node module is reached.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { ExperimentConfig } from '../spec/config.js';
import { DataError } from '../runtime/data/errors.js';
import { estimateFov } from '../runtime/data/fov.js';
import type { PreprocessStats } from '../runtime/data/preprocess/index.js';
import { unitPixels } from '../runtime/data/samples.js';
import type { RawImage } from '../runtime/data/types.js';
import { meanPredictFn, modelPredictFn } from '../runtime/eval/model-predict.js';
import type { EnsembleManifest } from '../runtime/run/ensemble.js';
import { withNewerDefaults } from '../spec/defaults.js';
import { binarize } from '../runtime/eval/postprocess.js';
import { createSegmenter } from '../runtime/eval/segment.js';
// registers the custom layers (group normalisation) that loading may meet
import '../runtime/model/index.js';

/** What the page shows and what its test reads back. */
export interface PageResult {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly backend: string;
  readonly ms: number;
  /** probability map at the original size, float32 little-endian, base64 */
  readonly probBase64: string;
}

declare global {
  interface Window {
    r2uLast?: PageResult;
  }
}

const OVERLAY_ALPHA = 0.6;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** WebGL rendered on the CPU (SwiftShader, llvmpipe) is far slower than wasm: it does not count as a GPU. */
function hasHardwareWebgl(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (gl === null) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info === null ? gl.getParameter(gl.RENDERER) : gl.getParameter(info.UNMASKED_RENDERER_WEBGL));
  return !/swiftshader|llvmpipe|softpipe|software/i.test(renderer);
}

/** `?backend=webgl|wasm` forces one; otherwise webgl on a GPU, else wasm. */
async function startBackend(): Promise<string> {
  setWasmPaths(new URL('./', location.href).href);
  const asked = new URLSearchParams(location.search).get('backend');
  for (const name of asked !== null ? [asked] : hasHardwareWebgl() ? ['webgl', 'wasm'] : ['wasm']) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // not available here: try the next one
    }
  }
  throw new Error('neither the webgl nor the wasm backend of TensorFlow.js starts in this browser');
}

async function main(): Promise<void> {
  const status = $('status');
  const setState = (state: string, text: string): void => {
    document.body.dataset.state = state;
    status.textContent = text;
  };
  try {
    const backend = await startBackend();
    const [spec, stats] = await Promise.all([
      fetch('model/spec.json').then((r) => r.json() as Promise<ExperimentConfig>),
      fetch('model/preprocess.json').then((r) => r.json() as Promise<PreprocessStats>),
    ]);
    // an ensemble's members, or the one model
    const ensemble = await fetch('model/ensemble.json').then((r) => (r.ok ? (r.json() as Promise<EnsembleManifest>) : null));
    const models = await Promise.all((ensemble?.members ?? ['.']).map((m) => tfl.loadLayersModel(`model/${m}/model.json`)));
    const channels = models[0].inputs[0].shape[3] as number;
    const config = withNewerDefaults(spec);
    const segmenter = createSegmenter(config, stats, { predict: meanPredictFn(models.map((m) => modelPredictFn(m, channels))), channels });
    const slider = $<HTMLInputElement>('threshold');
    slider.value = String(config.eval.threshold);
    $('threshold-value').textContent = config.eval.threshold.toFixed(2);
    setState('ready', `${config.name}${ensemble ? ` (an ensemble of ${models.length})` : ''} on ${backend}: drop a fundus photograph`);

    let shown: { raw: RawImage; photo: ImageData; prob: Float32Array; name: string } | null = null;
    const redrawMask = (): void => {
      if (shown === null) return;
      const t = Number(slider.value);
      $('threshold-value').textContent = t.toFixed(2);
      const mask = binarize(shown.prob, shown.raw.width, shown.raw.height, config.eval, t);
      drawMask(shown.photo, mask);
    };
    slider.addEventListener('input', redrawMask);

    const run = async (file: File): Promise<void> => {
      setState('busy', `segmenting ${file.name} …`);
      try {
        const { raw, photo } = await decode(file);
        const t0 = performance.now();
        const { prob, scaled } = await segmenter.segment(raw);
        const ms = performance.now() - t0;
        shown = { raw, photo, prob, name: file.name };
        drawProbability(prob, raw.width, raw.height);
        redrawMask();
        window.r2uLast = { name: file.name, width: raw.width, height: raw.height, backend, ms, probBase64: toBase64(prob) };
        const at = scaled.width === raw.width ? '' : ` at ${scaled.width} x ${scaled.height} (FOV diameter ${segmenter.targetDiameter} px, as in training)`;
        setState('done', `${file.name}: ${raw.width} x ${raw.height}, segmented${at} in ${Math.round(ms)} ms on ${backend}`);
      } catch (err) {
        setState('error', err instanceof DataError ? err.message : `${file.name}: ${(err as Error).message}`);
      }
    };
    $<HTMLInputElement>('file').addEventListener('change', (e) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) void run(f);
    });
    const drop = $('drop');
    drop.addEventListener('dragover', (e) => e.preventDefault());
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      const f = e.dataTransfer?.files[0];
      if (f) void run(f);
    });
    $('download').addEventListener('click', () => {
      if (shown === null) return;
      const stem = shown.name.replace(/\.[^.]*$/, '');
      download($<HTMLCanvasElement>('prob'), `${stem}.png`);
      download($<HTMLCanvasElement>('mask'), `${stem}_mask.png`);
    });
  } catch (err) {
    setState('error', (err as Error).message);
  }
}

/** The photograph's pixels as decoded, without colour management, and its estimated FOV. */
async function decode(file: File): Promise<{ raw: RawImage; photo: ImageData }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new DataError('not an image this browser can decode (TIFF is not; use PNG or JPEG)', file.name);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' })!;
  ctx.drawImage(bitmap, 0, 0);
  const photo = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const { channels, pixels } = unitPixels({ width: photo.width, height: photo.height, channels: 4, data: new Uint8Array(photo.data.buffer), maxval: 255 });
  const fov = estimateFov(pixels, photo.width, photo.height, channels, file.name);
  const id = file.name.replace(/\.[^.]*$/, '');
  return { raw: { id, sourcePath: file.name, width: photo.width, height: photo.height, channels, pixels, label: null, fov }, photo };
}

function paint(id: string, width: number, height: number, fill: (rgba: Uint8ClampedArray) => void): void {
  const canvas = $<HTMLCanvasElement>(id);
  canvas.width = width;
  canvas.height = height;
  const img = new ImageData(width, height);
  fill(img.data);
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

function drawProbability(prob: Float32Array, width: number, height: number): void {
  paint('prob', width, height, (d) => {
    for (let i = 0; i < prob.length; i++) {
      const v = Math.round(Math.min(1, Math.max(0, prob[i])) * 255);
      d.set([v, v, v, 255], i * 4);
    }
  });
}

function drawMask(photo: ImageData, mask: Uint8Array): void {
  paint('mask', photo.width, photo.height, (d) => {
    for (let i = 0; i < mask.length; i++) d.set(mask[i] ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
  });
  paint('overlay', photo.width, photo.height, (d) => {
    const p = photo.data;
    for (let i = 0; i < mask.length; i++) {
      const o = i * 4;
      const a = mask[i] ? OVERLAY_ALPHA : 0;
      d[o] = (1 - a) * p[o];
      d[o + 1] = (1 - a) * p[o + 1] + a * 255;
      d[o + 2] = (1 - a) * p[o + 2];
      d[o + 3] = 255;
    }
  });
}

function download(canvas: HTMLCanvasElement, name: string): void {
  const a = document.createElement('a');
  a.href = canvas.toDataURL('image/png');
  a.download = name;
  a.click();
}

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

void main();
