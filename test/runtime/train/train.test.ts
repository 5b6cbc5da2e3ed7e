// train(): one entry point for both kinds of experiment. It reads `ensemble`
// from the config it is given, so a variant of a compiled ensemble experiment
// without `ensemble` trains one network, and a variant that adds it trains the members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/runtime/backend.js';
import { train } from '../../../src/runtime/train/train.js';
import { tinyConfig } from './tiny-config.js';

let root: string;
const quiet = { log: () => {}, progress: false };

beforeAll(async () => {
  await initBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'r2u-train-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('train', () => {
  it('trains one network when the config states no ensemble', async () => {
    const out = join(root, 'one');
    const outcome = await train(tinyConfig({ train: { epochs: 1 } }), { ...quiet, out });
    expect(outcome.kind).toBe('network');
    if (outcome.kind !== 'network') return;
    expect(outcome.result.history.map((r) => r.epoch)).toEqual([1]);
    expect(await readdir(out)).not.toContain('member-runs');
  });

  it('trains the members when the config states `ensemble 2`', async () => {
    const c = tinyConfig({ train: { epochs: 1 } });
    const out = join(root, 'two');
    const outcome = await train({ ...c, train: { ...c.train, ensemble: 2 } }, { ...quiet, out });
    expect(outcome.kind).toBe('ensemble');
    if (outcome.kind !== 'ensemble') return;
    expect(outcome.result.members.map((m) => m.seed)).toEqual([c.seed, c.seed + 1]);
    expect(await readdir(out)).toContain('member-runs');
  });
});
