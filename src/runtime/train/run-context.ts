// What every step of a training run reads, built once before the first epoch,
// and the progress that the steps hand from one epoch to the next.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../backend.js';
import type { ExperimentConfig } from '../../spec/config.js';
import type { FundusImage, PatchSampler, PreprocessStats } from '../data/index.js';
import type { TrainEngine } from '../engine/index.js';
import type { MapLoss } from '../eval/evaluate.js';
import { inferenceSettings, maxTensorBytes, type InferenceSettings, type PredictFn } from '../eval/infer.js';
import { initialMonitorState, monitorOf, type MonitorState } from './early-stop.js';
import type { EpochRecord } from './epoch-record.js';
import { makeLoss } from './losses.js';
import type { ProgressSink } from './progress.js';
import { RunRate } from './schedule.js';
import { WeightAverage } from './weight-average.js';

export interface RunContext {
  readonly config: ExperimentConfig;
  readonly backend: BackendInfo;
  readonly engine: TrainEngine;
  readonly sampler: PatchSampler;
  readonly val: readonly FundusImage[];
  readonly runDir: string;
  /** the preprocessing statistics every checkpoint carries */
  readonly preprocess: PreprocessStats;
  readonly stepsPerEpoch: number;
  readonly rate: RunRate;
  /** with `train { ema }`: the weight average that validation and checkpoints read */
  readonly average: WeightAverage | null;
  readonly log: (line: string) => void;
  readonly progressBar: { readonly sink: ProgressSink; readonly live: boolean };
  readonly signal: AbortSignal | undefined;
  /** validation goes through the evaluation code path of `r2u eval` */
  readonly predict: PredictFn;
  readonly inference: InferenceSettings;
  readonly valLoss: MapLoss;
}

/** Where a run stands after its last finished epoch. */
export interface RunProgress {
  /** the last finished epoch (0 before the first) */
  readonly finished: number;
  readonly monitor: MonitorState;
  readonly history: readonly EpochRecord[];
}

export function createRunContext(parts: Omit<RunContext, 'stepsPerEpoch' | 'rate' | 'average' | 'predict' | 'inference' | 'valLoss'>): RunContext {
  const { config, engine } = parts;
  const stepsPerEpoch = Math.ceil(config.data.patches.per_epoch / config.train.batch);
  return {
    ...parts,
    stepsPerEpoch,
    rate: new RunRate(config.train, monitorOf(config), stepsPerEpoch),
    average: config.train.ema > 0 ? new WeightAverage(config.train.ema, engine) : null,
    predict: engine.predict.bind(engine),
    inference: inferenceSettings(config, maxTensorBytes(engine.backend)),
    valLoss: validationLoss(config),
  };
}

export const freshProgress = (config: ExperimentConfig): RunProgress => ({ finished: 0, monitor: initialMonitorState(monitorOf(config)), history: [] });

/** Validation loss of a map: the training loss on the FOV pixels, as one batch. */
export function validationLoss(config: ExperimentConfig): MapLoss {
  const loss = makeLoss(config.train.loss);
  return async (prob, label, fov) => {
    const p: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < prob.length; i++) {
      if (fov[i] === 0) continue;
      p.push(prob[i]);
      y.push(label[i]);
    }
    // read asynchronously: a GPU backend cannot read synchronously in Node
    const value = tf.tidy(() => loss(tf.tensor1d(y), tf.tensor1d(p)));
    try {
      return (await value.data())[0];
    } finally {
      value.dispose();
    }
  };
}
