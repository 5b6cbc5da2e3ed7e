// Convolution shapes and helpers shared by the kernel tests of each backend:
// strides 1 and 2, same and valid padding, odd sizes and non-square kernels.
import * as tf from '@tensorflow/tfjs-core';

export { relError } from '../rel-error.js';

export type Pad = 'same' | 'valid';
export interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: number;
  pad: Pad;
}

export function random(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

export function shapes(c: Case) {
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.k[0], c.k[1], c.ci, c.co], c.s, 1, c.pad);
  return { x: [c.n, c.h, c.w, c.ci] as const, f: [c.k[0], c.k[1], c.ci, c.co] as const, y: info.outShape };
}

export const cases: Case[] = [
  { n: 2, h: 9, w: 7, ci: 3, co: 5, k: [3, 3], s: 1, pad: 'same' },
  { n: 3, h: 8, w: 8, ci: 4, co: 6, k: [3, 3], s: 1, pad: 'valid' },
  { n: 2, h: 9, w: 10, ci: 3, co: 4, k: [3, 3], s: 2, pad: 'same' },
  { n: 2, h: 11, w: 8, ci: 5, co: 3, k: [3, 2], s: 2, pad: 'valid' },
  { n: 1, h: 7, w: 9, ci: 2, co: 3, k: [5, 5], s: 1, pad: 'same' },
  { n: 2, h: 8, w: 6, ci: 4, co: 4, k: [2, 2], s: 2, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 16, co: 8, k: [1, 1], s: 1, pad: 'same' },
];

/** A case's label, shapes, and its input, filter and output-gradient data (seeded, the same on every run). */
export function caseData(c: Case) {
  const sh = shapes(c);
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b);
  return {
    label: `${c.n}x${c.h}x${c.w}x${c.ci} -> ${c.co}, k ${c.k.join('x')}, stride ${c.s}, ${c.pad}`,
    sh,
    x: random(size(sh.x), 1),
    f: random(size(sh.f), 2),
    dy: random(size(sh.y), 3),
  };
}
