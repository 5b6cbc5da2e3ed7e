// Training on native TensorFlow (`@tensorflow/tfjs-node-gpu` or `-node`), the
// path a machine with libtensorflow takes. Those packages are optional and do
// not install everywhere; the test is skipped, saying why, where neither is.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainExperiment } from '../../../src/runtime/train/loop.js';
import { tinyConfig } from './tiny-config.js';

async function nativePackage(): Promise<string | null> {
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(name as string);
      return name;
    } catch {
      // not installed, or its native library did not load
    }
  }
  return null;
}

const native = await nativePackage();
if (!native) console.log('skipping native-backend training: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (optional dependencies)');

describe('training on the tensorflow backend', () => {
  it.skipIf(!native)(`trains a tiny experiment on ${native ?? 'native TensorFlow'} and records the backend`, async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'r2u-native-')), 'run');
    const result = await trainExperiment(tinyConfig(), { backend: 'tensorflow', out, log: () => {}, progressSink: { write: () => true } });
    expect(result.backend.name).toBe('tensorflow');
    expect(result.history).toHaveLength(2);
    expect(Number.isFinite(result.history[1].loss)).toBe(true);
  });
});
