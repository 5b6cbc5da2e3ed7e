import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSources, sourceLine } from '../../../src/runtime/run/source.js';
import { VERSION } from '../../../src/version.js';

const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasGit) console.log('skipping the git checkout cases of sourceLine: git is not installed');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('sourceLine: the r2u sources a run trained with', () => {
  it('is the version alone outside a git checkout', () => {
    expect(describeSources(null)).toBe(`r2u ${VERSION}`);
    const plain = mkdtempSync(join(tmpdir(), 'r2u-src-'));
    dirs.push(plain);
    if (hasGit) expect(describeSources(plain)).toBe(`r2u ${VERSION}`);
  });

  it.skipIf(!hasGit)('names the commit, and says when the sources differ from it (a changed or a new file under src/)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'r2u-src-'));
    dirs.push(repo);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(repo, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(repo, 'README.md'), 'x\n');
    git('add', '-A');
    git('commit', '-qm', 'one');
    const commit = git('rev-parse', '--short=12', 'HEAD');
    expect(describeSources(repo)).toBe(`r2u ${VERSION}, commit ${commit}`);
    writeFileSync(join(repo, 'README.md'), 'y\n'); // not a source
    expect(describeSources(repo)).toBe(`r2u ${VERSION}, commit ${commit}`);
    writeFileSync(join(repo, 'src', 'b.ts'), 'export const b = 2;\n');
    expect(describeSources(repo)).toBe(`r2u ${VERSION}, commit ${commit}, with uncommitted changes`);
  });

  it('reads this installation', () => {
    expect(sourceLine()).toMatch(new RegExp(`^r2u ${VERSION.replace(/\./g, '\\.')}(, commit [0-9a-f]{12}(, with uncommitted changes)?)?$`));
  });
});
