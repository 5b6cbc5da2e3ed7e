import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import { infer, inferenceSettings, inferFullImage, inferSlidingWindow, maxTensorBytes, type InferenceSettings, type InferInput, type PredictFn } from '../../../src/runtime/eval/infer.js';

function image(width: number, height: number, channels: number): InferInput {
  const pixels = new Float32Array(width * height * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.37) * 2;
  return { width, height, channels, pixels };
}

const settings = (over: Partial<InferenceSettings>): InferenceSettings => ({
  mode: 'full_image',
  multiple: 8,
  maxTile: 1024,
  tileMargin: 8,
  patch: [16, 16],
  stride: [5, 7],
  batch: 4,
  ...over,
});

// Per-pixel "model": probability = sigmoid of the first channel.
const pixelwise =
  (channels: number, calls: Array<[number, number, number]> = []): PredictFn =>
  async (x, n, h, w) => {
    calls.push([n, h, w]);
    expect(x.length).toBe(n * h * w * channels);
    return Float32Array.from({ length: n * h * w }, (_, i) => 1 / (1 + Math.exp(-x[i * channels])));
  };

// 3x3 box mean of channel 0 with zero padding: a model with spatial context.
const box =
  (channels: number): PredictFn =>
  async (x, n, h, w) => {
    const out = new Float32Array(n * h * w);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++) {
          let s = 0;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy;
              const xk = xx + dx;
              if (yy >= 0 && yy < h && xk >= 0 && xk < w) s += x[((b * h + yy) * w + xk) * channels];
            }
          out[(b * h + y) * w + xx] = s / 9;
        }
    return out;
  };

const expected = (img: InferInput): Float32Array =>
  Float32Array.from({ length: img.width * img.height }, (_, i) => 1 / (1 + Math.exp(-img.pixels[i * img.channels])));

describe('full-image inference', () => {
  it('pads to a multiple of 2^depth and returns the image-sized map', async () => {
    const img = image(21, 13, 3);
    const calls: Array<[number, number, number]> = [];
    const out = await inferFullImage(img, pixelwise(3, calls), settings({}));
    expect(calls).toEqual([[1, 16, 24]]);
    expect(out).toEqual(expected(img));
  });

  it('tiles large images without changing the result', async () => {
    const img = image(70, 45, 1);
    const whole = await inferFullImage(img, box(1), settings({}));
    const calls: Array<[number, number, number]> = [];
    const tiledPredict: PredictFn = (x, n, h, w) => {
      calls.push([n, h, w]);
      return box(1)(x, n, h, w);
    };
    const tiled = await inferFullImage(img, tiledPredict, settings({ maxTile: 32, tileMargin: 8 }));
    expect(calls.length).toBeGreaterThan(4);
    for (const [, h, w] of calls) expect([h % 8, w % 8, h <= 32, w <= 32]).toEqual([0, 0, true, true]);
    expect(tiled).toEqual(whole);
  });
});

describe('sliding-window inference', () => {
  it('a constant model gives exactly that constant everywhere', async () => {
    const c = Math.fround(0.3141592);
    const constant: PredictFn = async (_x, n, h, w) => new Float32Array(n * h * w).fill(c);
    for (const [w, h] of [
      [50, 37],
      [16, 16],
      [10, 9],
    ]) {
      const out = await inferSlidingWindow(image(w, h, 2), constant, settings({ mode: 'sliding_window' }));
      expect(out.length).toBe(w * h);
      expect(out.every((v) => v === c)).toBe(true);
    }
  });

  it('stitches a per-pixel model exactly and covers every pixel', async () => {
    const img = image(41, 29, 3);
    const calls: Array<[number, number, number]> = [];
    const out = await infer(img, pixelwise(3, calls), settings({ mode: 'sliding_window', stride: [9, 11] }));
    // rows 0,9 + flush 13; cols 0,11,22 + flush 25 -> 12 windows in batches of 4
    expect(calls).toEqual([
      [4, 16, 16],
      [4, 16, 16],
      [4, 16, 16],
    ]);
    const want = expected(img);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(want[i], 6);
  });

  it('averages overlapping windows', async () => {
    // each window predicts its own index; a pixel covered by windows 0 and 1 gets 0.5
    let k = 0;
    const byWindow: PredictFn = async (_x, n, h, w) => {
      const out = new Float32Array(n * h * w);
      for (let b = 0; b < n; b++) out.fill(k++, b * h * w, (b + 1) * h * w);
      return out;
    };
    const img = image(24, 16, 1);
    const out = await inferSlidingWindow(img, byWindow, settings({ mode: 'sliding_window', stride: [16, 8] }));
    // windows at x = 0, 8 (flush at 24-16 = 8 is the same start)
    expect(out[0]).toBe(0);
    expect(out[8]).toBe(0.5);
    expect(out[23]).toBe(1);
  });
});

describe('inference sized to the device', () => {
  // the reference spec's shapes: depth 3, 12 filters, 48 x 48 patches, batch 32
  const config = { ...DEFAULT_EXPERIMENT, model: { ...DEFAULT_EXPERIMENT.model, depth: 3, filters: 12 } };
  it('without a limit: tiles of 1024, the training batch', () => {
    const s = inferenceSettings(config);
    expect(s.maxTile).toBe(1024);
    expect(s.batch).toBe(config.train.batch);
  });

  it("a GPU's buffer limits shrink the tile and the sliding-window batch so the widest tensor fits", () => {
    const limit = maxTensorBytes({ adapter: { maxStorageBufferBindingSize: 16 << 20, maxBufferSize: 1 << 30 } });
    expect(limit).toBe(16 << 20);
    const s = inferenceSettings({ ...config, train: { ...config.train, batch: 512 } }, limit);
    // the last decoder block's input: 2 x 12 float32 channels per pixel
    expect(s.maxTile ** 2 * 2 * 12 * 4).toBeLessThanOrEqual(limit);
    expect((s.maxTile + 8) ** 2 * 2 * 12 * 4).toBeGreaterThan(limit);
    expect(s.maxTile % 8).toBe(0);
    expect(s.batch * 48 * 48 * 2 * 12 * 4).toBeLessThanOrEqual(limit);
    expect(s.batch).toBeLessThan(512);
  });
});
