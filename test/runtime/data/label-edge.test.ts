import { describe, expect, it } from 'vitest';
import { markVesselEdge } from '../../../src/runtime/data/label-edge.js';
import { UNSCORED } from '../../../src/runtime/data/types.js';

const U = UNSCORED;

describe('markVesselEdge', () => {
  // one row of a vertical vessel 5 px wide and one 1 px wide, in a 13 x 3 label
  const row = [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0];
  const label = Uint8Array.from([...row, ...row, ...row]);

  it('depth 1: the vessel pixels with a background 4-neighbour; a 1-px vessel is all edge; background untouched', () => {
    const out = markVesselEdge(label, 13, 3, 1);
    expect(Array.from(out.subarray(13, 26))).toEqual([0, U, 1, 1, 1, U, 0, 0, 0, U, 0, 0, 0]);
    expect(label[1]).toBe(1); // the input is not changed
  });

  it('depth 2 reaches one step further in; the image border is not background', () => {
    const out = markVesselEdge(label, 13, 3, 2);
    expect(Array.from(out.subarray(0, 13))).toEqual([0, U, U, 1, U, U, 0, 0, 0, U, 0, 0, 0]);
    expect(Array.from(out.subarray(26, 39))).toEqual([0, U, U, 1, U, U, 0, 0, 0, U, 0, 0, 0]);
  });

  it('refuses a label of the wrong size', () => {
    expect(() => markVesselEdge(label, 12, 3, 1)).toThrow(/39 pixels, expected 12x3/);
  });
});
