// Errors of the run folder and of a training run, classified so that the CLI
// can print a one-line message with the right exit code instead of a stack.
import { EXIT } from '../../cli/exit-codes.js';

/** A missing or malformed run folder / checkpoint, or a misused option (CLI exit 2). */
export class RunError extends Error {
  override readonly name = 'RunError';
}

/** Training stopped because the loss became NaN or infinite (CLI exit 3). */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}

/**
 * How a command should report a failure: `usage` (exit 2) for a missing or
 * malformed run or file, `runtime` (exit 3) for bad data, an unavailable
 * backend or a diverged run; null for a bug, which keeps its stack trace.
 */
export function classifyFailure(err: unknown): { kind: 'usage' | 'runtime'; message: string } | null {
  if (!(err instanceof Error)) return null;
  if (err instanceof RunError) return { kind: 'usage', message: err.message };
  // matched by name so that this module does not load the data pipeline or the backend
  if (err instanceof DivergedError || err.name === 'DataError' || err.name === 'BackendError') return { kind: 'runtime', message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && typeof e.path === 'string') {
    return { kind: e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'ENOTDIR' ? 'usage' : 'runtime', message: e.message };
  }
  return null;
}

/** Prints a run failure as `prefix: message` and returns its exit code; anything else is a bug and is rethrown. */
export function reportRunFailure(err: unknown, prefix: string): number {
  const failure = classifyFailure(err);
  if (failure === null) throw err;
  process.stderr.write(`${prefix}: ${failure.message}\n`);
  return failure.kind === 'usage' ? EXIT.usage : EXIT.runtime;
}
