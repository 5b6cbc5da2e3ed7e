// A tiny synthetic experiment for tests: a few 64x64 images, a depth-2 model
// with 4 filters, cpu backend, one worker.
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';

export function tinyConfig(over: { train?: Partial<ExperimentConfig['train']>; eval?: Partial<ExperimentConfig['eval']>; name?: string } = {}): ExperimentConfig {
  const d = DEFAULT_EXPERIMENT;
  return {
    ...d,
    name: over.name ?? 'tiny',
    seed: 7,
    data: {
      ...d.data,
      dataset: { kind: 'synthetic', count: 5, size: [64, 64], seed: 3 },
      preprocess: [{ op: 'grayscale', mode: 'green' }, { op: 'normalize', mode: 'dataset' }],
      patches: { size: [32, 32], per_epoch: 16, vessel_fraction: 0.5 },
      split: { kind: 'ratio', train: 0.6, val: 0.4 },
    },
    model: { ...d.model, arch: 'r2unet', depth: 2, filters: 4, t: 1 },
    train: { ...d.train, batch: 8, epochs: 2, ...over.train },
    eval: { ...d.eval, ...over.eval },
    runtime: { backend: 'cpu', workers: 1 },
  };
}
