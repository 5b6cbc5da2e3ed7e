// TF.js's WebGPU convolution kernels against the reference cpu backend: the
// forward convolution, both gradients and the transposed convolution, at
// strides 1 and 2 with same and valid padding.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import { caseData, cases, random, relError } from '../kernels/conv-cases.js';
import { webGpuOrSkip } from './adapter.js';

const webgpu = await webGpuOrSkip('the WebGPU kernel tests');

/** f on cpu and on webgpu, from the same inputs */
async function onBoth(f: () => tf.Tensor): Promise<{ want: Float32Array; got: Float32Array }> {
  const results: Float32Array[] = [];
  for (const name of ['cpu', 'webgpu'] as const) {
    await initBackend(name);
    const t = tf.tidy(f);
    results.push((await t.data()) as Float32Array);
    t.dispose();
  }
  return { want: results[0], got: results[1] };
}

// float32 sums in another order; the worst seen on llvmpipe is ~1e-7
const TOLERANCE = 1e-5;

describe.skipIf(webgpu === null)('webgpu convolution kernels match cpu', () => {
  for (const c of cases) {
    const { label, sh, x, f, dy } = caseData(c);
    const conv = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC' } as const;

    it(`Conv2D, Conv2DBackpropFilter and Conv2DBackpropInput ${label}`, async () => {
      const run = () =>
        tf.concat([
          tf.reshape(tf.conv2d(tf.tensor4d(x, [...sh.x]), tf.tensor4d(f, [...sh.f]), c.s, c.pad), [-1]),
          tf.reshape(
            tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, [...sh.x]), dy: tf.tensor4d(dy, sh.y) }, { ...conv, filterShape: [...sh.f] }) as tf.Tensor,
            [-1],
          ),
          tf.reshape(
            tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dy, sh.y), filter: tf.tensor4d(f, [...sh.f]) }, { ...conv, inputShape: [...sh.x] }) as tf.Tensor,
            [-1],
          ),
        ]);
      const { want, got } = await onBoth(run);
      expect(got.length).toBe(want.length);
      expect(relError(got, want)).toBeLessThan(TOLERANCE);
    });
  }

  for (const pad of ['same', 'valid'] as const) {
    it(`conv2dTranspose (2x2, stride 2, ${pad}) and its gradients`, async () => {
      const xs = random(2 * 5 * 6 * 8, 4);
      const fs = random(2 * 2 * 4 * 8, 5);
      const run = () => {
        const xt = tf.tensor4d(xs, [2, 5, 6, 8]);
        const ft = tf.tensor4d(fs, [2, 2, 4, 8]);
        const up = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 10, 12, 4], 2, pad);
        const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(up(a, b))))([xt, ft]);
        return tf.concat([tf.reshape(up(xt, ft), [-1]), tf.reshape(gx, [-1]), tf.reshape(gf, [-1])]);
      };
      const { want, got } = await onBoth(run);
      expect(relError(got, want)).toBeLessThan(TOLERANCE);
    });
  }
});
