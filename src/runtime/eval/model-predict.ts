// A loaded layers model as a PredictFn. Pure TF.js: Node and the browser page
// both use it.
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

