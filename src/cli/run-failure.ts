// A failure of a run (bad data, a missing run folder, an unavailable backend,
// a diverged loss) printed as one line with its exit code; anything else is a
// bug and keeps its stack trace. Errors are matched by name, so this module
// loads neither the runtime nor TensorFlow.js.
import { EXIT } from './exit-codes.js';

/** `usage`: a missing or malformed run or file; `runtime`: bad data, an unavailable backend, a diverged run. */
const KIND_BY_NAME: Readonly<Record<string, 'usage' | 'runtime'>> = {
  RunError: 'usage',
  DivergedError: 'runtime',
  DataError: 'runtime',
  BackendError: 'runtime',
};

/** How a command should report a failure; null for a bug. */
export function classifyFailure(err: unknown): { kind: 'usage' | 'runtime'; message: string } | null {
  if (!(err instanceof Error)) return null;
  const kind = KIND_BY_NAME[err.name];
  if (kind !== undefined) return { kind, message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && typeof e.path === 'string') {
    return { kind: e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'ENOTDIR' ? 'usage' : 'runtime', message: e.message };
  }
  return null;
}

/** Prints `prefix: message` on stderr and returns the exit code; rethrows what is not a run failure. */
export function reportRunFailure(err: unknown, prefix: string): number {
  const failure = classifyFailure(err);
  if (failure === null) throw err;
  process.stderr.write(`${prefix}: ${failure.message}\n`);
  return failure.kind === 'usage' ? EXIT.usage : EXIT.runtime;
}
