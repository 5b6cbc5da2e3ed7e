// Training in the calling thread: one replica, its optimizer applied directly.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../backend.js';
import type { ExperimentConfig } from '../config.js';
import { Optimizer, type OptimizerState } from '../train/optimizer.js';
import { Replica } from './gradients.js';
import type { TrainEngine } from './types.js';

export class LocalEngine implements TrainEngine {
  readonly workers = 1;
  private readonly replica: Replica;
  private readonly optimizer: Optimizer;

  constructor(
    config: ExperimentConfig,
    inputChannels: number,
    readonly backend: BackendInfo,
  ) {
    this.replica = new Replica(config, inputChannels);
    this.optimizer = new Optimizer(config.train.optimizer, config.train.clip_grad);
  }

  get model() {
    return this.replica.model;
  }

  async step(x: Float32Array, y: Float32Array, n: number, h: number, w: number): Promise<number> {
    const { loss, grads } = this.replica.gradients({ x, y, n, h, w });
    try {
      this.optimizer.apply(this.replica.trainable, grads);
      return (await loss.data())[0];
    } finally {
      tf.dispose([loss, ...grads]);
    }
  }

  setLearningRate(lr: number): void {
    this.optimizer.lr = lr;
  }

  getLearningRate(): number {
    return this.optimizer.lr;
  }

  getWeights(): Promise<Float32Array[]> {
    return this.replica.getWeights();
  }

  async setWeights(weights: readonly Float32Array[]): Promise<void> {
    this.replica.setWeights(weights);
  }

  getOptimizerState(): Promise<OptimizerState> {
    return this.optimizer.getState();
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    this.optimizer.setState(state, this.replica.trainable);
  }

  predict(x: Float32Array, n: number, h: number, w: number): Promise<Float32Array> {
    return this.replica.predict(x, n, h, w);
  }

  async dispose(): Promise<void> {
    this.optimizer.dispose();
    this.replica.dispose();
  }
}
