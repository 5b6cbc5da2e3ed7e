// The machine a benchmark ran on, printed with every result, and summary statistics of repeated timings.
export { machineLine } from '../src/runtime/run/machine.js';

export function stats(samples: number[]): { median: number; min: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}
