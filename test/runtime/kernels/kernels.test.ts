// The fast wasm convolution-gradient kernels must agree with the reference cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import { caseData, cases, random, relError } from './conv-cases.js';

async function onBackend(name: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await initBackend(name);
  const t = f();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

describe('fast wasm convolution gradients', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const c of cases) {
    const { label, sh, x, f, dy } = caseData(c);

    it(`Conv2DBackpropFilter ${label}`, async () => {
      const run = () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(x, [...sh.x]), dy: tf.tensor4d(dy, sh.y) },
          { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', filterShape: [...sh.f] },
        ) as tf.Tensor;
      const want = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      expect(got.length).toBe(want.length);
      expect(relError(got, want)).toBeLessThan(1e-4);
    });

    it(`Conv2DBackpropInput ${label}`, async () => {
      const run = () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor4d(dy, sh.y), filter: tf.tensor4d(f, [...sh.f]) },
          { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', inputShape: [...sh.x] },
        ) as tf.Tensor;
      const want = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      expect(got.length).toBe(want.length);
      expect(relError(got, want)).toBeLessThan(1e-4);
    });
  }

  it('conv2dTranspose (2x2, stride 2, same) and its gradients match cpu', async () => {
    const xs = random(2 * 5 * 6 * 8, 4);
    const fs = random(2 * 2 * 4 * 8, 5);
    const run = () => {
      const xt = tf.tensor4d(xs, [2, 5, 6, 8]);
      const ft = tf.tensor4d(fs, [2, 2, 4, 8]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 10, 12, 4], 2, 'same'))),
      );
      const [gx, gf] = g([xt, ft]);
      const y = tf.conv2dTranspose(xt, ft, [2, 10, 12, 4], 2, 'same');
      return tf.concat([tf.reshape(y, [-1]), tf.reshape(gx, [-1]), tf.reshape(gf, [-1])]);
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relError(got, want)).toBeLessThan(1e-4);
  });

  it('frees every intermediate tensor', async () => {
    await initBackend('wasm');
    const x = tf.tensor4d(random(2 * 8 * 8 * 3, 6), [2, 8, 8, 3]);
    const f = tf.tensor4d(random(3 * 3 * 3 * 4, 7), [3, 3, 3, 4]);
    const up = tf.tensor4d(random(2 * 2 * 5 * 4, 8), [2, 2, 5, 4]);
    // a strided conv, then a 2x2 stride-2 transposed conv (the blocks path) and a 1x1 conv
    const loss = (a: tf.Tensor, b: tf.Tensor) => {
      const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same');
      const z = tf.conv2dTranspose(y, up as tf.Tensor4D, [2, 8, 8, 5], 2, 'same');
      return tf.sum(tf.conv2d(z, tf.ones([1, 1, 5, 2]) as tf.Tensor4D, 1, 'same'));
    };
    tf.dispose(tf.grads(loss)([x, f]));
    const before = tf.memory();
    tf.dispose(tf.grads(loss)([x, f]));
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    tf.dispose([x, f, up]);
  });
});

describe('copy-free Identity', () => {
  it('clones share the buffer and survive disposal of the original', async () => {
    await initBackend('wasm');
    const before = tf.memory().numDataBuffers;
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    expect(tf.memory().numDataBuffers - before).toBe(1);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1, 2, 3]);
    b.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('so does a cast to the same dtype; other casts convert', async () => {
    await initBackend('wasm');
    const before = tf.memory().numDataBuffers;
    const a = tf.tensor1d([1.5, -2, 0]);
    const same = tf.cast(a, 'float32');
    expect(tf.memory().numDataBuffers - before).toBe(1);
    const ints = tf.cast(a, 'int32');
    const flags = tf.cast(a, 'bool');
    a.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2, 0]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, -2, 0]);
    expect(Array.from(await flags.data())).toEqual([1, 1, 0]);
    tf.dispose([same, ints, flags]);
    expect(tf.memory().numDataBuffers).toBe(before);
  });
});
