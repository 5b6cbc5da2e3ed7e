// What every engine shares: the main-thread replica, which holds the weights
// of record (checkpoints read them), and the optimizer that updates it.
import type { BackendInfo } from '../backend.js';
import type { ExperimentConfig } from '../../spec/config.js';
import { Optimizer, type OptimizerState } from '../train/optimizer.js';
import { Replica } from './replica.js';

export abstract class ReplicaEngine {
  protected readonly replica: Replica;
  protected readonly optimizer: Optimizer;

  constructor(
    config: ExperimentConfig,
    protected readonly inputChannels: number,
    readonly backend: BackendInfo,
  ) {
    this.replica = new Replica(config, inputChannels);
    this.optimizer = new Optimizer(config.train.optimizer, config.train.clip_grad);
  }

  get model() {
    return this.replica.model;
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
