// Printing front-end diagnostics for the CLI: text with code frames (coloured
// on a terminal) on stderr, and the exit code they imply. JSON output is the
// caller's business: it goes to stdout together with the command's result.
import { diagnosticsToJson, formatDiagnostics, hasErrors, type Diagnostic } from '../compiler/index.js';
import { EXIT } from './exit-codes.js';

/** Writes diagnostics as text on stderr (nothing when there are none). */
export function printDiagnostics(diags: readonly Diagnostic[]): void {
  if (!diags.length) return;
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
