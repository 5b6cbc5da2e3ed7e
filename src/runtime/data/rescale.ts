// Bringing a photograph to another camera's scale: the size at which its FOV
// has a target diameter, and the image resampled to it. Inference brings any
// photograph to the training images' scale (eval.scale fov); training brings
// `extra_training`'s images to the main dataset's.
import { fovDiameter } from './fov.js';
import { resizeBilinear } from './preprocess/resize.js';
import type { RawImage, Size } from './types.js';

/** Scale changes smaller than this are not worth a resampling (DRIVE's own diameters vary by ±1%). */
const SCALE_TOLERANCE = 0.02;

/** The size at which the image's FOV has the target diameter (null: its own size). */
export function scaleFor(raw: Pick<RawImage, 'width' | 'height' | 'fov'>, targetDiameter: number | null): Size {
  const same = { width: raw.width, height: raw.height };
  if (targetDiameter === null) return same;
  const factor = targetDiameter / fovDiameter(raw.fov, raw.width, raw.height);
  if (Math.abs(factor - 1) < SCALE_TOLERANCE) return same;
  return { width: Math.max(1, Math.round(raw.width * factor)), height: Math.max(1, Math.round(raw.height * factor)) };
}

/**
 * The photograph, its FOV and its label resampled bilinearly, the masks kept
 * where the resampled value is at least one half. Inference scores labels at
 * the original size and passes `label: false` to drop them. At its own size
 * the image is returned as it is.
 */
export function resampleRaw(raw: RawImage, to: Size, opts: { label: boolean }): RawImage {
  if (to.width === raw.width && to.height === raw.height) return raw;
  const mask = (m: Uint8Array): Uint8Array =>
    Uint8Array.from(resizeBilinear(Float32Array.from(m), raw.width, raw.height, 1, to.width, to.height), (v) => (v >= 0.5 ? 1 : 0));
  return {
    ...raw,
    width: to.width,
    height: to.height,
    pixels: resizeBilinear(raw.pixels, raw.width, raw.height, raw.channels, to.width, to.height),
    fov: mask(raw.fov),
    label: opts.label && raw.label !== null ? mask(raw.label) : null,
  };
}
