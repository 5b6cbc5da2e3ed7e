// resize: bilinear resampling with half-pixel centres (OpenCV INTER_LINEAR,
// TF half_pixel_centers). Label and FOV are resampled bilinearly and
// thresholded at 0.5, which keeps thin vessels better than nearest neighbour.
import type { Step } from './image.js';

export function resizeStep(size: readonly [number, number]): Step {
  const [h, w] = size;
  return {
    description: `resize to ${h}x${w} (height x width), bilinear; label and FOV bilinear then >= 0.5`,
    apply: (img) => {
      if (img.width === w && img.height === h) return img;
      const binary = (m: Uint8Array): Uint8Array => {
        const r = resizeBilinear(Float32Array.from(m), img.width, img.height, 1, w, h);
        const out = new Uint8Array(w * h);
        for (let i = 0; i < out.length; i++) out[i] = r[i] >= 0.5 ? 1 : 0;
        return out;
      };
      return {
        width: w,
        height: h,
        channels: img.channels,
        pixels: resizeBilinear(img.pixels, img.width, img.height, img.channels, w, h),
        label: img.label === null ? null : binary(img.label),
        fov: binary(img.fov),
        geometry: [...img.geometry, { kind: 'resize', from: { width: img.width, height: img.height }, to: { width: w, height: h } }],
      };
    },
  };
}

/** Bilinear resampling of an HWC image from (sw, sh) to (dw, dh). */
export function resizeBilinear(src: Float32Array, sw: number, sh: number, c: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh * c);
  const sx = sw / dw;
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ay = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const ax = fx - x0;
      const o = (y * dw + x) * c;
      const a = (y0 * sw + x0) * c;
      const b = (y0 * sw + x1) * c;
      const d = (y1 * sw + x0) * c;
      const e = (y1 * sw + x1) * c;
      for (let k = 0; k < c; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * ax;
        const bottom = src[d + k] + (src[e + k] - src[d + k]) * ax;
        out[o + k] = top + (bottom - top) * ay;
      }
    }
  }
  return out;
}
