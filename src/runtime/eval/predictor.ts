// A saved checkpoint as a PredictFn on the main thread, for `r2u eval` and
// `r2u predict`: the model is loaded with tf.loadLayersModel from the
// standard layers format, and the checkpoint's spec and preprocessing
// statistics come with it. An ensemble loads each member and averages.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { initBackend, type BackendInfo } from '../backend.js';
import type { BackendName, ExperimentConfig } from '../../spec/config.js';
import type { PreprocessStats } from '../data/index.js';
// registers the custom layers (group normalisation) that loading may meet
import '../model/index.js';
import { RunError } from '../run/errors.js';
import { readJson, RUN_FILES } from '../run/folder.js';
import { isEnsembleDir, readEnsemble, type EnsembleManifest } from '../run/ensemble.js';
import { layersModelDir } from '../run/model-io.js';
import { maxTensorBytes } from './infer.js';
import { createSegmenter, type Segmenter } from './segment.js';
import { meanPredictFn, modelPredictFn } from './model-predict.js';
import { withNewerDefaults } from '../../spec/defaults.js';
import type { PredictFn } from './infer.js';

export interface Predictor {
  backend: BackendInfo;
  spec: ExperimentConfig;
  preprocess: PreprocessStats;
  channels: number;
  predict: PredictFn;
  /** the ensemble's manifest when the checkpoint is one (its maps are the members' mean) */
  ensemble: EnsembleManifest | null;
  dispose(): void;
}

/** Loads a checkpoint, or an ensemble's members, on the given backend (default: the one its spec asks for). */
export async function loadPredictor(checkpointDir: string, backendPref?: BackendName): Promise<Predictor> {
  const spec = withNewerDefaults(await readJson<ExperimentConfig>(join(checkpointDir, RUN_FILES.spec), 'resolved spec (a checkpoint must carry its spec.json)'));
  const preprocess = await readJson<PreprocessStats>(join(checkpointDir, RUN_FILES.preprocess), 'preprocessing statistics');
  const ensemble = (await isEnsembleDir(checkpointDir)) ? await readEnsemble(checkpointDir) : null;
  // the backend must be ready before any tensor, the model's weights included, exists
  const backend = await initBackend(backendPref ?? spec.runtime.backend);
  const models: tfl.LayersModel[] = [];
  const dispose = () => models.forEach((m) => m.dispose());
  try {
    for (const dir of ensemble ? ensemble.members.map((m) => join(checkpointDir, m)) : [checkpointDir]) {
      try {
        models.push(await tfl.loadLayersModel(layersModelDir(dir)));
      } catch (err) {
        throw new RunError(`${dir}: cannot load the model (${(err as Error).message})`);
      }
    }
    const channels = models[0].inputs[0].shape[3];
    if (typeof channels !== 'number') throw new RunError(`${checkpointDir}: the model's input has no fixed channel count`);
    if (models.some((m) => m.inputs[0].shape[3] !== channels)) throw new RunError(`${checkpointDir}: the ensemble's members take different channel counts`);
    return { backend, spec, preprocess, channels, predict: meanPredictFn(models.map((m) => modelPredictFn(m, channels))), ensemble, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** The log line naming what segments: the checkpoint, or the ensemble and its size. */
export function checkpointLine(checkpoint: string, predictor: Pick<Predictor, 'ensemble'>): string {
  const n = predictor.ensemble?.members.length;
  return `checkpoint: ${checkpoint}${n === undefined ? '' : ` (an ensemble of ${n}: the mean of their maps)`}`;
}

/** The whole-image segmenter of a loaded checkpoint, tiled to its backend's tensor limit; `spec` overrides eval settings. */
export function segmenterFor(predictor: Predictor, spec: ExperimentConfig = predictor.spec): Segmenter {
  return createSegmenter(spec, predictor.preprocess, predictor, maxTensorBytes(predictor.backend));
}
