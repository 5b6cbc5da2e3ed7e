import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCheckpointDir } from '../../../src/runtime/run/checkpoint.js';
import { MODEL_JSON } from '../../../src/runtime/run/model-io.js';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import { RUN_FILES } from '../../../src/spec/run-files.js';
import type { EarlyStopConfig } from '../../../src/spec/config.js';

describe('resolveCheckpointDir: a run folder designates the checkpoint its spec keeps', () => {
  const withEarlyStop = (early_stop: EarlyStopConfig | null) => ({ ...DEFAULT_EXPERIMENT, train: { ...DEFAULT_EXPERIMENT.train, early_stop } });
  const cases: Array<[string, EarlyStopConfig | null, string]> = [
    ['restore_best (the default)', { monitor: 'val_dice', patience: 5, restore_best: true }, RUN_FILES.best],
    ['keep_last', { monitor: 'val_dice', patience: 5, restore_best: false }, RUN_FILES.last],
    ['early_stop off', null, RUN_FILES.last],
  ];
  for (const [what, earlyStop, expected] of cases) {
    it(`${what}: ${expected}`, async () => {
      const run = await mkdtemp(join(tmpdir(), 'r2u-model-'));
      try {
        await writeFile(join(run, RUN_FILES.spec), JSON.stringify(withEarlyStop(earlyStop)));
        for (const sub of [RUN_FILES.best, RUN_FILES.last]) {
          await mkdir(join(run, sub), { recursive: true });
          await writeFile(join(run, sub, MODEL_JSON), '{}');
        }
        expect(await resolveCheckpointDir(run)).toBe(join(run, expected));
        // before the kept checkpoint exists, the other one stands in
        await rm(join(run, expected), { recursive: true });
        expect(await resolveCheckpointDir(run)).toBe(join(run, expected === RUN_FILES.best ? RUN_FILES.last : RUN_FILES.best));
      } finally {
        await rm(run, { recursive: true, force: true });
      }
    });
  }
});
