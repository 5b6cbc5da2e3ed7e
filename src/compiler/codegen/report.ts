// Problems found in generated code. They are generator bugs, not user
// mistakes, so they point at the template line to fix. Kept apart from
// typecheck.ts so that reporting does not load ts-morph.
import type { TemplateLocation } from './generator.js';

export interface GeneratedDiagnostic {
  /** absolute path of the generated module */
  readonly file: string;
  /** 1-based line in the generated module */
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** the generated line */
  readonly code: string;
  /** the template line that produced it */
  readonly template?: TemplateLocation;
}

/** Generated code that does not compile: a bug in a template, not in the spec. */
export class GeneratedTypeError extends Error {
  override readonly name = 'GeneratedTypeError';
  constructor(readonly diagnostics: readonly GeneratedDiagnostic[]) {
    super(formatGeneratedDiagnostics(diagnostics));
  }
}

export function formatGeneratedDiagnostics(diags: readonly GeneratedDiagnostic[]): string {
  const lines = [`generated code does not type-check (a code generator bug; fix the template):`];
  for (const d of diags) {
    const at = d.template ? `${d.template.template}:${d.template.line}` : 'no template line';
    lines.push(`  ${at}: ${d.message}`, `    at ${d.file}:${d.line}:${d.column}`, `    | ${d.code.trim()}`);
  }
  return lines.join('\n');
}
