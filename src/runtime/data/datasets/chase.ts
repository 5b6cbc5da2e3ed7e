// CHASE_DB1: Image_NNX.jpg with first-observer labels Image_NNX_1stHO.png, all
// in one folder, as published. FOV masks are not part of the release; when a
// masks/ folder holds Image_NNX.png (the masks circulated with benchmark
// copies) they are used, otherwise the FOV is estimated (fov.ts).
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { ImageFiles } from '../raw-image.js';
import { isDir, listDir } from './list-dir.js';

const IMAGE = /^Image_(\d+[LR])\.jpe?g$/i;

export async function chaseFiles(root: string): Promise<ImageFiles[]> {
  const files = await listDir(root, 'CHASE_DB1');
  const names = new Set(files);
  const maskDir = join(root, 'masks');
  const masks = (await isDir(maskDir)) ? new Set(await listDir(maskDir, 'CHASE_DB1 masks')) : new Set<string>();
  const out: ImageFiles[] = [];
  for (const f of files) {
    const m = IMAGE.exec(f);
    if (m === null) continue;
    const id = m[1];
    const labelName = `Image_${id}_1stHO.png`;
    if (!names.has(labelName)) throw new DataError(`image without label: expected ${labelName}`, join(root, f));
    const maskName = `Image_${id}.png`;
    out.push({ id, image: join(root, f), label: join(root, labelName), ...(masks.has(maskName) ? { fov: join(maskDir, maskName) } : {}) });
  }
  if (out.length === 0) throw new DataError('no CHASE_DB1 images (Image_NNL.jpg)', root);
  return out;
}
