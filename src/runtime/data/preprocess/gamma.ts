// gamma: out = in^value on [0,1] intensities (skimage's adjust_gamma
// convention: value < 1 brightens, value > 1 darkens). Negative inputs clamp to 0.
import type { Step } from './image.js';

export function gammaStep(value: number): Step {
  return {
    description: `gamma ${value} (out = in^${value})`,
    apply: (img) => {
      const out = new Float32Array(img.pixels.length);
      for (let i = 0; i < out.length; i++) {
        const v = img.pixels[i];
        out[i] = v <= 0 ? 0 : Math.pow(v, value);
      }
      return { ...img, pixels: out };
    },
  };
}
