// A build output (a bundle, the native addon) is used only while it holds its
// sources: an edit under a source folder, however deep, makes it stale, and a missing output is stale.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIsFresh } from '../../src/build-freshness.mjs';

describe('buildIsFresh', () => {
  let dir: string;
  const at = (p: string, seconds: number) => utimesSync(p, seconds, seconds);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'r2u-fresh-'));
    mkdirSync(path.join(dir, 'src/deep/deeper'), { recursive: true });
    for (const f of ['src/a.ts', 'src/deep/deeper/b.ts', 'single.ts', 'bundle.js']) writeFileSync(path.join(dir, f), '');
    for (const f of ['src/a.ts', 'src/deep/deeper/b.ts', 'single.ts']) at(path.join(dir, f), 1_000);
    at(path.join(dir, 'bundle.js'), 2_000);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const sources = () => [path.join(dir, 'src'), path.join(dir, 'single.ts')];

  it('is fresh when the bundle is newer than every source, folders and single files alike', () => {
    expect(buildIsFresh(path.join(dir, 'bundle.js'), sources())).toBe(true);
  });
  it('is stale when a file deep in a source folder is newer', () => {
    at(path.join(dir, 'src/deep/deeper/b.ts'), 3_000);
    expect(buildIsFresh(path.join(dir, 'bundle.js'), sources())).toBe(false);
  });
  it('is stale when a single-file source is newer', () => {
    at(path.join(dir, 'single.ts'), 3_000);
    expect(buildIsFresh(path.join(dir, 'bundle.js'), sources())).toBe(false);
  });
  it('is stale when the bundle is missing', () => {
    expect(buildIsFresh(path.join(dir, 'missing.js'), sources())).toBe(false);
  });
});
