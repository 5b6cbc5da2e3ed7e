// Messages between the data-parallel engine and its gradient workers.
import type { BackendName, ExperimentConfig } from '../../spec/config.js';

export interface WorkerInit {
  readonly config: ExperimentConfig;
  readonly inputChannels: number;
  readonly backend: BackendName;
}

export type ToWorker =
  | {
      readonly type: 'gradients';
      readonly id: number;
      /** all model weights (model.weights order), sent when they changed since the last request */
      readonly weights: Float32Array[] | null;
      readonly x: Float32Array;
      readonly y: Float32Array;
      readonly n: number;
      readonly h: number;
      readonly w: number;
    }
  | {
      readonly type: 'predict';
      readonly id: number;
      readonly weights: Float32Array[] | null;
      readonly x: Float32Array;
      readonly n: number;
      readonly h: number;
      readonly w: number;
    }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | {
      readonly type: 'gradients';
      readonly id: number;
      readonly loss: number;
      /** per trainable weight (model.trainableWeights order) */
      readonly grads: Float32Array[];
      /** non-trainable weights after the step (batch-norm moving statistics), model order */
      readonly state: Float32Array[];
    }
  | { readonly type: 'predict'; readonly id: number; readonly probs: Float32Array }
  | { readonly type: 'error'; readonly id: number | null; readonly message: string };
