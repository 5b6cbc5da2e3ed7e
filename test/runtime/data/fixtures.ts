// Small dataset trees in the published layouts, written with sharp (and our
// Netpbm encoder for STARE), for loader tests that must not depend on real data.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { encodeNetpbm } from '../../../src/runtime/data/netpbm.js';

export const W = 24;
export const H = 20;

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `r2u-${prefix}-`));
  made.push(dir);
  return dir;
}

/** removes every folder tempDir made (call from afterAll) */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** an RGB fundus-like image: a bright disc on black, a dark vertical vessel at x = 12 */
export function fundusRgb(w = W, h = H): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - w / 2 + 0.5) ** 2 + (y - h / 2 + 0.5) ** 2 <= (Math.min(w, h) / 2 - 1) ** 2;
      const vessel = x === 12;
      const o = (y * w + x) * 3;
      out[o] = inside ? 200 : 5;
      out[o + 1] = inside ? (vessel ? 60 : 120) : 3;
      out[o + 2] = inside ? 40 : 2;
    }
  }
  return out;
}

/** the matching label: the vessel column inside the disc, 0/255 */
export function vesselLabel(w = W, h = H): Uint8Array {
  const rgb = fundusRgb(w, h);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = rgb[i * 3 + 1] === 60 ? 255 : 0;
  return out;
}

export function discMask(w = W, h = H): Uint8Array {
  const rgb = fundusRgb(w, h);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = rgb[i * 3] === 200 ? 255 : 0;
  return out;
}

type Format = 'tiff' | 'gif' | 'png' | 'jpeg';

export async function writeImage(path: string, data: Uint8Array, w: number, h: number, channels: 1 | 3, format: Format): Promise<void> {
  let img = sharp(Buffer.from(data), { raw: { width: w, height: h, channels } });
  img = format === 'tiff' ? img.tiff({ compression: 'lzw' }) : format === 'gif' ? img.gif() : format === 'png' ? img.png() : img.jpeg({ quality: 95 });
  await img.toFile(path);
}

/** DRIVE layout with the given training ids (and optionally test ids without labels) */
export async function writeDrive(root: string, ids: string[], testIds: string[] = []): Promise<void> {
  for (const [subset, list] of [['training', ids], ['test', testIds]] as const) {
    if (list.length === 0) continue;
    for (const d of ['images', 'mask', ...(subset === 'training' ? ['1st_manual'] : [])]) mkdirSync(join(root, subset, d), { recursive: true });
    for (const id of list) {
      await writeImage(join(root, subset, 'images', `${id}_${subset}.tif`), fundusRgb(), W, H, 3, 'tiff');
      await writeImage(join(root, subset, 'mask', `${id}_${subset}_mask.gif`), discMask(), W, H, 1, 'gif');
      if (subset === 'training') await writeImage(join(root, subset, '1st_manual', `${id}_manual1.gif`), vesselLabel(), W, H, 1, 'gif');
    }
  }
}

/** STARE layout: stare-images/imNNNN.ppm(.gz), labels-ah/imNNNN.ah.ppm(.gz) */
export function writeStare(root: string, ids: string[], gz: boolean): void {
  mkdirSync(join(root, 'stare-images'), { recursive: true });
  mkdirSync(join(root, 'labels-ah'), { recursive: true });
  const wrap = (b: Buffer): Buffer => (gz ? gzipSync(b) : b);
  const ext = gz ? '.ppm.gz' : '.ppm';
  for (const id of ids) {
    writeFileSync(join(root, 'stare-images', `${id}${ext}`), wrap(encodeNetpbm(W, H, 3, fundusRgb())));
    writeFileSync(join(root, 'labels-ah', `${id}.ah${ext}`), wrap(encodeNetpbm(W, H, 1, vesselLabel())));
  }
}

/** CHASE_DB1 layout: Image_NNX.jpg with Image_NNX_1stHO.png, FOV masks masks/Image_NNX.png for `masks` */
export async function writeChase(root: string, ids: string[], opts: { masks?: string[]; w?: number; h?: number } = {}): Promise<void> {
  const { w = W, h = H } = opts;
  mkdirSync(join(root, 'masks'), { recursive: true });
  for (const id of ids) {
    await writeImage(join(root, `Image_${id}.jpg`), fundusRgb(w, h), w, h, 3, 'jpeg');
    await writeImage(join(root, `Image_${id}_1stHO.png`), vesselLabel(w, h), w, h, 1, 'png');
  }
  for (const id of opts.masks ?? []) await writeImage(join(root, 'masks', `Image_${id}.png`), discMask(w, h), w, h, 1, 'png');
}
