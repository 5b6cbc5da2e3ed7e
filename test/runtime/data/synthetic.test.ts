import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/runtime/data/index.js';

describe('synthetic fundus generator', () => {
  const images = generateSynthetic(4, [128, 128], 1);

  it('is deterministic from the seed', () => {
    const again = generateSynthetic(4, [128, 128], 1);
    expect(again[2].pixels).toEqual(images[2].pixels);
    expect(again[2].label).toEqual(images[2].label);
    expect(generateSynthetic(1, [128, 128], 2)[0].pixels).not.toEqual(images[0].pixels);
    expect(images[0].pixels).not.toEqual(images[1].pixels);
  });

  it('is RGB in [0,1] with a circular FOV and labels inside it', () => {
    for (const im of images) {
      expect(im).toMatchObject({ width: 128, height: 128, channels: 3 });
      expect(im.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      let fov = 0;
      let vessel = 0;
      im.fov.forEach((f, i) => {
        fov += f;
        vessel += im.label![i];
        if (im.label![i] === 1) expect(f).toBe(1);
      });
      expect(fov / (128 * 128)).toBeCloseTo(Math.PI * 0.46 ** 2, 1);
      expect(vessel / fov).toBeGreaterThan(0.03);
      expect(vessel / fov).toBeLessThan(0.25);
    }
  });

  it('vessels are darker than their local background in green, by well over the noise', () => {
    for (const im of images) {
      const g = (x: number, y: number) => im.pixels[(y * 128 + x) * 3 + 1];
      let diff = 0;
      let count = 0;
      for (let y = 4; y < 124; y++) {
        for (let x = 4; x < 124; x++) {
          const i = y * 128 + x;
          if (im.label![i] !== 1) continue;
          let bg = 0;
          let n = 0;
          for (let dy = -4; dy <= 4; dy++) {
            for (let dx = -4; dx <= 4; dx++) {
              const j = (y + dy) * 128 + x + dx;
              if (im.label![j] === 0 && im.fov[j] === 1) {
                bg += g(x + dx, y + dy);
                n++;
              }
            }
          }
          if (n === 0) continue;
          diff += bg / n - g(x, y);
          count++;
        }
      }
      expect(diff / count).toBeGreaterThan(0.05); // noise sigma is 0.025
    }
  });

  it('is not separable by a global threshold on green (illumination, optic disc, noise)', () => {
    const im = images[0];
    let best = 0;
    for (let t = 0.05; t < 1; t += 0.01) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      im.fov.forEach((f, i) => {
        if (!f) return;
        const pred = im.pixels[i * 3 + 1] < t ? 1 : 0;
        const y = im.label![i];
        tp += pred & y;
        fp += pred & (1 - y);
        fn += (1 - pred) & y;
      });
      best = Math.max(best, (2 * tp) / (2 * tp + fp + fn));
    }
    expect(best).toBeLessThan(0.75);
  });

  it('is fast: 20 images of 256x256 (printed; limit generous for a shared machine)', () => {
    const t = performance.now();
    generateSynthetic(20, [256, 256], 9);
    const ms = performance.now() - t;
    console.log(`synthetic: 20 x 256x256 in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
  });
});
