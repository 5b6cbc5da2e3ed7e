// Field-of-view estimation for images that ship without a mask: the retina is
// the bright disc on a near-black background, so Otsu's threshold on the red
// channel (the brightest in fundus photographs) separates the two.

/** 0/1 FOV from an HWC [0,1] image; uses the red channel (or the only one). */
export function thresholdFov(pixels: Float32Array, width: number, height: number, channels: number): Uint8Array {
  const n = width * height;
  const hist = new Float64Array(256);
  for (let i = 0; i < n; i++) hist[toBin(pixels[i * channels])]++;
  // the floor keeps an almost uniformly bright image from being cut in half
  const t = Math.max(otsu(hist, n), 10);
  const fov = new Uint8Array(n);
  for (let i = 0; i < n; i++) fov[i] = toBin(pixels[i * channels]) > t ? 1 : 0;
  return fov;
}

/** Otsu's threshold of a 256-bin histogram: the bin maximising between-class variance. */
export function otsu(hist: Float64Array, total: number): number {
  let sumAll = 0;
  for (let i = 0; i < 256; i++) sumAll += i * hist[i];
  let w0 = 0;
  let sum0 = 0;
  let best = 0;
  let bestVar = -1;
  for (let t = 0; t < 256; t++) {
    w0 += hist[t];
    if (w0 === 0) continue;
    const w1 = total - w0;
    if (w1 === 0) break;
    sum0 += t * hist[t];
    const m0 = sum0 / w0;
    const m1 = (sumAll - sum0) / w1;
    const v = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (v > bestVar) {
      bestVar = v;
      best = t;
    }
  }
  return best;
}

function toBin(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
}
