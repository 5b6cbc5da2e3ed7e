// Diagnostics: every stage reports problems as values (never throws for a user
// mistake), all of them in one pass, each located and, where possible, with a
// suggestion. Rendering is separate so the CLI can print text or JSON.
import type { Span } from './source.js';

export type Severity = 'error' | 'warning';

/** Stable codes, so tools and tests can match on the kind of problem; each with its meaning (for the reference and editors). */
export const DIAGNOSTIC_CODES = {
  io: 'the file cannot be read',
  encoding: 'not UTF-8',
  lex: 'a character that starts no token',
  syntax: 'the parser expected something else',
  'unknown-key': 'a statement the block does not have',
  'duplicate-key': 'a statement given twice in one block',
  'bad-value': 'a value of the wrong type or out of range',
  'unknown-value': 'an identifier that is not one of the allowed values',
  missing: 'a required part is absent',
  extends: 'a cycle or an unreadable parent',
  schema: 'the resolved configuration violates the JSON Schema',
  rule: 'a cross-field rule (patch divisible by 2^depth, ...)',
  override: 'a bad --set',
} as const;
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly message: string;
  /** where; absent only for problems that have no place (e.g. a missing file) */
  readonly span?: Span;
  /** the file the problem belongs to when there is no span */
  readonly file?: string;
  /** what was expected, when the stage knows */
  readonly expected?: string;
  /** "did you mean …?" */
  readonly suggestion?: string;
  /** further context, e.g. where a value was first given */
  readonly note?: string;
}

export function error(code: DiagnosticCode, message: string, span?: Span, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', code, message, span, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

export interface FormatOptions {
  color?: boolean;
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Renders diagnostics like a compiler: location, message, code frame with a caret, hints. */
export function formatDiagnostics(diags: readonly Diagnostic[], opts: FormatOptions = {}): string {
  const color = opts.color ?? false;
  const red = paint(color, '31;1');
  const yellow = paint(color, '33;1');
  const bold = paint(color, '1');
  const dim = paint(color, '2');
  const cyan = paint(color, '36');
  const out: string[] = [];
  for (const d of diags) {
    const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : (d.file ?? '');
    const sev = d.severity === 'error' ? red('error') : yellow('warning');
    out.push(`${where ? bold(where) + ': ' : ''}${sev}[${d.code}]: ${d.message}`);
    if (d.span) out.push(...codeFrame(d.span, dim, d.severity === 'error' ? red : yellow));
    if (d.expected) out.push(`  ${cyan('expected')}: ${d.expected}`);
    if (d.suggestion) out.push(`  ${cyan('help')}: did you mean \`${d.suggestion}\`?`);
    if (d.note) out.push(`  ${cyan('note')}: ${d.note}`);
    out.push('');
  }
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  if (diags.length > 0) out.push(`${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
  return out.join('\n');
}

function codeFrame(span: Span, dim: (s: string) => string, mark: (s: string) => string): string[] {
  const { source } = span;
  const lineText = source.lineText(span.line).replace(/\t/g, ' ');
  const width = String(span.line).length;
  const gutter = (n: string) => dim(`${n.padStart(width)} | `);
  const frame: string[] = [];
  const previous = span.line > 1 ? source.lineText(span.line - 1) : '';
  if (previous.trim()) frame.push(gutter(String(span.line - 1)) + previous.replace(/\t/g, ' '));
  frame.push(gutter(String(span.line)) + lineText);
  const caretLength = Math.max(1, Math.min(span.length, lineText.length - span.column + 1));
  frame.push(gutter('') + ' '.repeat(Math.max(0, span.column - 1)) + mark('^'.repeat(caretLength)));
  return frame;
}

/** Machine-readable form (`--format json`). */
export function diagnosticsToJson(diags: readonly Diagnostic[]): object[] {
  return diags.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.span?.file ?? d.file ?? null,
    line: d.span?.line ?? null,
    column: d.span?.column ?? null,
    length: d.span?.length ?? null,
    ...(d.expected ? { expected: d.expected } : {}),
    ...(d.suggestion ? { suggestion: d.suggestion } : {}),
    ...(d.note ? { note: d.note } : {}),
  }));
}
