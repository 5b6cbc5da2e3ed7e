import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../src/spec/defaults.js';
import { formatBench, runBench } from '../../src/runtime/bench.js';
import type { ExperimentConfig } from '../../src/spec/config.js';

const config: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  data: { ...DEFAULT_EXPERIMENT.data, preprocess: [{ op: 'grayscale', mode: 'green' }] },
  model: { ...DEFAULT_EXPERIMENT.model, depth: 2, filters: 4, t: 1 },
  train: { ...DEFAULT_EXPERIMENT.train, batch: 4 },
};

describe('runBench', () => {
  it('times training steps and a padded full-image inference', async () => {
    const r = await runBench(config, { steps: 2, warmup: 1, workers: 1, backend: 'wasm', image: [61, 70] });
    expect(r.backend).toBe('wasm');
    expect(r.workers).toBe(1);
    expect(r.gradients).toBe('this thread');
    expect(r.inputChannels).toBe(1);
    expect(r.paddedImage).toEqual([64, 72]);
    expect(r.stepSeconds.min).toBeLessThanOrEqual(r.stepSeconds.median);
    expect(r.stepSeconds.median).toBeLessThanOrEqual(r.stepSeconds.max);
    expect(r.trainPatchesPerSec).toBeCloseTo(4 / r.stepSeconds.median, 6);
    expect(r.inferImageSeconds).toBeGreaterThan(0);
    expect(r.trainPeakRssMiB).toBeGreaterThan(0);
    expect(r.peakRssMiB).toBeGreaterThanOrEqual(r.trainPeakRssMiB);
    expect(formatBench(r)).toMatch(/patches\/s \(batch 4, 2 steps\)/);
    expect(r.networks).toBe(1);
    expect(formatBench(r)).not.toMatch(/ensemble/);
    expect(formatBench({ ...r, networks: 3 })).toMatch(/ensemble {5}the experiment trains 3 such networks .* take 3 times the figures below/);
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({ backend: 'wasm', trainPatchesPerSec: r.trainPatchesPerSec });
  });
});
