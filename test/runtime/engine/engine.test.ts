import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';
import { createTrainEngine, splitBatch } from '../../../src/runtime/engine/index.js';
import { updateDisagreement } from './update-disagreement.js';

const config: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  model: { ...DEFAULT_EXPERIMENT.model, depth: 2, filters: 4, t: 1 },
  train: { ...DEFAULT_EXPERIMENT.train, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0, nesterov: false } },
};
const n = 6;
const h = 16;
const w = 16;

/** a learnable toy task: the label is whether the pixel is bright */
function batch(seed: number, size = h): { x: Float32Array; y: Float32Array } {
  let s = seed;
  const x = new Float32Array(n * size * size).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
  return { x, y: x.map((v) => (v > 0.6 ? 1 : 0)) };
}


describe('train engine', () => {
  it('splits batches into near-equal parts', () => {
    expect(splitBatch(32, 2)).toEqual([16, 16]);
    expect(splitBatch(7, 3)).toEqual([3, 2, 2]);
    expect(splitBatch(1, 2)).toEqual([1]);
  });

  it('in-process: trains, keeps the tensor count stable, round-trips weights and optimizer state', async () => {
    const engine = await createTrainEngine({ config, inputChannels: 1, workers: 1, backend: 'wasm' });
    expect(engine.backend.name).toBe('wasm');
    const { x, y } = batch(1);
    const first = await engine.step(x, y, n, h, w);
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 25; i++) last = await engine.step(x, y, n, h, w);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last).toBeLessThan(first);

    const weights = await engine.getWeights();
    expect(weights.map((a) => a.length)).toEqual(engine.model.getWeights().map((t) => t.size));
    const state = await engine.getOptimizerState();
    expect(state.step).toBe(26);
    const probs = await engine.predict(x, n, h, w);
    expect(probs).toHaveLength(n * h * w);

    await engine.step(x, y, n, h, w);
    await engine.setWeights(weights);
    await engine.setOptimizerState(state);
    (await engine.getWeights()).forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(weights[i])));
    expect(Array.from(await engine.predict(x, n, h, w))).toEqual(Array.from(probs));
    await engine.dispose();
  });

  // On the cpu backend the data-parallel step must reproduce the whole-batch
  // step to float32 rounding. On wasm, XNNPACK sums in batch-size-dependent
  // orders; through ReLUs and cancelling bias sums the encoder gradients of
  // half batches then differ from the whole batch's by up to ~1e-3 relative
  // (the same happens in-process, without workers), hence the looser bound.
  for (const [backend, tolerance, digits, size] of [
    ['cpu', 1e-5, 5, 8],
    ['wasm', 1e-2, 3, 16],
  ] as const) {
    it(`two workers (${backend}): steps equal the in-process steps`, async () => {
      const local = await createTrainEngine({ config, inputChannels: 1, workers: 1, backend });
      const parallel = await createTrainEngine({ config, inputChannels: 1, workers: 2, backend });
      expect(parallel.workers).toBe(2);
      expect(local.layout).toBe('this thread');
      // each worker runs its own backend of the same kind, single-threaded: the workers are the parallelism
      expect(parallel.layout).toMatch(new RegExp(`^2 data-parallel workers, each ${backend}${backend === 'wasm' ? ' \\(XNNPACK.* 1 thread,' : ''}`));
      const origin = await local.getWeights();
      await parallel.setWeights(origin);
      const { x, y } = batch(2, size);
      const lossLocal = await local.step(x, y, n, size, size);
      const lossParallel = await parallel.step(x, y, n, size, size);
      expect(lossParallel).toBeCloseTo(lossLocal, digits);
      expect(updateDisagreement(await parallel.getWeights(), await local.getWeights(), origin)).toBeLessThan(tolerance);
      // this thread's tensor count stays put across data-parallel steps
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) await parallel.step(x, y, n, size, size);
      expect(tf.memory().numTensors).toBe(tensors);

      // batched inference is spread over the workers and matches this thread's
      await local.setWeights(await parallel.getWeights());
      const spread = await parallel.predict(x, n, size, size);
      const here = await local.predict(x, n, size, size);
      expect(spread).toHaveLength(here.length);
      let worst = 0;
      for (let i = 0; i < here.length; i++) worst = Math.max(worst, Math.abs(spread[i] - here[i]));
      expect(worst).toBeLessThan(1e-5);
      await Promise.all([local.dispose(), parallel.dispose()]);
    });
  }
});
