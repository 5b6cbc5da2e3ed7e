// A loaded layers model as a PredictFn, and several as one (an ensemble).
// Pure TF.js: Node and the browser page both use it.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PredictFn } from './infer.js';

export function modelPredictFn(model: tfl.LayersModel, channels: number): PredictFn {
  return async (x, n, h, w) => {
    const y = tf.tidy(() => model.predict(tf.tensor4d(x, [n, h, w, channels])) as tf.Tensor);
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  };
}


/** An ensemble's PredictFn: the mean of its members' probability maps. */
export function meanPredictFn(members: readonly PredictFn[]): PredictFn {
  if (members.length === 1) return members[0];
  return async (x, n, h, w) => {
    const sum = new Float32Array(n * h * w);
    for (const predict of members) {
      const y = await predict(x, n, h, w);
      for (let i = 0; i < sum.length; i++) sum[i] += y[i];
    }
    for (let i = 0; i < sum.length; i++) sum[i] /= members.length;
    return sum;
  };
}
