// pad: grow the image to a multiple of `multiple` on each side (what a U-Net
// of depth d needs, 2^d), adding zeros at the bottom and right; FOV and label
// are padded with 0 so the padding never counts as retina or vessel.
import { copyWindow, type Step, type Working } from './image.js';

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
  return {
    ...copyWindow(img, 0, 0, img.width, img.height, w, h),
    geometry: [...img.geometry, { kind: 'pad', from: { width: img.width, height: img.height }, to: { width: w, height: h } }],
  };
}
