// Errors of the run folder and of a training run. The CLI reports them as one
// line with an exit code instead of a stack (src/cli/run-failure.ts).

/** A missing or malformed run folder / checkpoint, or a misused option (a usage failure). */
export class RunError extends Error {
  override readonly name = 'RunError';
}

/** Training stopped because the loss became NaN or infinite (a runtime failure). */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}
