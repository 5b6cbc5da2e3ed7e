// The dry run makes training's data checks and fails with training's error.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/runtime/data/index.js';
import { dryRun } from '../../../src/runtime/train/dry-run.js';
import { trainExperiment } from '../../../src/runtime/train/loop.js';
import { tinyConfig } from './tiny-config.js';

describe('dry run', () => {
  it('stops where training stops when the patches do not fit', async () => {
    const base = tinyConfig();
    const big = { ...base, data: { ...base.data, patches: { ...base.data.patches, size: [96, 96] as const } } };
    const lines: string[] = [];
    const dry = await dryRun(big, { backend: 'wasm', log: (l) => lines.push(l) }).catch((e: unknown) => e);
    const train = await trainExperiment(big, { backend: 'wasm', log: () => {}, out: '/nonexistent/never-written' }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(DataError);
    expect((dry as Error).message).toMatch(/patches of 96x96 do not fit in image \w+ \(64x64 after preprocessing\)/);
    expect((dry as Error).message).toBe((train as Error).message);
    // the plan up to the split is printed before the error
    expect(lines.some((l) => l.startsWith('split:     3 training, 2 validation'))).toBe(true);
  });
});
