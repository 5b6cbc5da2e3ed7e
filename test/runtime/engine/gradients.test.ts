// variableGradients against tf.variableGrads: the same gradients, bit for bit,
// with the tape's memory released during the backward pass.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import { variableGradients } from '../../../src/runtime/engine/gradients.js';
import { buildModel } from '../../../src/runtime/model/index.js';
import { makeLoss } from '../../../src/runtime/train/losses.js';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { ModelConfig } from '../../../src/spec/config.js';

const n = 3;
const size = 16;
const models: Array<[string, Partial<ModelConfig>]> = [
  ['paper recurrence, no norm', { recurrence: 'paper', norm: 'none' }],
  ['shared recurrence, batch norm, transposed upsampling', { recurrence: 'shared', norm: 'batch', upsample: 'transpose' }],
];

function inputs(seed: number): { xs: tf.Tensor4D; ys: tf.Tensor4D } {
  let s = seed;
  const x = new Float32Array(n * size * size).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
  return { xs: tf.tensor4d(x, [n, size, size, 1]), ys: tf.tensor4d(x.map((v) => (v > 0.7 ? 1 : 0)), [n, size, size, 1]) };
}

describe('variableGradients', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const [name, model] of models) {
    it(`equals tf.variableGrads bit for bit and leaks nothing: ${name}`, () => {
      const net = buildModel({ ...DEFAULT_EXPERIMENT.model, depth: 2, filters: 4, t: 2, ...model }, 1);
      const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = makeLoss(DEFAULT_EXPERIMENT.train.loss);
      const { xs, ys } = inputs(7);
      const f = () => loss(ys, net.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;

      const expected = tf.variableGrads(f, vars);
      const tensors = tf.memory().numTensors;
      const ours = variableGradients(f, vars);
      // the loss and one gradient per variable are new; everything the pass made in between is gone
      expect(tf.memory().numTensors).toBe(tensors + 1 + vars.length);
      expect(ours.value.dataSync()[0]).toBe(expected.value.dataSync()[0]);
      vars.forEach((v, i) => {
        expect(ours.grads[i].shape).toEqual(v.shape);
        expect(Array.from(ours.grads[i].dataSync()), v.name).toEqual(Array.from(expected.grads[v.name].dataSync()));
      });
      tf.dispose([ours.value, ...ours.grads, expected.value, ...Object.values(expected.grads), xs, ys]);
      net.dispose();
    });
  }

  it('gives zeros for a variable the loss does not read, and refuses a non-scalar loss', () => {
    const a = tf.variable(tf.tensor1d([1, 2]), true, 'gradients_test_a');
    const unused = tf.variable(tf.tensor1d([3]), true, 'gradients_test_unused');
    const { value, grads } = variableGradients(() => tf.sum(tf.mul(a, a)), [a, unused]);
    expect(Array.from(grads[0].dataSync())).toEqual([2, 4]);
    expect(Array.from(grads[1].dataSync())).toEqual([0]);
    expect(() => variableGradients(() => tf.mul(a, a) as unknown as tf.Scalar, [a])).toThrow(/scalar/);
    tf.dispose([value, ...grads, a, unused]);
  });
});
