// Runs the real `r2u` binary without blocking the test worker: a synchronous
// spawn that outlasts vitest's 60 s RPC timeout (a training under load) makes
// the worker miss its own task updates.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin', 'r2u.mjs');

export interface R2uResult {
  code: number;
  out: string;
  err: string;
}

export const runR2u = (args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<R2uResult> =>
  new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...opts }, (error, out, err) => {
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out, err });
    });
  });

export const r2u = (...args: string[]): Promise<R2uResult> => runR2u(args);
