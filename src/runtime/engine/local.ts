// Training in the calling thread: one replica, its optimizer applied directly.
import * as tf from '@tensorflow/tfjs-core';
import { onDevice } from '../backend.js';
import { ReplicaEngine } from './replica-engine.js';
import type { TrainEngine } from './types.js';

export class LocalEngine extends ReplicaEngine implements TrainEngine {
  readonly workers = 1;
  readonly layout = 'this thread';

  async step(x: Float32Array, y: Float32Array, n: number, h: number, w: number): Promise<number> {
    const { loss, grads } = this.replica.gradients({ x, y, n, h, w });
    try {
      // a GPU keeps the update on the device; on a CPU backend the gradients are host memory already
      if (onDevice(this.backend)) this.optimizer.apply(this.replica.trainable, grads);
      else this.optimizer.applyHost(this.replica.trainable, grads.map((g) => g.dataSync() as Float32Array));
      return (await loss.data())[0];
    } finally {
      tf.dispose([loss, ...grads]);
    }
  }
}
