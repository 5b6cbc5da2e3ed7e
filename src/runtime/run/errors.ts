// Errors of the run folder and of a training run, classified so that the CLI
// can print a one-line message with the right exit code instead of a stack.

/** A missing or malformed run folder / checkpoint, or a misused option (CLI exit 2). */
export class RunError extends Error {
  override readonly name = 'RunError';
}

/** Training stopped because the loss became NaN or infinite (CLI exit 3). */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}
