// Cutting one (augmented) training patch out of an image. For every output
// pixel the source position is centre + M * (offset + elastic displacement);
// the image is read bilinearly and the label by nearest neighbour, both with
// zeros outside the image (zero padding at borders, like the padded FOV).
// Without rotation or elastic deformation all positions are integers and the
// patch is an exact copy.
import type { AugmentConfig } from '../../../spec/config.js';
import type { Rng } from '../rng.js';
import type { FundusImage } from '../types.js';
import { elasticField, type Displacement } from './elastic.js';
import { drawRigid, type Affine2 } from './geometric.js';
import { jitterIntensity } from './intensity.js';

/**
 * Writes the patch centred on pixel (cx, cy) into x (h*w*c at xOff) and y (h*w at yOff).
 * For even sizes the centre pixel is the one just below/right of the middle.
 */
export function samplePatch(
  img: FundusImage,
  cx: number,
  cy: number,
  h: number,
  w: number,
  aug: AugmentConfig,
  rng: Rng,
  x: Float32Array,
  xOff: number,
  y: Float32Array,
  yOff: number,
): void {
  const m = drawRigid(rng, aug);
  const field = aug.elastic.alpha > 0 ? elasticField(rng, h, w, aug.elastic.alpha, aug.elastic.sigma) : null;
  // the geometric centre of the patch, in source pixel coordinates
  const ox = cx - w / 2 + (w - 1) / 2;
  const oy = cy - h / 2 + (h - 1) / 2;
  const sx0 = ox - (m.a * (w - 1) + m.b * (h - 1)) / 2;
  const sy0 = oy - (m.c * (w - 1) + m.d * (h - 1)) / 2;
  if (field === null && [m.a, m.b, m.c, m.d, sx0, sy0].every(Number.isInteger)) copyPermuted(img, sx0, sy0, m, h, w, x, xOff, y, yOff);
  else resample(img, ox, oy, m, field, h, w, x, xOff, y, yOff);
  if (aug.brightness > 0 || aug.contrast > 0 || aug.gamma > 0) jitterIntensity(x.subarray(xOff, xOff + h * w * img.channels), rng, aug);
}

/** the general case: bilinear image, nearest-neighbour label, zeros outside */
function resample(
  img: FundusImage,
  ox: number,
  oy: number,
  m: Affine2,
  field: Displacement | null,
  h: number,
  w: number,
  x: Float32Array,
  xOff: number,
  y: Float32Array,
  yOff: number,
): void {
  const { width: W, height: H, channels: c, pixels: px, label } = img;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const o = i * w + j;
      let u = j - (w - 1) / 2;
      let v = i - (h - 1) / 2;
      if (field !== null) {
        u += field.dx[o];
        v += field.dy[o];
      }
      const sx = ox + m.a * u + m.b * v;
      const sy = oy + m.c * u + m.d * v;
      // label: nearest neighbour
      const lx = Math.round(sx);
      const ly = Math.round(sy);
      y[yOff + o] = label !== null && lx >= 0 && ly >= 0 && lx < W && ly < H ? label[ly * W + lx] : 0;
      // image: bilinear, zero outside
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const ax = sx - x0;
      const ay = sy - y0;
      const dst = xOff + o * c;
      for (let k = 0; k < c; k++) x[dst + k] = 0;
      bilinearTap(px, W, H, c, x0, y0, (1 - ax) * (1 - ay), x, dst);
      if (ax > 0) bilinearTap(px, W, H, c, x0 + 1, y0, ax * (1 - ay), x, dst);
      if (ay > 0) bilinearTap(px, W, H, c, x0, y0 + 1, (1 - ax) * ay, x, dst);
      if (ax > 0 && ay > 0) bilinearTap(px, W, H, c, x0 + 1, y0 + 1, ax * ay, x, dst);
    }
  }
}

/** flips and quarter turns of an integer-aligned patch: a plain indexed copy */
function copyPermuted(
  img: FundusImage,
  sx0: number,
  sy0: number,
  m: Affine2,
  h: number,
  w: number,
  x: Float32Array,
  xOff: number,
  y: Float32Array,
  yOff: number,
): void {
  const { width: W, height: H, channels: c, pixels, label } = img;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const o = i * w + j;
      const sx = sx0 + m.a * j + m.b * i;
      const sy = sy0 + m.c * j + m.d * i;
      const dst = xOff + o * c;
      if (sx < 0 || sy < 0 || sx >= W || sy >= H) {
        for (let k = 0; k < c; k++) x[dst + k] = 0;
        y[yOff + o] = 0;
        continue;
      }
      const s = sy * W + sx;
      for (let k = 0; k < c; k++) x[dst + k] = pixels[s * c + k];
      y[yOff + o] = label === null ? 0 : label[s];
    }
  }
}

function bilinearTap(px: Float32Array, W: number, H: number, c: number, x: number, y: number, wt: number, out: Float32Array, dst: number): void {
  if (wt === 0 || x < 0 || y < 0 || x >= W || y >= H) return;
  const s = (y * W + x) * c;
  for (let k = 0; k < c; k++) out[dst + k] += wt * px[s + k];
}
