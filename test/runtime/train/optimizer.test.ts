import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import type { OptimizerConfig } from '../../../src/spec/config.js';
import { Optimizer } from '../../../src/runtime/train/optimizer.js';

const adam: OptimizerConfig = { kind: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

type Form = 'tensor' | 'host';

/** one update in the given form: tensor ops on the backend, or loops over host arrays */
function update(opt: Optimizer, form: Form, vars: tf.Variable[], grads: tf.Tensor[]): void {
  if (form === 'tensor') opt.apply(vars, grads);
  else opt.applyHost(vars, grads.map((g) => g.dataSync() as Float32Array));
}

describe.each<Form>(['tensor', 'host'])('optimizer (%s form)', (form) => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  /** runs `steps` updates of w (initially `w0`) with a constant gradient */
  function run(cfg: OptimizerConfig, w0: number[], g: number[], steps: number, clip = 0): number[] {
    const opt = new Optimizer(cfg, clip);
    const v = tf.variable(tf.tensor1d(w0));
    const grad = tf.tensor1d(g);
    for (let i = 0; i < steps; i++) update(opt, form, [v], [grad]);
    const out = Array.from(v.dataSync());
    opt.dispose();
    tf.dispose([v, grad]);
    return out;
  }

  it('Adam: bias-corrected first steps move by ~lr', () => {
    // m_hat = g and v_hat = g^2 at every step for a constant g
    const step = 0.1 * (0.5 / (0.5 + 1e-7));
    const [w] = run(adam, [1], [0.5], 2);
    expect(w).toBeCloseTo(1 - 2 * step, 6);
  });

  it('AdamW adds decoupled weight decay lr * wd * w', () => {
    const [w] = run({ ...adam, kind: 'adamw', weight_decay: 0.01 }, [1], [0.5], 1);
    expect(w).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-7) + 0.01), 6);
  });

  it('SGD with momentum (PyTorch formulation)', () => {
    const [w] = run({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false }, [1], [0.5], 2);
    expect(w).toBeCloseTo(1 - 0.1 * 0.5 - 0.1 * 0.95, 6);
  });

  it('SGD with Nesterov momentum', () => {
    const [w] = run({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }, [1], [0.5], 2);
    expect(w).toBeCloseTo(1 - 0.1 * 0.95 - 0.1 * 1.355, 6);
  });

  it('clips the global gradient norm', () => {
    const w = run({ kind: 'sgd', lr: 1, momentum: 0, nesterov: false }, [0, 0], [3, 4], 1, 1);
    expect(w[0]).toBeCloseTo(-0.6, 5);
    expect(w[1]).toBeCloseTo(-0.8, 5);
    const unclipped = run({ kind: 'sgd', lr: 1, momentum: 0, nesterov: false }, [0, 0], [0.3, 0.4], 1, 1);
    expect(unclipped[0]).toBeCloseTo(-0.3, 5);
  });

  it('learning rate is settable between steps', () => {
    const opt = new Optimizer({ kind: 'sgd', lr: 1, momentum: 0, nesterov: false }, 0);
    const v = tf.variable(tf.tensor1d([0]));
    const g = tf.tensor1d([1]);
    update(opt, form, [v], [g]);
    opt.lr = 0.25;
    update(opt, form, [v], [g]);
    expect(v.dataSync()[0]).toBeCloseTo(-1.25, 6);
    opt.dispose();
    tf.dispose([v, g]);
  });

  it('exported state resumes training exactly', async () => {
    const grads = [tf.tensor1d([0.3, -0.2]), tf.tensor1d([-0.1, 0.4]), tf.tensor1d([0.5, 0.5])];
    const a = new Optimizer(adam, 0);
    const va = tf.variable(tf.tensor1d([1, 2]));
    update(a, form, [va], [grads[0]]);
    update(a, form, [va], [grads[1]]);
    const state = await a.getState();
    expect(state.step).toBe(2);
    expect(state.slots).toHaveLength(2);

    const b = new Optimizer(adam, 0);
    const vb = tf.variable(tf.tensor1d(va.dataSync()));
    b.setState(state, [vb]);
    update(a, form, [va], [grads[2]]);
    update(b, form, [vb], [grads[2]]);
    expect(Array.from(vb.dataSync())).toEqual(Array.from(va.dataSync()));
    a.dispose();
    b.dispose();
    tf.dispose([va, vb, ...grads]);
  });

  it('does not leak tensors across steps', () => {
    const opt = new Optimizer({ ...adam, kind: 'adamw', weight_decay: 0.1 }, 1);
    const v = tf.variable(tf.randomNormal([5, 3]));
    const g = tf.randomNormal([5, 3]);
    update(opt, form, [v], [g]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) update(opt, form, [v], [g]);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([v, g]);
  });
});

describe('optimizer forms', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  const configs: OptimizerConfig[] = [
    adam,
    { ...adam, kind: 'adamw', weight_decay: 0.05 },
    { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: false },
    { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  ];

  it.each(configs.flatMap((cfg) => [0, 0.5].map((clip) => [cfg, clip] as const)))('tensor and host forms agree over many steps: %o, clip %s', (cfg, clip) => {
    // several variables, gradients that change each step; both forms start from the same weights
    const shapes = [[3, 3, 1, 4], [4], [2, 5]];
    const w0 = shapes.map((s, k) => tf.randomNormal(s, 0, 1, 'float32', 10 + k));
    const [vt, vh] = [0, 1].map(() => w0.map((w) => tf.variable(w.clone())));
    const [ot, oh] = [new Optimizer(cfg, clip), new Optimizer(cfg, clip)];
    for (let step = 0; step < 25; step++) {
      const grads = shapes.map((s, k) => tf.randomNormal(s, 0, 0.3, 'float32', 100 * step + k));
      update(ot, 'tensor', vt, grads);
      update(oh, 'host', vh, grads);
      tf.dispose(grads);
    }
    vt.forEach((v, k) => {
      const a = v.dataSync();
      const b = vh[k].dataSync();
      for (let j = 0; j < a.length; j++) expect(b[j]).toBeCloseTo(a[j], 5);
    });
    ot.dispose();
    oh.dispose();
    tf.dispose([...w0, ...vt, ...vh]);
  });

  it('a state saved by one form resumes in the other', async () => {
    const v = tf.variable(tf.tensor1d([1, -2, 3]));
    const g = tf.tensor1d([0.2, -0.4, 0.1]);
    const a = new Optimizer(adam, 0);
    update(a, 'tensor', [v], [g]);
    update(a, 'tensor', [v], [g]);
    const state = await a.getState();
    const resumed = new Optimizer(adam, 0);
    const vr = tf.variable(v.clone());
    resumed.setState(state, [vr]);
    update(a, 'tensor', [v], [g]);
    update(resumed, 'host', [vr], [g]);
    Array.from(v.dataSync()).forEach((x, j) => expect(vr.dataSync()[j]).toBeCloseTo(x, 6));
    expect((await resumed.getState()).step).toBe(3);
    a.dispose();
    resumed.dispose();
    tf.dispose([v, vr, g]);
  });
});
