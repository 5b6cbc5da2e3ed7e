import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { BackendError, initBackend } from '../../src/runtime/backend.js';

describe('initBackend', () => {
  it('initialises wasm with SIMD and r2u kernels, idempotently', async () => {
    const a = await initBackend('wasm');
    const b = await initBackend('wasm');
    expect(a).toEqual(b);
    expect(a.name).toBe('wasm');
    // one XNNPACK thread per core in the main thread (tfjs caps its pool at 8)
    expect(a.threads).toBe(Math.min(8, os.availableParallelism()));
    expect(a.description).toContain('r2u fast conv gradients');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('starts the threaded wasm build under Node: correct results, and the process still exits', async () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/runtime/fixtures/threaded-wasm.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 << 20,
    });
    expect(child.signal, 'the pool threads kept the process alive').toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout) as { threads: number; description: string; y: number[] };
    expect(out.threads).toBe(2);
    expect(out.description).toContain('2 threads');
    await initBackend('cpu');
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 64 * 64 * 8 }, (_, i) => Math.sin(i)), [2, 64, 64, 8]);
    const w = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i)), [3, 3, 8, 16]);
    const want = tf.conv2d(x, w, 1, 'same').dataSync();
    expect(out.y.length).toBe(want.length);
    let worst = 0;
    want.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - out.y[i]) / (1 + Math.abs(v)))));
    expect(worst).toBeLessThan(1e-4);
  }, 90_000);

  it('switches between initialised backends', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto picks the fastest available backend', async () => {
    const info = await initBackend('auto');
    expect(['webgpu', 'tensorflow', 'native', 'wasm']).toContain(info.name);
    // r2u's native kernels run inside TF.js's wasm backend
    expect(tf.getBackend()).toBe(info.name === 'native' ? 'wasm' : info.name);
  });

  it('a forced backend that is not installed is a BackendError', async () => {
    let native = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      native = false;
    }
    if (native) return; // this machine has native TensorFlow: nothing to refuse
    await expect(initBackend('tensorflow')).rejects.toThrow(BackendError);
    await expect(initBackend('tensorflow')).rejects.toThrow(/backend 'tensorflow' is not available.*tfjs-node/);
  });
});
