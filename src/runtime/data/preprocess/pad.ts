// pad: grow the image to a multiple of `multiple` on each side (what a U-Net
// of depth d needs, 2^d), adding zeros at the bottom and right; FOV and label
// are padded with 0 so the padding never counts as retina or vessel.
import type { Step, Working } from './image.js';

export function padStep(multiple: number): Step {
  return {
    description: `pad bottom/right with zeros to a multiple of ${multiple}`,
    apply: (img) => {
      const w = Math.ceil(img.width / multiple) * multiple;
      const h = Math.ceil(img.height / multiple) * multiple;
      return w === img.width && h === img.height ? img : padTo(img, w, h);
    },
  };
}

export function padTo(img: Working, w: number, h: number): Working {
  const c = img.channels;
  const pixels = new Float32Array(w * h * c);
  const fov = new Uint8Array(w * h);
  const label = img.label === null ? null : new Uint8Array(w * h);
  for (let y = 0; y < img.height; y++) {
    const src = y * img.width;
    pixels.set(img.pixels.subarray(src * c, (src + img.width) * c), y * w * c);
    fov.set(img.fov.subarray(src, src + img.width), y * w);
    label?.set(img.label!.subarray(src, src + img.width), y * w);
  }
  return {
    width: w,
    height: h,
    channels: c,
    pixels,
    label,
    fov,
    geometry: [...img.geometry, { kind: 'pad', from: { width: img.width, height: img.height }, to: { width: w, height: h } }],
  };
}
