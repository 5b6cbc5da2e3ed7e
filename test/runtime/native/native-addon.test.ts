// When the native addon is refused before it is loaded: not built (with the
// install's own reason where it wrote one), or built before its sources last
// changed, which would run the old kernels. Plain files in a temporary native/
// folder; nothing is loaded, so this runs without a compiler or oneDNN.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addonProblem } from '../../../src/runtime/native/addon.js';

describe('addonProblem', () => {
  let dir: string;
  const file = (rel: string, seconds: number, text = '') => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    utimesSync(p, seconds, seconds);
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'r2u-native-'));
    file('src/r2u_native.cc', 1_000);
    file('binding.gyp', 1_000);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes an addon built after its sources', () => {
    file('build/Release/r2u_native.node', 2_000);
    expect(addonProblem(dir)).toBeNull();
  });
  it('refuses an addon older than a source file, and names the fix', () => {
    file('build/Release/r2u_native.node', 2_000);
    utimesSync(path.join(dir, 'src/r2u_native.cc'), 3_000, 3_000);
    expect(addonProblem(dir)).toMatch(/r2u_native\.node is older than .*src: run npm run build:native/);
  });
  it('refuses an addon older than binding.gyp (its compiler flags)', () => {
    file('build/Release/r2u_native.node', 2_000);
    utimesSync(path.join(dir, 'binding.gyp'), 3_000, 3_000);
    expect(addonProblem(dir)).toMatch(/older than/);
  });
  it("gives the install's own reason when the build failed", () => {
    file('build/status.json', 2_000, JSON.stringify({ ok: false, reason: 'oneDNN headers not found' }));
    expect(addonProblem(dir)).toBe('not built at install: oneDNN headers not found');
  });
  it('says how to build it when the install never ran', () => {
    expect(addonProblem(dir)).toMatch(/not built \(run npm ci/);
  });
});
