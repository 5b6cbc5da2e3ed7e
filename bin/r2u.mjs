#!/usr/bin/env node
// Entry point of the `r2u` command. The CLI and the compiler front end run
// from the bundle in dist/ (built by `npm ci`) when it is newer than the
// sources; the runtime is TypeScript loaded through tsx, registered only for
// the commands that need it, so `check`, `fmt`, `diff` start fast.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsFresh } from '../src/build-freshness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FRONT_END_ONLY = new Set(['check', 'fmt', 'diff', 'schema', 'lsp', '--help', '-h', '--version', '-V', 'help']);

const bundle = join(root, 'dist', 'main.js');
// the bundle holds the CLI, the compiler and the language server (the runtime is loaded from its sources)
const bundled = ['src/cli', 'src/compiler', 'src/lsp', 'src/spec', 'src/version.ts'].map((p) => join(root, p));
const fresh = buildIsFresh(bundle, bundled);
const command = process.argv[2];
// `sweep plan` expands and checks the family without training
const frontEndOnly = FRONT_END_ONLY.has(command ?? '--help') || (command === 'sweep' && process.argv[3] === 'plan');
if (!fresh || !frontEndOnly) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(fresh ? bundle : join(root, 'src', 'cli', 'main.ts'));
