// DRIVE, as published: <subset>/images/NN_<subset>.tif, <subset>/1st_manual/NN_manual1.gif,
// <subset>/mask/NN_<subset>_mask.gif. Test labels may be withheld: then label = null.
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { ImageFiles } from '../raw-image.js';
import { isDir, listDir } from './list-dir.js';

export async function driveFiles(root: string, subset: 'training' | 'test'): Promise<ImageFiles[]> {
  const dir = join(root, subset);
  const images = (await listDir(join(dir, 'images'), `DRIVE ${subset} images`)).filter((f) => !f.startsWith('.'));
  const manual = join(dir, '1st_manual');
  // the test labels are legitimately absent; the training ones are required
  const labels = subset === 'training' || (await isDir(manual)) ? new Set(await listDir(manual, `DRIVE ${subset} labels`)) : null;
  const masks = new Set(await listDir(join(dir, 'mask'), `DRIVE ${subset} masks`));
  const out: ImageFiles[] = [];
  for (const f of images) {
    const m = /^(\d+)_/.exec(f);
    if (m === null) throw new DataError(`unexpected file in a DRIVE images folder (expected NN_${subset}.tif)`, join(dir, 'images', f));
    const id = m[1];
    const image = join(dir, 'images', f);
    const labelName = `${id}_manual1.gif`;
    if (labels !== null && !labels.has(labelName)) throw new DataError(`image without label: expected ${join(manual, labelName)}`, image);
    const maskName = `${id}_${subset}_mask.gif`;
    if (!masks.has(maskName)) throw new DataError(`image without FOV mask: expected ${join(dir, 'mask', maskName)}`, image);
    out.push({ id, image, label: labels === null ? undefined : join(manual, labelName), fov: join(dir, 'mask', maskName) });
  }
  if (out.length === 0) throw new DataError(`no images in the DRIVE ${subset} images folder`, join(dir, 'images'));
  return out;
}
