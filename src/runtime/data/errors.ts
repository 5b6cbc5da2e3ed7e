// The one error the data pipeline throws for bad input data: the message names
// the file and what is wrong with it, so the CLI can print it as is (exit 3).
export class DataError extends Error {
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(file !== undefined && !message.includes(file) ? `${file}: ${message}` : message);
    this.name = 'DataError';
    if (file !== undefined) this.file = file;
  }
}

/** `fn()`, naming `file` in a DataError that names none (a preprocessing step sees pixels, not their file). */
export function inFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DataError && err.file === undefined) throw new DataError(err.message, file);
    throw err;
  }
}
