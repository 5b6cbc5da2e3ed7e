// The training engine's public contract.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendInfo } from '../backend.js';
import type { BackendName, ExperimentConfig } from '../../spec/config.js';
import type { OptimizerState } from '../train/optimizer.js';

export interface TrainEngineOptions {
  readonly config: ExperimentConfig;
  readonly inputChannels: number;
  /** data-parallel worker threads; 1 = train in this thread; 0 = one per CPU core */
  readonly workers: number;
  readonly backend: BackendName;
  /**
   * Computes gradients on worker threads even with one worker, so that this
   * thread stays free: ensemble members trained side by side share it.
   */
  readonly offThread?: boolean;
}

export interface TrainEngine {
  /** the backend of this thread (workers use the same kind) */
  readonly backend: BackendInfo;
  /** worker threads computing gradients; 1 means in-process */
  readonly workers: number;
  /** where gradients are computed, for logs: 'this thread', 'a worker thread, <backend>' or 'N data-parallel workers, each <backend>' */
  readonly layout: string;
  /**
   * The model in this thread: its weights are the trained ones after every
   * step (the optimizer runs here), so it can be saved as a checkpoint.
   */
  readonly model: tfl.LayersModel;
  /**
   * One optimisation step on a batch: x is [n, h, w, inputChannels] and y is
   * [n, h, w, 1] (0/1 labels), both row-major. Resolves to the batch loss.
   */
  step(x: Float32Array, y: Float32Array, n: number, h: number, w: number): Promise<number>;
  setLearningRate(lr: number): void;
  getLearningRate(): number;
  /** all weights, in model.getWeights() order */
  getWeights(): Promise<Float32Array[]>;
  setWeights(weights: readonly Float32Array[]): Promise<void>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): Promise<void>;
  /** sigmoid probabilities [n, h, w] for images [n, h, w, C]; h, w multiples of 2^depth */
  predict(x: Float32Array, n: number, h: number, w: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}
