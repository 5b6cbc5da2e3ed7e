import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { PreprocessOp } from '../../../src/spec/config.js';
import { createPreprocessor, DataError, loadDataset, splitImages, toOriginalGeometry, type RawImage } from '../../../src/runtime/data/index.js';
import { clipHistogram } from '../../../src/runtime/data/preprocess/clahe.js';

function raw(width: number, height: number, channels: number, pixels: number[], opts: { fov?: number[]; label?: number[] } = {}): RawImage {
  return {
    id: 'x',
    sourcePath: 'mem:x',
    width,
    height,
    channels,
    pixels: Float32Array.from(pixels),
    label: opts.label === undefined ? null : Uint8Array.from(opts.label),
    fov: Uint8Array.from(opts.fov ?? new Array(width * height).fill(1)),
  };
}

const run = (ops: PreprocessOp[], img: RawImage) => createPreprocessor(ops).apply(img);
const close = (actual: Float32Array, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
};

// a 4 wide x 3 high grey image holding 0..11, with a label that marks even values
const grid = raw(4, 3, 1, [...Array(12).keys()], { label: [...Array(12).keys()].map((v) => (v % 2 === 0 ? 1 : 0)) });

describe('crop', () => {
  it('center: keeps the middle rectangle (floor offsets)', () => {
    const out = run([{ op: 'crop', mode: 'center', size: [1, 2] }], grid);
    expect(out).toMatchObject({ width: 2, height: 1 });
    close(out.pixels, [5, 6]);
    expect([...out.label!]).toEqual([0, 1]);
  });

  it('box: top-left at (x, y)', () => {
    const out = run([{ op: 'crop', mode: 'box', x: 2, y: 0, size: [2, 2] }], grid);
    close(out.pixels, [2, 3, 6, 7]);
    expect(out.geometry).toEqual([{ kind: 'crop', x: 2, y: 0, from: { width: 4, height: 3 }, to: { width: 2, height: 2 } }]);
  });

  it('a crop larger than the image is a DataError', () => {
    expect(() => run([{ op: 'crop', mode: 'center', size: [5, 5] }], grid)).toThrow(DataError);
    expect(() => run([{ op: 'crop', mode: 'box', x: 3, y: 0, size: [1, 2] }], grid)).toThrow(/does not fit/);
  });
});

describe('grayscale', () => {
  const rgb = raw(2, 1, 3, [1, 0.5, 0, 0.2, 0.4, 0.6]);
  it('luminance = 0.299 R + 0.587 G + 0.114 B', () => {
    const out = run([{ op: 'grayscale', mode: 'luminance' }], rgb);
    expect(out.channels).toBe(1);
    close(out.pixels, [0.299 + 0.587 * 0.5, 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6]);
  });
  it.each([
    ['red', [1, 0.2]],
    ['green', [0.5, 0.4]],
    ['blue', [0, 0.6]],
  ] as const)('%s keeps one channel', (mode, expected) => {
    close(run([{ op: 'grayscale', mode }], rgb).pixels, [...expected]);
  });
  it('luminance of a grey image is itself; a colour channel of it is an error', () => {
    close(run([{ op: 'grayscale', mode: 'luminance' }], grid).pixels, [...Array(12).keys()]);
    expect(() => run([{ op: 'grayscale', mode: 'green' }], grid)).toThrow(/single channel/);
  });
});

describe('normalize', () => {
  it('per_image: z-score inside the FOV, 0 outside', () => {
    const out = run([{ op: 'normalize', mode: 'per_image' }], raw(4, 1, 1, [1, 2, 3, 40], { fov: [1, 1, 1, 0] }));
    const s = Math.sqrt(2 / 3);
    close(out.pixels, [-1 / s, 0, 1 / s, 0]);
  });

  it('dataset: mean/std fitted on the given images, applied to others', () => {
    const fit = [raw(2, 1, 1, [0, 2]), raw(2, 1, 1, [4, 6])];
    const p = createPreprocessor([{ op: 'normalize', mode: 'dataset' }], fit);
    expect(p.stats.dataset_normalize[0].mean[0]).toBeCloseTo(3, 6);
    expect(p.stats.dataset_normalize[0].std[0]).toBeCloseTo(Math.sqrt(5), 6);
    close(p.apply(raw(2, 1, 1, [3, 3 + Math.sqrt(5)])).pixels, [0, 1]);
    // saved stats reproduce the transform without the training images
    const again = createPreprocessor([{ op: 'normalize', mode: 'dataset' }], JSON.parse(JSON.stringify(p.stats)));
    close(again.apply(raw(1, 1, 1, [8])).pixels, [5 / Math.sqrt(5)]);
  });

  it('dataset: fitted after the ops before it', () => {
    const p = createPreprocessor([{ op: 'gamma', value: 2 }, { op: 'normalize', mode: 'dataset' }], [raw(2, 1, 1, [0, 1])]);
    expect(p.stats.dataset_normalize[0]).toMatchObject({ op: 1, mean: [0.5], std: [0.5] });
  });

  it('dataset: without training images or saved stats is a DataError', () => {
    expect(() => createPreprocessor([{ op: 'normalize', mode: 'dataset' }])).toThrow(DataError);
  });

  it('loadDataset fits the dataset statistics on the training split only', async () => {
    const data = {
      ...DEFAULT_EXPERIMENT.data,
      dataset: { kind: 'synthetic' as const, count: 6, size: [48, 48] as const, seed: 3 },
      preprocess: [{ op: 'grayscale', mode: 'green' }, { op: 'normalize', mode: 'dataset' }] as PreprocessOp[],
      split: { kind: 'ratio' as const, train: 0.5, val: 0.5 },
    };
    const ds = await loadDataset(data, { seed: 7 });
    const plain = await loadDataset({ ...data, preprocess: [{ op: 'grayscale', mode: 'green' }] });
    const { train, val } = splitImages(plain.images, data.split, 7);
    expect(val.length).toBe(3);
    const inside = (imgs: typeof train) => imgs.flatMap((im) => [...im.pixels].filter((_, i) => im.fov[i] === 1));
    const values = inside(train);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(ds.preprocessor.stats.dataset_normalize[0].mean[0]).toBeCloseTo(mean, 5);
    const all = inside(plain.images);
    expect(Math.abs(all.reduce((a, b) => a + b, 0) / all.length - mean)).toBeGreaterThan(1e-5);
  });
});

describe('clahe', () => {
  it('without clipping, one tile = histogram equalisation (OpenCV LUT rounding)', () => {
    const img = raw(4, 4, 1, [...Array(16)].map((_, i) => (i < 8 ? 0 : 1)));
    const out = run([{ op: 'clahe', tiles: [1, 1], clip: 0 }], img);
    // cdf(0) = 8 of 16 -> round(127.5) = 128; cdf(255) = 16 -> 255
    close(out.pixels, [...Array(16)].map((_, i) => (i < 8 ? 128 / 255 : 1)));
  });

  it('clip limit: max(1, floor(clip * area / 256)), excess redistributed', () => {
    const img = raw(4, 4, 1, [...Array(16)].map((_, i) => (i < 8 ? 0 : 1)));
    // limit floor(40 * 16 / 256) = 2; excess 12 -> one each to bins 0, 21, ..., 231; cdf(0) = 3 -> round(47.8) = 48
    const out = run([{ op: 'clahe', tiles: [1, 1], clip: 40 }], img);
    close(out.pixels, [...Array(16)].map((_, i) => (i < 8 ? 48 / 255 : 1)));
  });

  it('interpolates bilinearly between tile maps', () => {
    // tiles [1, 2] over a 4x1 row: left tile {0, 255}, right tile {0, 0}
    const out = run([{ op: 'clahe', tiles: [1, 2], clip: 0 }], raw(4, 1, 1, [0, 1, 0, 0]));
    close(out.pixels, [128 / 255, 1, (0.5 * 128 + 0.5 * 255) / 255, 1]);
  });

  it('on colour input, CLAHE and per-image normalisation treat each channel on its own', () => {
    const n = 6 * 5;
    const channel = (k: number) => Array.from({ length: n }, (_, i) => ((i * (k + 3)) % 7) / 7 + k * 0.05);
    const rgb = raw(6, 5, 3, Array.from({ length: 3 * n }, (_, j) => channel(j % 3)[Math.floor(j / 3)]));
    const ops: PreprocessOp[] = [{ op: 'clahe', tiles: [2, 2], clip: 2 }, { op: 'normalize', mode: 'per_image' }];
    const out = run(ops, rgb);
    expect(out.channels).toBe(3);
    for (let k = 0; k < 3; k++) {
      const alone = run(ops, raw(6, 5, 1, channel(k)));
      close(Float32Array.from({ length: n }, (_, i) => out.pixels[i * 3 + k]), Array.from(alone.pixels));
    }
  });

  it('clipHistogram keeps the total count', () => {
    const h = new Int32Array(256);
    h[10] = 1000;
    h[200] = 30;
    clipHistogram(h, 20);
    expect(h.reduce((a, b) => a + b, 0)).toBe(1030);
    expect(Math.max(...h)).toBeLessThanOrEqual(20 + 4);
  });
});

describe('gamma, resize, pad', () => {
  it('gamma: out = in^value, negatives to 0', () => {
    close(run([{ op: 'gamma', value: 2 }], raw(3, 1, 1, [0.5, -1, 1])).pixels, [0.25, 0, 1]);
  });

  it('resize: bilinear with half-pixel centres; label bilinear then >= 0.5', () => {
    const out = run([{ op: 'resize', size: [1, 4] }], raw(2, 1, 1, [0, 1], { label: [0, 1], fov: [1, 1] }));
    close(out.pixels, [0, 0.25, 0.75, 1]);
    expect([...out.label!]).toEqual([0, 0, 1, 1]);
    expect([...out.fov]).toEqual([1, 1, 1, 1]);
  });

  it('pad: zeros bottom/right up to a multiple; FOV and label padded with 0', () => {
    const out = run([{ op: 'pad', multiple: 4 }], raw(3, 2, 1, [1, 2, 3, 4, 5, 6], { label: [1, 1, 1, 1, 1, 1] }));
    expect(out).toMatchObject({ width: 4, height: 4 });
    close(out.pixels, [1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...out.fov]).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...out.label!]).toEqual([...out.fov]);
  });
});

describe('pipeline', () => {
  it('runs ops in the order written', () => {
    const img = raw(2, 1, 1, [0.2, 0.8]);
    const a = run([{ op: 'gamma', value: 2 }, { op: 'pad', multiple: 3 }], img);
    const b = run([{ op: 'pad', multiple: 3 }, { op: 'gamma', value: 2 }], img);
    const padded = [0.04, 0.64, 0, 0, 0, 0, 0, 0, 0]; // 2x1 padded to 3x3
    close(a.pixels, padded);
    close(b.pixels, padded);
    const c = run([{ op: 'normalize', mode: 'per_image' }, { op: 'gamma', value: 2 }], img);
    close(c.pixels, [0, 1]); // z-scores [-1, 1], then gamma clamps the negative to 0
  });

  it('describe lists the resolved pipeline', () => {
    const p = createPreprocessor([
      { op: 'crop', mode: 'center', size: [565, 565] },
      { op: 'grayscale', mode: 'green' },
      { op: 'clahe', tiles: [8, 8], clip: 2 },
      { op: 'normalize', mode: 'per_image' },
      { op: 'pad', multiple: 8 },
    ]);
    expect(p.describe()).toEqual([
      'scale intensities to [0,1]',
      'crop 565x565 (height x width) centred',
      'grayscale: keep the green channel',
      'clahe 8x8 tiles (rows x columns), clip limit 2, on [0,1] quantised to 256 levels',
      'normalize per image: z-score per channel inside the FOV, 0 outside',
      'pad bottom/right with zeros to a multiple of 8',
    ]);
  });
});

describe('toOriginalGeometry', () => {
  it('undoes pad by cutting, resize by resampling, crop by placing into zeros', () => {
    const p = createPreprocessor([
      { op: 'crop', mode: 'box', x: 1, y: 1, size: [4, 4] },
      { op: 'resize', size: [8, 8] },
      { op: 'pad', multiple: 16 },
    ]);
    const img = p.apply(raw(6, 5, 1, new Array(30).fill(0.5)));
    expect(img).toMatchObject({ width: 16, height: 16, original: { width: 6, height: 5 } });
    const back = toOriginalGeometry(new Float32Array(256).fill(1), img);
    expect(back.length).toBe(30);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 6; x++) expect(back[y * 6 + x]).toBe(x >= 1 && x < 5 && y >= 1 && y < 5 ? 1 : 0);
  });

  it('crop + pad round-trips pixel values exactly', () => {
    const src = raw(5, 4, 1, [...Array(20).keys()]);
    const img = createPreprocessor([{ op: 'crop', mode: 'center', size: [2, 3] }, { op: 'pad', multiple: 4 }]).apply(src);
    const back = toOriginalGeometry(img.pixels, img);
    [...back].forEach((v, i) => {
      const x = i % 5;
      const y = Math.floor(i / 5);
      expect(v).toBe(x >= 1 && x < 4 && y >= 1 && y < 3 ? i : 0);
    });
  });

  it('rejects a map of the wrong size', () => {
    expect(() => toOriginalGeometry(new Float32Array(3), createPreprocessor([]).apply(grid))).toThrow(/3 values, the image is 4x3/);
  });
});
