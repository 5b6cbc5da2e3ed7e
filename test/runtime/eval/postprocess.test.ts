import { describe, expect, it } from 'vitest';
import { binarize, fillHoles, removeSmallComponents } from '../../../src/runtime/eval/postprocess.js';

// Parses a picture of a mask: '#' = 1, '.' = 0.
function grid(rows: string[]): { mask: Uint8Array; w: number; h: number } {
  const w = rows[0].length;
  const mask = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { mask, w, h: rows.length };
}
const show = (mask: Uint8Array, w: number): string[] =>
  Array.from({ length: mask.length / w }, (_, y) => Array.from(mask.subarray(y * w, y * w + w), (v) => (v ? '#' : '.')).join(''));

describe('removeSmallComponents', () => {
  it('drops components below the size and keeps diagonal chains together', () => {
    const { mask, w, h } = grid([
      '#.....',
      '.#..##',
      '..#...',
      '......',
      '....#.',
    ]);
    // diagonal chain = 3 px (8-connected), pair = 2 px, single = 1 px
    expect(show(removeSmallComponents(mask, w, h, 3), w)).toEqual(['#.....', '.#....', '..#...', '......', '......']);
    expect(show(removeSmallComponents(mask, w, h, 2), w)).toEqual(['#.....', '.#..##', '..#...', '......', '......']);
    expect(removeSmallComponents(mask, w, h, 0)).toEqual(mask);
  });
});

describe('fillHoles', () => {
  it('fills small enclosed holes only', () => {
    const { mask, w, h } = grid([
      '#####...',
      '#..##...',
      '#####..#',
      '.......#',
      '######.#',
      '#....#..',
      '######..',
    ]);
    const out = show(fillHoles(mask, w, h, 3), w);
    expect(out[1]).toBe('#####...');
    expect(out[5]).toBe('#....#..'); // 4-pixel hole is not below 3
    expect(show(fillHoles(mask, w, h, 5), w)[5]).toBe('######..');
    // background touching the border is never a hole
    expect(show(fillHoles(mask, w, h, 100), w)[3]).toBe('.......#');
  });

  it('treats a diagonal gap as closed (4-connected background)', () => {
    const { mask, w, h } = grid(['.#.', '#.#', '.#.']);
    expect(show(fillHoles(mask, w, h, 2), w)).toEqual(['.#.', '###', '.#.']);
  });
});

describe('binarize', () => {
  it('thresholds with >= then post-processes', () => {
    const prob = Float32Array.of(0.5, 0.49, 0.9, 0.1);
    expect(Array.from(binarize(prob, 4, 1, { min_component: 0, fill_holes: 0 }, 0.5))).toEqual([1, 0, 1, 0]);
    expect(Array.from(binarize(prob, 4, 1, { min_component: 2, fill_holes: 0 }, 0.5))).toEqual([0, 0, 0, 0]);
  });
});
