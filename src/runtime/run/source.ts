// The r2u sources a run trained with, in one line: the version and, in a git
// checkout, the commit, marked when the sources differ from it. A sweep starts
// each trial from the sources as they are when it starts, so two trials of one
// family can run different code; their records say so.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../version.js';

/** what a run's behaviour depends on, relative to the checkout */
const SOURCE_PATHS = ['src', 'native/src', 'package-lock.json'];

let cached: string | undefined;

/** `r2u 0.1.0, commit 0123abcd4567` (+ `, with uncommitted changes`), or `r2u 0.1.0` outside a git checkout; read once per process */
export function sourceLine(): string {
  cached ??= describeSources(checkoutRoot());
  return cached;
}

/** The source line of the checkout at `root` (null: not a checkout). */
export function describeSources(root: string | null): string {
  const version = `r2u ${VERSION}`;
  if (root === null) return version;
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    } catch {
      return null; // git absent, or not a repository after all
    }
  };
  const commit = git('rev-parse', '--short=12', 'HEAD');
  if (commit === null) return version;
  const changes = git('status', '--porcelain', '--', ...SOURCE_PATHS);
  return `${version}, commit ${commit}${changes ? ', with uncommitted changes' : ''}`;
}

/** the folder holding this installation's .git (the sources and the bundle sit at different depths) */
function checkoutRoot(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, '.git')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}
