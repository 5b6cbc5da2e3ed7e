// Assembling a RawImage from its image, label and mask files, with every
// validation a dataset needs before training starts.
import { DataError } from './errors.js';
import { estimateFov } from './fov.js';
import { firstChannel, readImageFile, type DecodedImage } from './image-io.js';
import { unitPixels } from './samples.js';
import type { RawImage } from './types.js';

export interface ImageFiles {
  readonly id: string;
  readonly image: string;
  /** vessel label; undefined when the dataset has none for this image */
  readonly label?: string;
  /** FOV mask; undefined = estimate it (fov.ts) */
  readonly fov?: string;
}

export async function readRawImage(files: ImageFiles): Promise<RawImage> {
  const [img, label, fov] = await Promise.all([
    readImageFile(files.image),
    files.label === undefined ? undefined : readImageFile(files.label),
    files.fov === undefined ? undefined : readImageFile(files.fov),
  ]);
  const { channels, pixels } = unitPixels(img);

  let labelMask: Uint8Array | null = null;
  if (label !== undefined && files.label !== undefined) {
    checkSize(label, img, files.label, 'label');
    labelMask = binaryLabel(label, files.label);
  }
  let fovMask: Uint8Array;
  if (fov !== undefined && files.fov !== undefined) {
    checkSize(fov, img, files.fov, 'FOV mask');
    fovMask = thresholdHalf(fov);
  } else {
    fovMask = estimateFov(pixels, img.width, img.height, channels, files.image);
  }
  if (!fovMask.includes(1)) {
    throw new DataError(
      files.fov !== undefined ? 'empty field of view: the mask has no foreground pixel' : 'empty field of view: no pixel is bright enough to be retina',
      files.fov ?? files.image,
    );
  }
  return { id: files.id, sourcePath: files.image, width: img.width, height: img.height, channels, pixels, label: labelMask, fov: fovMask };
}

function checkSize(mask: DecodedImage, img: DecodedImage, file: string, what: string): void {
  if (mask.width !== img.width || mask.height !== img.height) {
    throw new DataError(`${what} is ${mask.width}x${mask.height} but the image is ${img.width}x${img.height}`, file);
  }
}

/** Labels must be strictly binary (0 and the maximum value): anything else is a lossy or wrong file. */
function binaryLabel(label: DecodedImage, file: string): Uint8Array {
  const v = firstChannel(label);
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (s === label.maxval) out[i] = 1;
    else if (s !== 0) {
      const x = i % label.width;
      const y = (i - x) / label.width;
      throw new DataError(`label is not binary: value ${s} at (x=${x}, y=${y}); expected only 0 and ${label.maxval}`, file);
    }
  }
  return out;
}

function thresholdHalf(mask: DecodedImage): Uint8Array {
  const v = firstChannel(mask);
  const out = new Uint8Array(v.length);
  const t = mask.maxval / 2;
  for (let i = 0; i < v.length; i++) out[i] = v[i] > t ? 1 : 0;
  return out;
}
