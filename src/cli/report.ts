// Printing diagnostics for the CLI: text with code frames (coloured on a
// terminal) or JSON, and the exit code they imply.
import { diagnosticsToJson, formatDiagnostics, hasErrors, type Diagnostic } from '../compiler/index.js';
import { EXIT } from './exit-codes.js';

export type OutputFormat = 'text' | 'json';

export function printDiagnostics(diags: readonly Diagnostic[], format: OutputFormat = 'text'): void {
  if (!diags.length) return;
  if (format === 'json') return;
  process.stderr.write(formatDiagnostics(diags, { color: process.stderr.isTTY === true }) + '\n');
}

export function diagnosticsJson(diags: readonly Diagnostic[]): object[] {
  return diagnosticsToJson(diags);
}

/** 2 when a file could not be read at all, 1 for an invalid spec, 0 otherwise. */
export function exitCodeFor(diags: readonly Diagnostic[]): number {
  if (diags.some((d) => d.code === 'io' && d.span === undefined)) return EXIT.usage;
  return hasErrors(diags) ? EXIT.invalid : EXIT.ok;
}

/** Collects repeated `--set k=v` options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function parseFormat(value: string): OutputFormat {
  if (value !== 'text' && value !== 'json') throw new UsageError(`--format must be text or json, not '${value}'`);
  return value;
}

/** A mistake in how the command was called: printed without a stack trace, exit 2. */
export class UsageError extends Error {}
