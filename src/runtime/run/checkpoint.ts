// A checkpoint directory (`checkpoints/last/`, `checkpoints/best/`):
//   model.json + weights.bin   the model, standard TF.js layers format
//   optimizer.json + .bin      optimizer slots, for an exact resume
//   average.json + trained.bin with `ema`: the model is the weight average,
//                              these are the trained weights it resumes from
//   state.json                 loop state after the epoch (epoch, monitor, schedule, rng)
//   spec.json                  resolved config, so the directory stands alone (predict)
//   preprocess.json            fitted preprocessing statistics
// The directory is replaced atomically as a whole.
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../spec/config.js';
import type { PreprocessStats } from '../data/index.js';
import type { MonitorState } from '../train/early-stop.js';
import type { OptimizerState } from '../train/optimizer.js';
import type { AverageState } from '../train/weight-average.js';
import { replaceDirAtomic } from './atomic.js';
import { RunError } from './errors.js';
import { modelEpoch } from '../../spec/run-files.js';
import { exists, readJson, readSpec, RUN_FILES } from './folder.js';
import { ENSEMBLE_JSON, layersModelDir, MODEL_JSON, readLayersWeights } from './model-io.js';

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}


export interface TrainState {
  /** last finished epoch (1-based) */
  epoch: number;
  monitor: MonitorState;
  /** learning rate the next epoch starts from, and the schedule's own state */
  lr: number;
  schedule: unknown;
  /** the sampler draws epoch e from hash(seed, e): this is all its rng state */
  rng: { seed: number; next_epoch: number };
}

export interface Checkpoint {
  weights: NamedArray[];
  optimizer: OptimizerState | null;
  /** with `train { ema }`: `weights` are the average, and this is what training resumes from */
  average: AverageState | null;
  state: TrainState;
  spec: ExperimentConfig;
  preprocess: PreprocessStats;
}

const FILES = {
  optimizerJson: 'optimizer.json',
  optimizerBin: 'optimizer.bin',
  averageJson: 'average.json',
  trainedBin: 'trained.bin',
  state: 'state.json',
  spec: RUN_FILES.spec,
  preprocess: RUN_FILES.preprocess,
} as const;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export async function saveCheckpoint(
  dir: string,
  c: {
    model: tfl.LayersModel;
    optimizer: OptimizerState | null;
    average: AverageState | null;
    state: TrainState;
    spec: ExperimentConfig;
    preprocess: PreprocessStats;
  },
): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    await c.model.save(layersModelDir(tmp));
    if (c.optimizer !== null) {
      const { step, slots } = c.optimizer;
      await writeFile(join(tmp, FILES.optimizerBin), concatenated(slots));
      await writeFile(join(tmp, FILES.optimizerJson), json({ step, slot_sizes: slots.map((a) => a.length) }));
    }
    if (c.average !== null) {
      const { steps, trained } = c.average;
      await writeFile(join(tmp, FILES.trainedBin), concatenated(trained));
      await writeFile(join(tmp, FILES.averageJson), json({ steps, sizes: trained.map((a) => a.length) }));
    }
    await writeFile(join(tmp, FILES.state), json(c.state));
    await writeFile(join(tmp, FILES.spec), json(c.spec));
    await writeFile(join(tmp, FILES.preprocess), json(c.preprocess));
  });
}

/** arrays concatenated in order, as bytes; the JSON beside them records each one's length */
function concatenated(arrays: readonly Float32Array[]): Uint8Array {
  const bin = new Float32Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    bin.set(a, o);
    o += a.length;
  }
  return new Uint8Array(bin.buffer);
}

/** the arrays of a file written by `concatenated`, cut at `sizes` */
async function readArrays(file: string, sizes: readonly number[], described: string): Promise<Float32Array[]> {
  const bytes = await readFile(file);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let o = 0;
  const arrays = sizes.map((size) => {
    const values = all.slice(o, o + size);
    o += size;
    return values;
  });
  if (o !== all.length) throw new RunError(`${file}: size does not match ${described}`);
  return arrays;
}

async function loadOptimizer(dir: string): Promise<OptimizerState | null> {
  if (!(await exists(join(dir, FILES.optimizerJson)))) return null;
  const head = await readJson<{ step: number; slot_sizes: number[] }>(join(dir, FILES.optimizerJson), 'optimizer state');
  return { step: head.step, slots: await readArrays(join(dir, FILES.optimizerBin), head.slot_sizes, FILES.optimizerJson) };
}

async function loadAverage(dir: string): Promise<AverageState | null> {
  if (!(await exists(join(dir, FILES.averageJson)))) return null;
  const head = await readJson<{ steps: number; sizes: number[] }>(join(dir, FILES.averageJson), 'weight-average state');
  return { steps: head.steps, trained: await readArrays(join(dir, FILES.trainedBin), head.sizes, FILES.averageJson) };
}

export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  if (!(await exists(join(dir, MODEL_JSON)))) throw new RunError(`${dir}: not a checkpoint (no ${MODEL_JSON})`);
  return {
    weights: await readLayersWeights(dir),
    optimizer: await loadOptimizer(dir),
    average: await loadAverage(dir),
    state: await readJson<TrainState>(join(dir, FILES.state), 'training state'),
    spec: await readJson<ExperimentConfig>(join(dir, FILES.spec), 'resolved spec'),
    preprocess: await readJson<PreprocessStats>(join(dir, FILES.preprocess), 'preprocessing statistics'),
  };
}

/**
 * The checkpoint a path designates: a checkpoint directory or an ensemble
 * itself, or a run folder's model as its spec says (`modelEpoch`: the `best`
 * checkpoint, or the `last` one under `keep_last` or `early_stop off`; the
 * other one when that one does not exist yet).
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  if (!(await exists(path))) throw new RunError(`${path}: no such run or checkpoint directory`);
  if ((await exists(join(path, MODEL_JSON))) || (await exists(join(path, ENSEMBLE_JSON)))) return path;
  const order = (await exists(join(path, RUN_FILES.spec))) && modelEpoch(await readSpec(path)) === 'last' ? [RUN_FILES.last, RUN_FILES.best] : [RUN_FILES.best, RUN_FILES.last];
  for (const sub of order) if (await exists(join(path, sub, MODEL_JSON))) return join(path, sub);
  throw new RunError(`${path}: neither a run folder with checkpoints, a checkpoint directory nor an ensemble`);
}
