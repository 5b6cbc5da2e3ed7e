// A saved checkpoint as a PredictFn on the main thread, for `r2u eval` and
// `r2u predict`: the model is loaded with tf.loadLayersModel from the
// standard layers format, and the checkpoint's spec and preprocessing
// statistics come with it.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { initBackend, type BackendInfo } from '../backend.js';
import type { BackendName, ExperimentConfig } from '../../spec/config.js';
import type { PreprocessStats } from '../data/index.js';
// registers the custom layers (group normalisation) that loading may meet
import '../model/index.js';
import { RunError } from '../run/errors.js';
import { readJson } from '../run/folder.js';
import { layersModelDir } from '../run/model-io.js';
import { maxTensorBytes } from './infer.js';
import { createSegmenter, type Segmenter } from './segment.js';
import { modelPredictFn } from './model-predict.js';
import { withNewerDefaults } from '../../spec/defaults.js';
import type { PredictFn } from './infer.js';

export interface Predictor {
  backend: BackendInfo;
  spec: ExperimentConfig;
  preprocess: PreprocessStats;
  channels: number;
  predict: PredictFn;
  dispose(): void;
}

/** Loads a checkpoint on the given backend (default: the one its spec asks for). */
export async function loadPredictor(checkpointDir: string, backendPref?: BackendName): Promise<Predictor> {
  const spec = withNewerDefaults(await readJson<ExperimentConfig>(join(checkpointDir, 'spec.json'), 'resolved spec (a checkpoint must carry its spec.json)'));
  const preprocess = await readJson<PreprocessStats>(join(checkpointDir, 'preprocess.json'), 'preprocessing statistics');
  // the backend must be ready before any tensor, the model's weights included, exists
  const backend = await initBackend(backendPref ?? spec.runtime.backend);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(layersModelDir(checkpointDir));
  } catch (err) {
    throw new RunError(`${checkpointDir}: cannot load the model (${(err as Error).message})`);
  }
  const channels = model.inputs[0].shape[3];
  if (typeof channels !== 'number') throw new RunError(`${checkpointDir}: the model's input has no fixed channel count`);
  return { backend, spec, preprocess, channels, predict: modelPredictFn(model, channels), dispose: () => model.dispose() };
}

/** The whole-image segmenter of a loaded checkpoint, tiled to its backend's tensor limit; `spec` overrides eval settings. */
export function segmenterFor(predictor: Predictor, spec: ExperimentConfig = predictor.spec): Segmenter {
  return createSegmenter(spec, predictor.preprocess, predictor, maxTensorBytes(predictor.backend));
}
