// createTrainEngine: the runtime's entry point for training and inference.
import os from 'node:os';
import { initBackend, onDevice, type BackendInfo } from '../backend.js';
import { LocalEngine } from './local.js';
import { ParallelEngine } from './parallel.js';
import type { TrainEngine, TrainEngineOptions } from './types.js';

export type { TrainEngine, TrainEngineOptions } from './types.js';
export { splitBatch } from './parallel.js';

/** `workers: 0` means one per CPU core */
export function resolveWorkers(workers: number): number {
  return workers > 0 ? workers : Math.max(1, os.availableParallelism());
}

/** The CPU threads a training on `backend` spreads over: `workers` (0 = one per core), or one on a GPU, a single device driven from this thread. */
export function trainingThreads(backend: BackendInfo, workers: number): number {
  return onDevice(backend) ? 1 : resolveWorkers(workers);
}

export async function createTrainEngine(opts: TrainEngineOptions): Promise<TrainEngine> {
  const backend = await initBackend(opts.backend);
  // data-parallel workers spread a step over CPU cores
  const workers = trainingThreads(backend, opts.workers);
  if (onDevice(backend) || (workers === 1 && opts.offThread !== true)) return new LocalEngine(opts.config, opts.inputChannels, backend);
  return ParallelEngine.create(opts.config, opts.inputChannels, workers, opts.backend, backend);
}
