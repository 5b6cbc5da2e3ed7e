// The loop's guards, with the real engine wrapped so that a test can inject a
// non-finite loss or make validation worse on purpose.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hooks = vi.hoisted(() => ({
  steps: 0,
  /** global step number (1-based) whose loss is replaced by NaN */
  nanAt: 0,
  /** after this many steps, validation predicts a confident 0.999 everywhere */
  poisonAfter: Infinity,
  /** the value validation predicts once poisoned */
  poison: 0.999,
  setWeights: [] as Float32Array[][],
}));

vi.mock('../../../src/runtime/engine/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/runtime/engine/index.js')>();
  return {
    ...real,
    createTrainEngine: async (opts: Parameters<typeof real.createTrainEngine>[0]) => {
      const engine = await real.createTrainEngine(opts);
      return new Proxy(engine, {
        get(target, prop, receiver) {
          if (prop === 'step') {
            return async (...args: Parameters<typeof engine.step>) => {
              const loss = await target.step(...args);
              return ++hooks.steps === hooks.nanAt ? Number.NaN : loss;
            };
          }
          if (prop === 'predict') {
            return async (x: Float32Array, n: number, h: number, w: number) =>
              hooks.steps > hooks.poisonAfter ? new Float32Array(n * h * w).fill(hooks.poison) : target.predict(x, n, h, w);
          }
          if (prop === 'setWeights') {
            return (ws: readonly Float32Array[]) => {
              hooks.setWeights.push([...ws]);
              return target.setWeights(ws);
            };
          }
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
});

const { trainExperiment } = await import('../../../src/runtime/train/loop.js');
const { loadCheckpoint } = await import('../../../src/runtime/run/checkpoint.js');
const { readMetrics } = await import('../../../src/runtime/run/folder.js');
const { DivergedError } = await import('../../../src/runtime/run/errors.js');
const { tinyConfig } = await import('./tiny-config.js');

const quiet = { backend: 'wasm' as const, log: () => {}, progressSink: { write: () => true } };
let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'r2u-guards-'));
});

function reset(over: Partial<typeof hooks> = {}): void {
  Object.assign(hooks, { steps: 0, nanAt: 0, poisonAfter: Infinity, poison: 0.999, setWeights: [] }, over);
}

describe('NaN guard', () => {
  it('stops with a clear message and keeps the last good checkpoint', async () => {
    reset({ nanAt: 3 }); // epoch 2, step 1 (2 steps per epoch)
    const out = join(base, 'nan');
    const run = trainExperiment(tinyConfig({ train: { epochs: 3 } }), { ...quiet, out });
    await expect(run).rejects.toBeInstanceOf(DivergedError);
    await expect(run).rejects.toThrow(/loss is NaN at epoch 2, step 1; the last good checkpoint \(epoch 1\)/);
    expect((await loadCheckpoint(join(out, 'checkpoints', 'last'))).state.epoch).toBe(1);
    expect((await readMetrics(out)).map((r) => r.epoch)).toEqual([1]);
    expect(await readdir(out)).toContain('curves.png');
  });

  it('treats NaN predictions at validation as divergence', async () => {
    reset({ poisonAfter: 2, poison: Number.NaN });
    const out = join(base, 'nanpredict');
    const run = trainExperiment(tinyConfig({ train: { epochs: 3 } }), { ...quiet, out });
    await expect(run).rejects.toThrow(/after epoch 2, the model predicts NaN for image \w+; the last good checkpoint \(epoch 1\)/);
    expect((await loadCheckpoint(join(out, 'checkpoints', 'last'))).state.epoch).toBe(1);
  });
});

describe('early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    reset({ poisonAfter: 2 }); // validation from epoch 2 on is far worse
    const out = join(base, 'early');
    const config = tinyConfig({ train: { epochs: 5, early_stop: { monitor: 'val_loss', patience: 2, restore_best: true } } });
    const result = await trainExperiment(config, { ...quiet, out });
    expect(result.stopped).toBe('early_stop');
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(result.best).toMatchObject({ monitor: 'val_loss', epoch: 1 });
    const best = await loadCheckpoint(join(out, 'checkpoints', 'best'));
    expect(best.state.epoch).toBe(1);
    expect((await loadCheckpoint(join(out, 'checkpoints', 'last'))).state.epoch).toBe(3);
    // the engine ends with the best epoch's weights
    const restored = hooks.setWeights.at(-1);
    expect(restored?.length).toBe(best.weights.length);
    restored?.forEach((w, i) => expect(w).toEqual(best.weights[i].values));
  });

  it('keeps the last weights when restore_best is off', async () => {
    reset({ poisonAfter: 2 });
    const config = tinyConfig({ train: { epochs: 5, early_stop: { monitor: 'val_loss', patience: 1, restore_best: false } } });
    const result = await trainExperiment(config, { ...quiet, out: join(base, 'norestore') });
    expect(result.history.length).toBe(2);
    expect(hooks.setWeights.length).toBe(0);
  });
});
