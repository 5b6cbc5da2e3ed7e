import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/runtime/backend.js';

/** f's outputs on the reference cpu backend (want) and on native (got) */
export async function onBackends(f: () => tf.Tensor | tf.Tensor[]): Promise<{ want: Float32Array[]; got: Float32Array[] }> {
  const run = async () => {
    const out = tf.tidy(() => [f()].flat());
    const values = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(out);
    return values;
  };
  await initBackend('cpu');
  const want = await run();
  await initBackend('native');
  return { want, got: await run() };
}
