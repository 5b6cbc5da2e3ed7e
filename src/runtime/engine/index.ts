// createTrainEngine: the runtime's entry point for training and inference.
import os from 'node:os';
import { initBackend } from '../backend.js';
import { LocalEngine } from './local.js';
import { ParallelEngine } from './parallel.js';
import type { TrainEngine, TrainEngineOptions } from './types.js';

export type { TrainEngine, TrainEngineOptions } from './types.js';
export { splitBatch } from './parallel.js';

/** `workers: 0` means one per CPU core */
export function resolveWorkers(workers: number): number {
  return workers > 0 ? workers : Math.max(1, os.availableParallelism());
}

export async function createTrainEngine(opts: TrainEngineOptions): Promise<TrainEngine> {
  const backend = await initBackend(opts.backend);
  // data-parallel workers spread a step over CPU cores; a GPU is one device, driven from this thread
  const workers = backend.name === 'webgpu' ? 1 : resolveWorkers(opts.workers);
  if (workers === 1 && (opts.offThread !== true || backend.name === 'webgpu')) return new LocalEngine(opts.config, opts.inputChannels, backend);
  return ParallelEngine.create(opts.config, opts.inputChannels, workers, opts.backend, backend);
}
