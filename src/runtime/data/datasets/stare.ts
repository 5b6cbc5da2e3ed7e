// STARE: images imNNNN.ppm[.gz] and first-observer labels imNNNN.ah.ppm[.gz],
// either side by side or in the published folders stare-images/ and labels-ah/.
// Optional FOV masks imNNNN*mask* (any decodable format) in the same folders or
// a masks/ folder; otherwise the FOV is estimated by thresholding the red channel.
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { ImageFiles } from '../raw-image.js';
import { isDir, listDir } from './list-dir.js';

const IMAGE = /^(im\d+)\.ppm(\.gz)?$/i;
const LABEL = /^(im\d+)\.ah\.ppm(\.gz)?$/i;
const MASK = /^(im\d+).*mask.*\.[a-z]+(\.gz)?$/i;

export async function stareFiles(root: string): Promise<ImageFiles[]> {
  await listDir(root, 'STARE root');
  const dirs = [root];
  for (const sub of ['stare-images', 'labels-ah', 'masks', 'mask']) if (await isDir(join(root, sub))) dirs.push(join(root, sub));
  const images = new Map<string, string>();
  const labels = new Map<string, string>();
  const masks = new Map<string, string>();
  for (const dir of dirs) {
    for (const f of await listDir(dir, 'STARE')) {
      let m: RegExpExecArray | null;
      if ((m = LABEL.exec(f))) labels.set(m[1], join(dir, f));
      else if ((m = MASK.exec(f))) masks.set(m[1], join(dir, f));
      else if ((m = IMAGE.exec(f))) images.set(m[1], join(dir, f));
    }
  }
  if (images.size === 0) throw new DataError('no STARE images (imNNNN.ppm or .ppm.gz)', root);
  return [...images.keys()].sort().map((id) => {
    const image = images.get(id)!;
    const label = labels.get(id);
    if (label === undefined) throw new DataError(`image without label: expected ${id}.ah.ppm (or .ppm.gz)`, image);
    return { id, image, label, fov: masks.get(id) };
  });
}
