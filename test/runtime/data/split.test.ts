import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, splitImages } from '../../../src/runtime/data/index.js';

const images = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(21 + i) }));
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('splitImages', () => {
  it('ratio 0.9/0.1 of 20 images: 18 train, 2 val, disjoint, covering', () => {
    const { train, val } = splitImages(images(20), { kind: 'ratio', train: 0.9, val: 0.1 }, 42);
    expect(train).toHaveLength(18);
    expect(val).toHaveLength(2);
    expect(new Set([...ids(train), ...ids(val)]).size).toBe(20);
  });

  it('ratio keeps at least one validation and one training image', () => {
    expect(splitImages(images(5), { kind: 'ratio', train: 0.99, val: 0.01 }, 1).val).toHaveLength(1);
    expect(splitImages(images(2), { kind: 'ratio', train: 0.01, val: 0.99 }, 1).train).toHaveLength(1);
    expect(() => splitImages(images(1), { kind: 'ratio', train: 0.9, val: 0.1 }, 1)).toThrow(DataError);
  });

  it('is deterministic from the seed and varies with it', () => {
    const s = (seed: number) => ids(splitImages(images(20), { kind: 'ratio', train: 0.8, val: 0.2 }, seed).val);
    expect(s(3)).toEqual(s(3));
    expect(new Set([1, 2, 3, 4, 5].map((k) => s(k).join()))).not.toHaveProperty('size', 1);
  });

  it('kfold: the k folds partition the images', () => {
    const all = [0, 1, 2, 3, 4].flatMap((fold) => ids(splitImages(images(20), { kind: 'kfold', k: 5, fold }, 9).val));
    expect(all).toHaveLength(20);
    expect(new Set(all).size).toBe(20);
    expect(() => splitImages(images(3), { kind: 'kfold', k: 5, fold: 0 }, 9)).toThrow(/needs at least 5/);
    expect(() => splitImages(images(10), { kind: 'kfold', k: 5, fold: 5 }, 9)).toThrow(/out of range/);
  });

  it('a split with its own seed ignores the experiment\'s: the same folds under every experiment seed', () => {
    const fold = (experimentSeed: number, split: { seed?: number }) => ids(splitImages(images(20), { kind: 'kfold', k: 5, fold: 1, ...split }, experimentSeed).val);
    expect(fold(43, { seed: 42 })).toEqual(fold(42, {}));
    expect(fold(44, { seed: 42 })).toEqual(fold(42, {}));
    expect(fold(43, {})).not.toEqual(fold(42, {}));
    const ratio = (experimentSeed: number) => ids(splitImages(images(20), { kind: 'ratio', train: 0.9, val: 0.1, seed: 42 }, experimentSeed).val);
    expect(ratio(7)).toEqual(ids(splitImages(images(20), { kind: 'ratio', train: 0.9, val: 0.1 }, 42).val));
  });

  it('list: the named images are validation; an unknown id is an error', () => {
    const { train, val } = splitImages(images(20), { kind: 'list', val: ['23', '40'] }, 0);
    expect(ids(val)).toEqual(['23', '40']);
    expect(train).toHaveLength(18);
    expect(() => splitImages(images(20), { kind: 'list', val: ['99'] }, 0)).toThrow(/"99" is not in the dataset/);
  });

  it('property: train and val are disjoint by image and cover the dataset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer(), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (n, seed, val) => {
        const { train, val: v } = splitImages(images(n), { kind: 'ratio', train: 1 - val, val }, seed);
        const t = new Set(ids(train));
        return v.every((x) => !t.has(x.id)) && train.length + v.length === n && v.length >= 1 && train.length >= 1;
      }),
    );
  });
});
