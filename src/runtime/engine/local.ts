// Training in the calling thread: one replica, its optimizer applied directly.
import * as tf from '@tensorflow/tfjs-core';
import { ReplicaEngine } from './replica-engine.js';
import type { TrainEngine } from './types.js';

export class LocalEngine extends ReplicaEngine implements TrainEngine {
  readonly workers = 1;
  readonly layout = 'this thread';

  async step(x: Float32Array, y: Float32Array, n: number, h: number, w: number): Promise<number> {
    const { loss, grads } = this.replica.gradients({ x, y, n, h, w });
    try {
      this.optimizer.apply(this.replica.trainable, grads);
      return (await loss.data())[0];
    } finally {
      tf.dispose([loss, ...grads]);
    }
  }
}
