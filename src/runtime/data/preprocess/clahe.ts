// clahe: contrast-limited adaptive histogram equalisation, following OpenCV's
// algorithm so results match cv2.createCLAHE(clipLimit, tileGridSize) on
// 8-bit images: inputs are [0,1] intensities, clamped and quantised to 256
// levels (v*255 rounded); each tile's histogram is clipped at
// max(1, floor(clip * tilePixels / 256)), the excess spread evenly over all
// bins (remainder one by one at regular steps); each tile maps levels through
// its scaled CDF, and every pixel interpolates bilinearly between the maps of
// the four nearest tile centres. Unlike OpenCV the output is not rounded back
// to 8 bits: it is the interpolated value / 255, in [0,1].
// Each channel is equalised independently. Tiles need not divide the image:
// tile boundaries fall at floor(i * size / tiles).
import type { Step } from './image.js';

export function claheStep(tiles: readonly [number, number], clip: number): Step {
  const [ty, tx] = tiles;
  return {
    description: `clahe ${ty}x${tx} tiles (rows x columns), clip limit ${clip}, on [0,1] quantised to 256 levels`,
    apply: (img) => {
      const out = new Float32Array(img.pixels.length);
      for (let k = 0; k < img.channels; k++) claheChannel(img.pixels, out, img.width, img.height, img.channels, k, ty, tx, clip);
      return { ...img, pixels: out };
    },
  };
}

function claheChannel(src: Float32Array, dst: Float32Array, w: number, h: number, c: number, k: number, ty: number, tx: number, clip: number): void {
  ty = Math.min(ty, h);
  tx = Math.min(tx, w);
  const n = w * h;
  const levels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[i * c + k];
    levels[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  const xb = (i: number): number => Math.floor((i * w) / tx);
  const yb = (i: number): number => Math.floor((i * h) / ty);
  // one 256-entry lookup table per tile, row-major over tiles
  const luts = new Float32Array(ty * tx * 256);
  const hist = new Int32Array(256);
  for (let j = 0; j < ty; j++) {
    for (let i = 0; i < tx; i++) {
      hist.fill(0);
      const x0 = xb(i);
      const x1 = xb(i + 1);
      const y0 = yb(j);
      const y1 = yb(j + 1);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) hist[levels[y * w + x]]++;
      const area = (x1 - x0) * (y1 - y0);
      if (clip > 0) clipHistogram(hist, Math.max(1, Math.floor((clip * area) / 256)));
      const lut = luts.subarray((j * tx + i) * 256, (j * tx + i + 1) * 256);
      const scale = 255 / area;
      let cdf = 0;
      for (let v = 0; v < 256; v++) {
        cdf += hist[v];
        lut[v] = Math.min(255, Math.round(cdf * scale));
      }
    }
  }
  // interpolate between tile centres; tile sizes are fractional when tiles do not divide the image
  const tw = w / tx;
  const th = h / ty;
  for (let y = 0; y < h; y++) {
    const tyf = y / th - 0.5;
    let ty1 = Math.floor(tyf);
    const ya = tyf - ty1;
    let ty2 = ty1 + 1;
    ty1 = Math.max(ty1, 0);
    ty2 = Math.min(ty2, ty - 1);
    for (let x = 0; x < w; x++) {
      const txf = x / tw - 0.5;
      let tx1 = Math.floor(txf);
      const xa = txf - tx1;
      let tx2 = tx1 + 1;
      tx1 = Math.max(tx1, 0);
      tx2 = Math.min(tx2, tx - 1);
      const v = levels[y * w + x];
      const a = luts[(ty1 * tx + tx1) * 256 + v];
      const b = luts[(ty1 * tx + tx2) * 256 + v];
      const d = luts[(ty2 * tx + tx1) * 256 + v];
      const e = luts[(ty2 * tx + tx2) * 256 + v];
      dst[(y * w + x) * c + k] = ((a * (1 - xa) + b * xa) * (1 - ya) + (d * (1 - xa) + e * xa) * ya) / 255;
    }
  }
}

/** OpenCV's clipping: cut every bin at `limit`, spread the excess evenly, the remainder at regular steps. */
export function clipHistogram(hist: Int32Array, limit: number): void {
  let excess = 0;
  for (let v = 0; v < 256; v++) {
    if (hist[v] > limit) {
      excess += hist[v] - limit;
      hist[v] = limit;
    }
  }
  const batch = Math.floor(excess / 256);
  const residual = excess - batch * 256;
  for (let v = 0; v < 256; v++) hist[v] += batch;
  if (residual > 0) {
    const step = Math.max(Math.floor(256 / residual), 1);
    for (let v = 0, left = residual; v < 256 && left > 0; v += step, left--) hist[v]++;
  }
}
