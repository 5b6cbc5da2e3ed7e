// Loading one arbitrary fundus photograph for `r2u predict`: any format
// readImageFile decodes, an optional FOV mask, otherwise an estimated FOV (fov.ts).
import { basename } from 'node:path';
import { readRawImage } from './raw-image.js';
import type { RawImage } from './types.js';

export async function loadFundusImage(path: string, opts: { fovPath?: string } = {}): Promise<RawImage> {
  const id = basename(path).replace(/(\.[a-z0-9]+)+$/i, '');
  return readRawImage({ id, image: path, fov: opts.fovPath });
}
