// Training on native through the data-parallel workers, whose single-threaded
// wasm heaps are plain ArrayBuffers: a kernel that keeps a view of the heap
// across an allocation finds it detached when the heap grows (SplitV did, at
// 4 filters). The real binary, the quickstart spec, one epoch.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src/runtime/native/addon.js';
import { r2u } from '../../cli/run-r2u.js';

const missing = typeof loadNativeAddon() === 'string';

describe.skipIf(missing)('native through 2 workers', () => {
  it('trains the quickstart at 4 and 8 filters', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r2u-native-workers-'));
    for (const filters of [4, 8]) {
      const r = await r2u('train', 'specs/quickstart.r2u', '--backend', 'native', '--workers', '2', '--set', `model.filters=${filters}`, '--set', 'train.epochs=1', '--out', join(dir, String(filters)));
      expect(r.err).not.toMatch(/detached|\n\s+at /);
      expect({ filters, code: r.code }).toEqual({ filters, code: 0 });
      expect(r.out).toMatch(/2 data-parallel workers, each native/);
    }
  });
});
