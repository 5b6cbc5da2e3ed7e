// r2u's native kernels (oneDNN on the wasm heap) against the reference cpu
// backend on random shapes, and a short training run native vs wasm. Skipped,
// with the reason printed, where the addon is not built; under
// R2U_REQUIRE_SYSTEM=1 (CI) a missing addon fails instead.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import { initBackend } from '../../../src/runtime/backend.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';
import { createTrainEngine } from '../../../src/runtime/engine/index.js';
import { loadNativeAddon } from '../../../src/runtime/native/addon.js';
import { BatchNormalization, FollowingReLU } from '../../../src/runtime/model/batch-norm.js';
import { batchNormTraining, hasFusedBatchNorm } from '../../../src/runtime/kernels/batch-norm-training.js';
import { relError } from '../rel-error.js';
import { onBackends } from './on-backends.js';

const addon = loadNativeAddon();
const missing = typeof addon === 'string' ? addon : null;
if (missing !== null) console.log(`native kernel tests skipped: ${missing}`);

describe('native addon availability', () => {
  it.runIf(process.env.R2U_REQUIRE_SYSTEM === '1')('is built and loads (R2U_REQUIRE_SYSTEM=1)', () => {
    expect(missing, 'the native addon is required here').toBeNull();
  });
});

/** a small LCG: the cases and their data are the same on every run */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const data = (size: number, rnd: () => number) => Float32Array.from({ length: size }, () => rnd() - 0.5);

function expectClose(want: Float32Array[], got: Float32Array[], what: string, tolerance = 1e-5): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(got[i].length, `${what}: output ${i} size`).toBe(w.length);
    expect(relError(got[i], w), `${what}: output ${i}`).toBeLessThan(tolerance);
  });
}

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: [number, number];
  pad: 'same' | 'valid';
}

// the edges the brief names, then random ones
const fixed: Case[] = [
  { n: 1, h: 7, w: 9, ci: 3, co: 5, k: [3, 3], s: [1, 1], pad: 'same' },
  { n: 2, h: 9, w: 10, ci: 3, co: 4, k: [3, 3], s: [2, 2], pad: 'same' },
  { n: 2, h: 11, w: 8, ci: 5, co: 3, k: [3, 2], s: [2, 2], pad: 'valid' },
  { n: 1, h: 8, w: 8, ci: 16, co: 8, k: [1, 1], s: [1, 1], pad: 'same' },
  { n: 3, h: 5, w: 5, ci: 7, co: 2, k: [1, 1], s: [2, 2], pad: 'valid' },
  { n: 2, h: 13, w: 13, ci: 32, co: 16, k: [3, 3], s: [1, 1], pad: 'same' },
];
const rnd = lcg(11);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const random: Case[] = Array.from({ length: 10 }, (): Case => ({
  n: 1 + Math.floor(rnd() * 3),
  h: 3 + Math.floor(rnd() * 12),
  w: 3 + Math.floor(rnd() * 12),
  ci: 1 + Math.floor(rnd() * 20),
  co: 1 + Math.floor(rnd() * 20),
  k: [pick([1, 2, 3, 5]), pick([1, 2, 3])],
  s: [pick([1, 2]), pick([1, 2, 3])],
  pad: pick(['same', 'valid'] as const),
})).filter((c) => c.pad === 'same' || (c.h >= c.k[0] && c.w >= c.k[1]));

describe.skipIf(missing !== null)('native kernels agree with the cpu backend', () => {
  for (const c of [...fixed, ...random]) {
    const label = `${c.n}x${c.h}x${c.w}x${c.ci} -> ${c.co}, k ${c.k.join('x')}, stride ${c.s.join('x')}, ${c.pad}`;
    const r = lcg(c.n * 1000 + c.h * 100 + c.ci);
    const x = data(c.n * c.h * c.w * c.ci, r);
    const f = data(c.k[0] * c.k[1] * c.ci * c.co, r);
    const bias = data(c.co, r);

    it(`conv2d forward and both gradients: ${label}`, async () => {
      const { want, got } = await onBackends(() => {
        const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
        const ft = tf.tensor4d(f, [c.k[0], c.k[1], c.ci, c.co]);
        const y = tf.conv2d(xt, ft, c.s, c.pad);
        // a loss whose gradient is not all ones, so dy has structure
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad))))([
          xt,
          ft,
        ]);
        return [y, dx, df];
      });
      expectClose(want, got, label);
    });

    it(`fused conv2d with bias and activations: ${label}`, async () => {
      const { want, got } = await onBackends(() => {
        const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
        const ft = tf.tensor4d(f, [c.k[0], c.k[1], c.ci, c.co]);
        const b = tf.tensor1d(bias);
        return (['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const).map((activation) =>
          tf.fused.conv2d({ x: xt, filter: ft, strides: c.s, pad: c.pad, bias: b, activation, leakyreluAlpha: 0.1 }),
        );
      });
      expectClose(want, got, label);
    });
  }

  for (const [n, h, w, ci, co, k, s, pad] of [
    [2, 6, 5, 8, 4, 2, 2, 'valid'],
    [1, 4, 4, 3, 5, 3, 2, 'same'],
    [3, 5, 7, 6, 6, 3, 1, 'same'],
  ] as const) {
    it(`conv2dTranspose and its gradients: ${n}x${h}x${w}x${ci} -> ${co}, k ${k}, stride ${s}, ${pad}`, async () => {
      const r = lcg(n + h + w + ci);
      const outH = pad === 'same' ? h * s : (h - 1) * s + k;
      const outW = pad === 'same' ? w * s : (w - 1) * s + k;
      const x = data(n * h * w * ci, r);
      const f = data(k * k * co * ci, r);
      const { want, got } = await onBackends(() => {
        const xt = tf.tensor4d(x, [n, h, w, ci]);
        const ft = tf.tensor4d(f, [k, k, co, ci]);
        const up = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [n, outH, outW, co], s, pad);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(up(a, b))))([xt, ft]);
        return [up(xt, ft), dx, df];
      });
      expectClose(want, got, 'conv2dTranspose');
    });
  }

  // oneDNN 2.6 reduces a strided 1x1 convolution to unit stride in a buffer that its backward-weights
  // pass overruns for NHWC with fewer input channels than a vector block (uxlfoundation/oneDNN#6035):
  // glibc aborts on AVX-512, and AVX2 gives wrong weight gradients. The addon reduces the stride itself.
  for (const isa of [undefined, 'AVX2']) {
    it(`strided 1x1 convolutions with few input channels, ${isa ?? "the CPU's own"} kernels (oneDNN#6035)`, () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/runtime/fixtures/strided-1x1-conv.ts'], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, DNNL_MAX_CPU_ISA: isa },
      });
      expect(child.signal, `the child died: ${child.stderr}`).toBeNull();
      expect(child.status, child.stderr).toBe(0);
      const { errors } = JSON.parse(child.stdout) as { errors: number[] };
      expect(errors.length).toBe(4);
      errors.forEach((e, i) => expect(e, `case ${i}`).toBeLessThan(1e-5));
    });
  }

  it('tile, as batch norm uses it and on other ranks and dtypes', async () => {
    const r = lcg(5);
    const [a, b, c] = [data(16, r), data(6, r), data(30, r)];
    const { want, got } = await onBackends(() => [
      tf.tile(tf.tensor4d(a, [1, 1, 1, 16]), [3, 5, 7, 1]),
      tf.tile(tf.tensor2d(b, [2, 3]), [3, 2]),
      tf.tile(tf.tensor3d(c, [2, 5, 3]), [1, 2, 3]),
      tf.cast(tf.tile(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), [2, 3]), 'float32'),
      tf.cast(tf.tile(tf.tensor1d([true, false, true], 'bool'), [4]), 'float32'),
    ]);
    want.forEach((w, i) => expect(Array.from(got[i]), `tile ${i}`).toEqual(Array.from(w)));
  });
});

describe.skipIf(missing !== null)('native batch-norm kernels agree with the cpu backend', () => {
  const r = lcg(9);
  const x = data(3 * 5 * 7 * 6, r);
  const c = data(6, r);
  const v = data(6, r).map((t) => t + 0.6);
  const s = data(1, r);
  const shape = [3, 5, 7, 6] as [number, number, number, number];

  it('Sum and Mean over leading axes, kept or not, and the cases wasm keeps', async () => {
    const { want, got } = await onBackends(() => {
      const t = tf.tensor4d(x, shape);
      return [
        tf.sum(t, [0, 1, 2]),
        tf.mean(t, [0, 1, 2], true),
        tf.sum(t, 0),
        tf.mean(t, [1, 0]),
        tf.sum(t),
        tf.mean(t, [1, 2]), // not leading: the wasm kernel
        tf.sum(t, -1),
        tf.cast(tf.sum(tf.cast(t, 'int32'), [0, 1, 2]), 'float32'),
      ];
    });
    expectClose(want, got, 'reductions');
  });

  it('Add, Sub, Multiply, RealDiv: same shapes, per channel, scalars, and the cases wasm keeps', async () => {
    const { want, got } = await onBackends(() => {
      const t = tf.tensor4d(x, shape);
      const u = tf.tensor4d(x.map((q) => q * 0.5 + 1), shape);
      const ch = tf.tensor1d(v);
      const ch4 = tf.tensor4d(c, [1, 1, 1, 6]);
      const sc = tf.scalar(s[0] + 2);
      const rows = tf.tensor2d(data(7 * 6, lcg(2)), [7, 6]);
      const col = tf.tensor4d(data(3 * 6, lcg(4)), [3, 1, 1, 6]); // broadcast in the middle: wasm
      const out: tf.Tensor[] = [];
      for (const f of [tf.add, tf.sub, tf.mul, tf.div]) {
        out.push(f(t, u), f(t, ch), f(ch, u), f(ch4, t), f(t, sc), f(sc, u), f(t, rows), f(t, col));
      }
      out.push(tf.cast(tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')), 'float32'));
      return out;
    });
    expectClose(want, got, 'binary ops');
  });

  it('FusedBatchNorm with and without offset and scale, and a batch-norm layer step', async () => {
    const { want, got } = await onBackends(() => {
      const t = tf.tensor4d(x, shape);
      const [m, va, off, sc] = [tf.tensor1d(c), tf.tensor1d(v), tf.tensor1d(v.map((q) => q - 1)), tf.tensor1d(c.map((q) => q + 1))];
      // the training-mode layer's whole forward and backward: moments, normalisation, gradients
      const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.square(tf.batchNorm(a as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3)));
      };
      return [
        tf.batchNorm(t, m, va, off, sc, 1e-3),
        tf.batchNorm(t, m, va, undefined, undefined, 0.01),
        ...tf.grads(loss)([t, sc, off]),
      ];
    });
    // the input gradient through the batch statistics is a difference of nearly equal sums: float32
    // summation order alone moves it by ~2e-5 relative
    expectClose(want, got, 'batch norm', 1e-4);
  });
});

describe.skipIf(missing !== null)('fused batch norm for training agrees with the cpu backend', () => {
  /** y, mean, variance and the gradients of a structured loss: fused where the backend has it, else tf.moments + tf.batchNorm */
  function step(x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, eps: number, fused: boolean, relu: boolean): tf.Tensor[] {
    const forward = (a: tf.Tensor, sc: tf.Tensor, off: tf.Tensor) => {
      if (fused) return batchNormTraining(a, sc as tf.Tensor1D, off as tf.Tensor1D, eps, relu);
      const { mean, variance } = tf.moments(a, [...Array(a.rank - 1).keys()]);
      const y = tf.batchNorm(a, mean, variance, off as tf.Tensor1D, sc as tf.Tensor1D, eps);
      return { y: relu ? tf.relu(y) : y, mean, variance };
    };
    const { y, mean, variance } = forward(x, g, b);
    // the loss weights each output differently, so dy has structure (a plain sum's dx is zero)
    const weights = tf.sin(tf.reshape(tf.range(0, x.size), x.shape));
    const grads = tf.grads((a: tf.Tensor, sc: tf.Tensor, off: tf.Tensor) => tf.sum(tf.mul(tf.square(forward(a, sc, off).y), weights)))([x, g, b]);
    return [y, mean, variance, ...grads];
  }

  for (const [shape, offset] of [
    [[1, 1, 1, 1], 0],
    [[1, 7, 9, 3], 0],
    [[3, 5, 5, 16], 0],
    [[2, 11, 13, 33], 0],
    [[5, 3, 4, 2], 100], // mean large against the spread
    [[4, 6, 6, 64], -3],
    [[7, 129], 0], // rank 2: rows x channels
    [[2, 3, 300, 5], 0], // more rows than one summation block
  ] as [number[], number][]) {
    it(`forward, statistics and gradients, without and with the ReLU: ${shape.join('x')}${offset ? `, mean ${offset}` : ''}`, async () => {
      const r = lcg(shape.reduce((a, d) => a * 31 + d, 7));
      const size = shape.reduce((a, d) => a * d, 1);
      const c = shape.at(-1)!;
      const x = data(size, r).map((v) => v * 2 + offset);
      const [g, b] = [data(c, r).map((v) => v + 1), data(c, r)];
      let usedFused = false;
      const { want, got } = await onBackends(() => {
        const fused = hasFusedBatchNorm();
        usedFused ||= fused;
        const [t, gt, bt] = [tf.tensor(x, shape), tf.tensor1d(g), tf.tensor1d(b)];
        return [...step(t, gt, bt, 1e-3, fused, false), ...step(t, gt, bt, 1e-3, fused, true)];
      });
      expect(usedFused, 'the native backend has the fused kernels').toBe(true);
      // float32 summation order differs from the cpu backend's (measured: up to 4e-6 relative)
      expectClose(want, got, 'fused batch norm', 2e-5);
    });
  }

  it('the layer, alone and with the ReLU after it, trains like the stock ones (outputs, gradient, moving averages), saves as them, and infers as them', async () => {
    const r = lcg(21);
    const shape = [4, 5, 6, 8] as const;
    const x = data(4 * 5 * 6 * 8, r).map((v) => v * 3 + 1);
    const run = (layer: tf.serialization.Serializable & { apply: (x: tf.Tensor, k?: object) => unknown; getWeights: () => tf.Tensor[] }) => {
      const t = tf.tensor4d(x, [...shape]);
      const trained = layer.apply(t, { training: true }) as tf.Tensor;
      const again = layer.apply(tf.add(t, 0.5), { training: true }) as tf.Tensor;
      const inferred = layer.apply(t) as tf.Tensor;
      return [trained, again, inferred, ...layer.getWeights().map((w) => tf.clone(w))];
    };
    const args = { axis: -1, momentum: 0.9, epsilon: 1e-3 };
    /** the layer alone, then a second one with a ReLU after it (fused where it can be) */
    const pair = async (backend: 'cpu' | 'native', norm: (fuseRelu: boolean) => tfl.layers.Layer, relu: () => tfl.layers.Layer) => {
      await initBackend(backend);
      const fusedNorm = norm(true);
      const out = tf.tidy(() => {
        const plain = run(norm(false));
        const reluOut = relu();
        const t = tf.tensor4d(x, [...shape]);
        const both = (a: tf.Tensor, training?: boolean) => reluOut.apply(fusedNorm.apply(a, { training }), { training }) as tf.Tensor;
        const trained = [both(t, true), both(tf.add(t, 0.5), true)];
        // the gradient through normalisation + ReLU, for a loss that weights outputs differently
        const weights = tf.tensor4d(data(x.length, lcg(6)), [...shape]);
        const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(both(a, true), weights)))(t);
        return [...plain, ...trained, both(t), grad, ...fusedNorm.getWeights().map((w) => tf.clone(w))];
      });
      const values = await Promise.all(out.map(async (v) => (await v.data()) as Float32Array));
      tf.dispose(out);
      const { kernelNames } = await tf.profile(() => tf.tidy(() => relu().apply(fusedNorm.apply(tf.tensor4d(x, [...shape]), { training: true }), { training: true }) as tf.Tensor));
      return { values, fusedNorm, kernelNames };
    };
    const want = await pair('cpu', () => tfl.layers.batchNormalization(args), () => tfl.layers.reLU());
    const got = await pair('native', (fuseRelu) => new BatchNormalization({ ...args, fuseRelu }), () => new FollowingReLU({}));
    expectClose(want.values, got.values, 'layer', 2e-5);
    expect(got.kernelNames, 'the ReLU runs inside the fused kernel').not.toContain('Relu');
    expect(want.kernelNames).toContain('Relu');
    expect(got.fusedNorm.getClassName()).toBe('BatchNormalization');
    expect(new FollowingReLU({}).getClassName()).toBe('ReLU');
    // what a saved model names is the stock class
    expect(tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0]).not.toBe(BatchNormalization);
    expect(tf.serialization.SerializationMap.getMap().classNameMap.ReLU[0]).not.toBe(FollowingReLU);
  });
});

describe.skipIf(missing !== null)('native data-movement kernels agree with the cpu backend', () => {
  it('Concat and SplitV (their gradients) along every axis, dtypes, empty parts', async () => {
    const r = lcg(17);
    const [a, b, c] = [data(2 * 3 * 5 * 4, r), data(2 * 3 * 5 * 7, r), data(2 * 3 * 5 * 1, r)];
    const { want, got } = await onBackends(() => {
      const ta = tf.tensor4d(a, [2, 3, 5, 4]);
      const tb = tf.tensor4d(b, [2, 3, 5, 7]);
      const tc = tf.tensor4d(c, [2, 3, 5, 1]);
      const out: tf.Tensor[] = [tf.concat([ta, tb, tc], -1), tf.concat([ta, ta], 0), tf.concat([ta, ta, ta], 1), tf.concat([ta, tf.zeros([2, 3, 0, 4])], 2)];
      out.push(...tf.split(tb, [2, 4, 1], 3), ...tf.split(tb, 3, 1), ...tf.split(tb, [0, 5], 2), ...tf.split(tb, 2, 0));
      out.push(tf.cast(tf.concat([tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6], [2, 1], 'int32')], 1), 'float32'));
      out.push(tf.cast(tf.concat([tf.tensor2d([true, false], [2, 1], 'bool'), tf.tensor2d([false, true, true, true], [2, 2], 'bool')], 1), 'float32'));
      out.push(...tf.split(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [1, 2], 1).map((t) => tf.cast(t, 'float32')));
      // a concatenation's gradient is a split of dy
      const weights = tf.tensor4d(data(2 * 3 * 5 * 12, lcg(8)), [2, 3, 5, 12]);
      out.push(...tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q, s], 3), weights)))([ta, tb, tc]));
      return out;
    });
    want.forEach((w, i) => expect(Array.from(got[i]), `output ${i}`).toEqual(Array.from(w)));
  });

  for (const [shape, k, s, pad] of [
    [[2, 8, 8, 16], 2, 2, 'valid'],
    [[1, 7, 9, 3], 2, 2, 'same'],
    [[3, 9, 7, 5], 3, 2, 'same'],
    [[2, 6, 6, 33], 3, 1, 'valid'],
    [[1, 5, 5, 1], 2, 3, 'same'],
  ] as [[number, number, number, number], number, number, 'same' | 'valid'][]) {
    it(`MaxPool's gradient: ${shape.join('x')}, window ${k}, stride ${s}, ${pad}`, async () => {
      const r = lcg(shape[3] * 13 + k);
      // rounded values: ties in a window, which go to its first maximum
      const x = data(shape.reduce((a, d) => a * d, 1), r).map((v) => Math.round(v * 6));
      const { want, got } = await onBackends(() => {
        const t = tf.tensor4d(x, shape);
        const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad);
        const weights = tf.cos(tf.reshape(tf.range(0, pool(t).size), pool(t).shape));
        return [pool(t), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), weights)))(t)];
      });
      expectClose(want, got, 'max pool', 1e-6);
    });
  }
});

describe.skipIf(missing !== null)('training on native', () => {
  const config: ExperimentConfig = {
    ...DEFAULT_EXPERIMENT,
    model: { ...DEFAULT_EXPERIMENT.model, depth: 2, filters: 8, t: 2, norm: 'batch', recurrence: 'shared' },
  };
  const [n, h, w] = [4, 16, 16];
  const r = lcg(3);
  const x = data(n * h * w, r).map((v) => v + 0.5);
  const y = x.map((v) => (v > 0.6 ? 1 : 0));

  async function train(backend: 'native' | 'wasm', start?: Float32Array[]): Promise<{ start: Float32Array[]; losses: number[]; weights: Float32Array[] }> {
    const engine = await createTrainEngine({ config, inputChannels: 1, workers: 1, backend });
    expect(engine.backend.name).toBe(backend);
    // the same initial weights for both: the wasm run's
    if (start !== undefined) await engine.setWeights(start);
    const initial = await engine.getWeights();
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) {
      losses.push(await engine.step(x, y, n, h, w));
      // let the test runner's messages through between the (synchronous) steps
      await new Promise((resolve) => setImmediate(resolve));
    }
    const weights = await engine.getWeights();
    await engine.dispose();
    return { start: initial, losses, weights };
  }

  it('follows the wasm backend step for step and repeats itself exactly (6 Adam steps, batch norm, shared recurrence)', async () => {
    const wasm = await train('wasm');
    const native = await train('native', wasm.start);
    // same start, same backend: the same weights, bit for bit (oneDNN is run-to-run reproducible)
    const again = await train('native', wasm.start);
    again.weights.forEach((a, i) => expect(Array.from(a), `weight ${i}`).toEqual(Array.from(native.weights[i])));
    expect(native.losses[5]).toBeLessThan(native.losses[0]);
    // float32 summation order differs between oneDNN and XNNPACK, and Adam's first steps
    // (update ~ sign of the gradient) amplify it: losses agree to 2% relative, weights to
    // 2% of their norm after 6 steps (measured: losses up to 7e-3, weights up to 1.1e-2; the
    // stock wasm and cpu backends differ from each other by as much, 7e-3, from one start)
    native.losses.forEach((l, i) => expect(Math.abs(l - wasm.losses[i]) / Math.abs(wasm.losses[i]), `step ${i}`).toBeLessThan(2e-2));
    let num = 0;
    let den = 0;
    wasm.weights.forEach((a, i) => a.forEach((v, j) => ((num += (v - native.weights[i][j]) ** 2), (den += v * v))));
    console.log(
      `native vs wasm: worst loss difference ${Math.max(...native.losses.map((l, i) => Math.abs(l - wasm.losses[i]) / wasm.losses[i])).toExponential(1)}, weights ${Math.sqrt(num / den).toExponential(1)}`,
    );
    expect(Math.sqrt(num / den)).toBeLessThan(2e-2);
  }, 240_000);
});

describe.skipIf(missing !== null)('r2u train on native', () => {
  it('trains a tiny experiment, prints the backend and records it with the library in backend.json', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { trainExperiment } = await import('../../../src/runtime/train/loop.js');
    const { tinyConfig } = await import('../train/tiny-config.js');
    const out = join(await mkdtemp(join(tmpdir(), 'r2u-native-')), 'run');
    const lines: string[] = [];
    const tiny = tinyConfig();
    const config = { ...tiny, model: { ...tiny.model, norm: 'batch' as const } };
    const result = await trainExperiment(config, { backend: 'native', out, log: (l) => lines.push(l), progressSink: { write: () => true } });
    expect(result.backend.name).toBe('native');
    expect(lines.find((l) => l.startsWith('backend: '))).toMatch(/^backend: native \(oneDNN \d+\.\d+\.\d+/);
    const recorded = JSON.parse(await readFile(join(result.runDir, 'backend.json'), 'utf8')) as { name: string; library: string };
    expect(recorded.name).toBe('native');
    expect(recorded.library).toMatch(/^oneDNN \d+\.\d+\.\d+$/);
    expect(Number.isFinite(result.history.at(-1)!.loss)).toBe(true);

    // the checkpoint, trained with the fused batch-norm kernels, is a stock tfjs-layers model that infers alike on cpu
    const tfl = await import('@tensorflow/tfjs-layers');
    const { layersModelDir } = await import('../../../src/runtime/run/model-io.js');
    const dir = join(result.runDir, 'checkpoints', 'last');
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { modelTopology: unknown };
    expect(JSON.stringify(json.modelTopology)).toContain('"class_name":"BatchNormalization"');
    const input = tf.tidy(() => tf.randomUniform([1, 32, 32, 1], 0, 1, 'float32', 5));
    const infer = async (backend: 'cpu' | 'native') => {
      await initBackend(backend);
      const model = await tfl.loadLayersModel(layersModelDir(dir));
      const movingMean = model.getLayer('enc1_rcl1_step0_norm').getWeights()[2];
      const out = model.predict(tf.tensor(await input.data(), input.shape)) as tf.Tensor;
      const values = [(await out.data()) as Float32Array, (await movingMean.data()) as Float32Array];
      out.dispose();
      model.dispose();
      return values;
    };
    const onCpu = await infer('cpu');
    const onNative = await infer('native');
    input.dispose();
    expect(Array.from(onCpu[1]).some((v) => v !== 0), 'moving means were updated').toBe(true);
    expectClose(onCpu, onNative, 'inference from the checkpoint', 1e-4);
  }, 120_000);
});
