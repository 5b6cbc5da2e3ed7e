import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError, initBackend } from '../../../src/runtime/backend.js';

describe('initBackend', () => {
  it('initialises wasm with SIMD and r2u kernels, idempotently', async () => {
    const a = await initBackend('wasm');
    const b = await initBackend('wasm');
    expect(a).toEqual(b);
    expect(a.name).toBe('wasm');
    expect(a.threads).toBe(1);
    expect(a.description).toContain('r2u fast conv gradients');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('switches between initialised backends', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto picks the fastest available backend', async () => {
    const info = await initBackend('auto');
    expect(['tensorflow', 'wasm']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
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
