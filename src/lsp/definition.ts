// Go to definition: from the `extends` path to the parent file, and from a
// statement's key to the statement whose value wins (here, or in a parent).
// The `extends` path is a document link too.
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentLink, Location } from 'vscode-languageserver';
import type { Analysis } from './analysis.js';
import { winningSpan } from './origins.js';
import { fileUri, rangeIn, rangeOf, spanFilePath } from './positions.js';
import { spanContains, statementAt } from './spec-tree.js';

const fileStart = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function parentFile(analysis: Analysis): string | undefined {
  const ext = analysis.loaded.ast?.extends;
  if (!ext) return undefined;
  const path = resolve(dirname(analysis.path), ext.path);
  return existsSync(path) ? path : undefined;
}

export function definition(doc: TextDocument, analysis: Analysis, offset: number): Location | null {
  const ast = analysis.loaded.ast;
  if (!ast) return null;
  if (ast.extends && spanContains(ast.extends.span, offset)) {
    const parent = parentFile(analysis);
    return parent ? { uri: fileUri(parent), range: fileStart } : null;
  }
  const placed = statementAt(ast, offset);
  if (!placed?.def || !spanContains(placed.statement.key.span, offset)) return null;
  const span = winningSpan(analysis, placed.path);
  if (!span) return null;
  const file = spanFilePath(span.file);
  return file === analysis.path ? { uri: doc.uri, range: rangeIn(doc, span) } : { uri: fileUri(file), range: rangeOf(span) };
}

export function documentLinks(doc: TextDocument, analysis: Analysis): DocumentLink[] {
  const ext = analysis.loaded.ast?.extends;
  const parent = parentFile(analysis);
  if (!ext || !parent) return [];
  // the link covers the path inside the quotes
  return [{ range: rangeIn(doc, { offset: ext.span.offset + 1, length: Math.max(0, ext.span.length - 2) }), target: fileUri(parent), tooltip: parent }];
}
