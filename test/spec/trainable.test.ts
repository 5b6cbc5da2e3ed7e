import { describe, expect, it } from 'vitest';
import { patchFits, trainabilityProblems } from '../../src/spec/trainable.js';

const image = (id: string, height: number, width: number, label: unknown = 'mask') => ({ id, height, width, label });

describe('trainability', () => {
  it('a patch fits when it is no larger than the image in either direction', () => {
    expect(patchFits([48, 48], [48, 64])).toBe(true);
    expect(patchFits([48, 65], [48, 64])).toBe(false);
    expect(patchFits([49, 48], [48, 64])).toBe(false);
  });

  it('lists every problem in the order training meets them', () => {
    const train = [image('a', 64, 64), image('b', 32, 64, null)];
    const val = [image('c', 64, 40)];
    expect(trainabilityProblems([48, 48], { train, val })).toEqual([
      { kind: 'no_label', image: train[1] },
      { kind: 'patch_too_large', image: train[1] },
      { kind: 'patch_too_large', image: val[0] },
    ]);
    expect(trainabilityProblems([48, 48], { train: [train[0]], val: [] })).toEqual([{ kind: 'no_validation' }]);
    expect(trainabilityProblems([48, 48], { train: [train[0]], val: [train[0]] })).toEqual([]);
  });
});
