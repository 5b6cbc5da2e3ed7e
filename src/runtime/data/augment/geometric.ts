// Rigid augmentation of a patch as a 2x2 matrix acting on patch coordinates
// relative to the patch centre: random flips, a multiple of 90 degrees and a
// small rotation, composed. The sampler uses it to compute, for every output
// pixel, where to read the source image, so image and label move together and
// rotated patches are filled from real image content rather than zeros.
import type { AugmentConfig } from '../../../spec/config.js';
import type { Rng } from '../rng.js';

/** output (u, v) -> source (a*u + b*v, c*u + d*v) */
export interface Affine2 {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

export const IDENTITY: Affine2 = { a: 1, b: 0, c: 0, d: 1 };

export function drawRigid(rng: Rng, aug: AugmentConfig): Affine2 {
  let m = IDENTITY;
  // draw every random number unconditionally so enabling one augmentation
  // does not shift the random stream of the others
  const fh = rng.next() < 0.5;
  const fv = rng.next() < 0.5;
  const quarter = rng.int(4);
  const angle = rng.uniform(-1, 1) * aug.rotate;
  if (aug.flip_horizontal && fh) m = compose(m, { a: -1, b: 0, c: 0, d: 1 });
  if (aug.flip_vertical && fv) m = compose(m, { a: 1, b: 0, c: 0, d: -1 });
  if (aug.rotate90 && quarter > 0) m = compose(m, rotation((quarter * Math.PI) / 2, true));
  if (aug.rotate > 0) m = compose(m, rotation((angle * Math.PI) / 180, false));
  return m;
}

/** rotation matrix; `exact` rounds multiples of 90 degrees to integers so those stay lossless */
export function rotation(theta: number, exact: boolean): Affine2 {
  let cos = Math.cos(theta);
  let sin = Math.sin(theta);
  if (exact) {
    cos = Math.round(cos);
    sin = Math.round(sin);
  }
  return { a: cos, b: -sin, c: sin, d: cos };
}

export function compose(p: Affine2, q: Affine2): Affine2 {
  return { a: p.a * q.a + p.b * q.c, b: p.a * q.b + p.b * q.d, c: p.c * q.a + p.d * q.c, d: p.c * q.b + p.d * q.d };
}
