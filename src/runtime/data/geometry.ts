// Mapping a per-pixel map (a probability map, a mask) from preprocessed
// geometry back onto the original image, undoing the geometric steps in
// reverse: pad by cutting, resize by bilinear resampling, crop by placing the
// map into zeros at the crop's position.
import { resizeBilinear } from './preprocess/resize.js';
import type { GeometryStep, Size } from './types.js';

export function toOriginalGeometry(
  map: Float32Array,
  img: { readonly width: number; readonly height: number; readonly geometry: readonly GeometryStep[]; readonly original: Size },
): Float32Array {
  if (map.length !== img.width * img.height) {
    throw new Error(`toOriginalGeometry: map has ${map.length} values, the image is ${img.width}x${img.height}`);
  }
  let cur = map;
  for (let k = img.geometry.length - 1; k >= 0; k--) cur = undo(cur, img.geometry[k]);
  return cur;
}

function undo(map: Float32Array, step: GeometryStep): Float32Array {
  const { from, to } = step;
  switch (step.kind) {
    case 'pad': {
      const out = new Float32Array(from.width * from.height);
      for (let y = 0; y < from.height; y++) out.set(map.subarray(y * to.width, y * to.width + from.width), y * from.width);
      return out;
    }
    case 'resize':
      return resizeBilinear(map, to.width, to.height, 1, from.width, from.height);
    case 'crop': {
      const out = new Float32Array(from.width * from.height);
      for (let y = 0; y < to.height; y++) out.set(map.subarray(y * to.width, (y + 1) * to.width), (y + step.y) * from.width + step.x);
      return out;
    }
  }
}
