// A PNG contact sheet to eyeball the pipeline: a row of preprocessed images
// with their labels, then rows of sampled (augmented) patches, each next to
// its label. Every tile is stretched to its own min..max for display; images
// with 3 channels are shown in colour, others as grey (first channel).
import sharp from 'sharp';
import type { PatchSampler } from './sampler.js';
import { UNSCORED, type Dataset, type FundusImage } from './types.js';

export interface PreviewOptions {
  /** preprocessed images shown (default 4) */
  readonly images?: number;
  /** patches shown (default 16) */
  readonly patches?: number;
  /** height of an image tile in pixels (default 256) */
  readonly tile?: number;
  /** epoch whose patches are shown (default 0) */
  readonly epoch?: number;
}

interface Tile {
  readonly w: number;
  readonly h: number;
  readonly c: number;
  readonly data: Float32Array;
  /** labels show 0 black and 1 white whatever a tile holds; images are stretched to their own range */
  readonly label?: boolean;
}

export async function writePreview(
  source: Dataset | readonly FundusImage[],
  sampler: PatchSampler | null,
  outPng: string,
  opts: PreviewOptions = {},
): Promise<void> {
  const images = 'images' in source ? source.images : source;
  const tileH = opts.tile ?? 256;
  const gap = 4;
  const rows: Tile[][] = [];
  const imageRow: Tile[] = [];
  for (const img of images.slice(0, opts.images ?? 4)) {
    const scale = tileH / img.height;
    const w = Math.max(1, Math.round(img.width * scale));
    imageRow.push(scaleTile({ w: img.width, h: img.height, c: img.channels, data: img.pixels }, w, tileH));
    if (img.label !== null) imageRow.push(scaleTile({ w: img.width, h: img.height, c: 1, data: Float32Array.from(img.label), label: true }, w, tileH));
  }
  if (imageRow.length > 0) rows.push(imageRow);
  if (sampler !== null) {
    const n = Math.min(opts.patches ?? 16, sampler.patches.per_epoch);
    const batch = sampler.batch(opts.epoch ?? 0, 0, n);
    const { h, w, c } = batch;
    const zoom = Math.max(1, Math.floor(96 / h));
    const perRow = 4;
    for (let r = 0; r * perRow < n; r++) {
      const row: Tile[] = [];
      for (let i = r * perRow; i < Math.min(n, (r + 1) * perRow); i++) {
        row.push(scaleTile({ w, h, c, data: batch.x.subarray(i * h * w * c, (i + 1) * h * w * c) }, w * zoom, h * zoom));
        // an UNSCORED pixel (extra_ignore_edge) shows half-way between background and vessel
        const y = Float32Array.from(batch.y.subarray(i * h * w, (i + 1) * h * w), (v) => (v === UNSCORED ? 0.5 : v));
        row.push(scaleTile({ w, h, c: 1, data: y, label: true }, w * zoom, h * zoom));
      }
      rows.push(row);
    }
  }
  const width = Math.max(1, ...rows.map((row) => row.reduce((s, t) => s + t.w + gap, gap)));
  const height = rows.reduce((s, row) => s + Math.max(...row.map((t) => t.h)) + gap, gap);
  const sheet = Buffer.alloc(width * height * 3, 40);
  let top = gap;
  for (const row of rows) {
    let left = gap;
    for (const t of row) {
      blit(sheet, width, t, left, top);
      left += t.w + gap;
    }
    top += Math.max(...row.map((t) => t.h)) + gap;
  }
  await sharp(sheet, { raw: { width, height, channels: 3 } }).png().toFile(outPng);
}

/** nearest-neighbour rescale of a tile */
function scaleTile(t: Tile, w: number, h: number): Tile {
  const out = new Float32Array(w * h * t.c);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(t.h - 1, Math.floor((y * t.h) / h));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(t.w - 1, Math.floor((x * t.w) / w));
      for (let k = 0; k < t.c; k++) out[(y * w + x) * t.c + k] = t.data[(sy * t.w + sx) * t.c + k];
    }
  }
  return { ...t, w, h, data: out };
}

function blit(sheet: Buffer, sheetW: number, t: Tile, left: number, top: number): void {
  const [lo, hi] = t.label ? [0, 1] : valueRange(t.data);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let y = 0; y < t.h; y++) {
    for (let x = 0; x < t.w; x++) {
      const o = ((top + y) * sheetW + left + x) * 3;
      for (let k = 0; k < 3; k++) {
        const v = t.data[(y * t.w + x) * t.c + (t.c === 3 ? k : 0)];
        sheet[o + k] = Math.round((v - lo) * scale);
      }
    }
  }
}

function valueRange(data: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
