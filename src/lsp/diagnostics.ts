// Front-end diagnostics as LSP diagnostics. A problem in a parent file is
// shown on this file's `extends` clause, with the parent's place as related
// information; the did-you-mean travels in `data` for the quick fix.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type Range } from 'vscode-languageserver';
import { diagnosticAnchor, type Diagnostic } from '../compiler/index.js';
import type { Analysis } from './analysis.js';
import { fileUri, rangeIn, rangeOf, spanFilePath } from './positions.js';

/** What a quick fix needs, carried in `diagnostic.data`. */
export interface FixData {
  readonly suggestion: string;
}

/** grammar/REFERENCE.md of this installation (the sources and the bundle sit at different depths). */
const referenceUri = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'grammar', 'REFERENCE.md');
    if (existsSync(candidate)) return fileUri(candidate);
  }
  return undefined;
})();

function messageOf(d: Diagnostic): string {
  const lines = [d.message];
  if (d.expected) lines.push(`expected: ${d.expected}`);
  if (d.suggestion) lines.push(`help: did you mean \`${d.suggestion}\`?`);
  if (d.note) lines.push(`note: ${d.note}`);
  return lines.join('\n');
}

export function toLspDiagnostics(analysis: Analysis, doc: TextDocument): LspDiagnostic[] {
  const { loaded, path } = analysis;
  const extendsRange: Range = loaded.ast?.extends ? rangeIn(doc, loaded.ast.extends.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return loaded.diagnostics.map((d) => {
    const file = d.span ? spanFilePath(d.span.file) : d.file ? spanFilePath(d.file) : path;
    const here = file === path;
    const lsp: LspDiagnostic = {
      severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      range: here ? (d.span ? rangeIn(doc, d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }) : extendsRange,
      message: here ? messageOf(d) : `in ${d.span ? `${d.span.file}:${d.span.line}` : (d.file ?? file)}: ${messageOf(d)}`,
      source: 'r2u',
      code: d.code,
      ...(referenceUri ? { codeDescription: { href: `${referenceUri}#${diagnosticAnchor(d.code)}` } } : {}),
    };
    if (!here) lsp.relatedInformation = [{ location: { uri: fileUri(file), range: d.span ? rangeOf(d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }, message: d.message }];
    if (here && d.span && d.suggestion) lsp.data = { suggestion: d.suggestion } satisfies FixData;
    return lsp;
  });
}
