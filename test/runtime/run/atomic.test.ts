import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../../src/runtime/run/atomic.js';

describe('atomic writes', () => {
  it('replaces a file and leaves no temporary behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r2u-atomic-'));
    const path = join(dir, 'sub', 'a.json');
    await writeJsonAtomic(path, { a: 1 });
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('keeps the old directory when filling the new one fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r2u-atomic-'));
    const target = join(dir, 'last');
    await mkdir(target);
    await writeFile(join(target, 'x'), 'old');
    await expect(
      replaceDirAtomic(target, async (tmp) => {
        await writeFile(join(tmp, 'x'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readFile(join(target, 'x'), 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['last']);

    await replaceDirAtomic(target, async (tmp) => writeFile(join(tmp, 'y'), 'new'));
    expect(await readdir(target)).toEqual(['y']);
    expect(await readdir(dir)).toEqual(['last']);
  });
});
