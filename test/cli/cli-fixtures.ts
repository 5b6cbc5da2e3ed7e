// What the command tests train and predict on: a tiny spec (one epoch of two
// steps on four 64 x 64 synthetic images) and a small synthetic fundus PNG.
import sharp from 'sharp';
import { generateSynthetic } from '../../src/runtime/data/index.js';

export const SPEC = `experiment tinycli {
  seed 3
  data {
    dataset synthetic(count: 4, size: 64 x 64, seed: 5)
    preprocess {
      grayscale green
      normalize per_image
    }
    patches 32 x 32, random 16 per epoch, vessel_fraction 0.5
    split train 0.5, val 0.5
  }
  model r2unet {
    depth 2
    filters 4
    t 1
  }
  train {
    batch 8
    epochs 1
  }
}
`;

export async function writeEyeImage(path: string): Promise<void> {
  const [img] = generateSynthetic(1, [60, 72], 4);
  await sharp(Uint8Array.from(img.pixels, (v) => Math.round(v * 255)), { raw: { width: 72, height: 60, channels: 3 } }).png().toFile(path);
}

/** A CHASE_DB1-shaped folder of `count` small synthetic images (Image_NNL.jpg with its first observer's label). */
export async function writeChaseFolder(root: string, count: number): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(root, { recursive: true });
  for (const [i, img] of generateSynthetic(count, [60, 72], 11).entries()) {
    const id = `${String(i + 1).padStart(2, '0')}L`;
    const raw = { width: img.width, height: img.height };
    await sharp(Uint8Array.from(img.pixels, (v) => Math.round(v * 255)), { raw: { ...raw, channels: 3 } }).jpeg().toFile(`${root}/Image_${id}.jpg`);
    await sharp(Uint8Array.from(img.label!, (v) => v * 255), { raw: { ...raw, channels: 1 } }).png().toFile(`${root}/Image_${id}_1stHO.png`);
  }
}
