// Go to definition: from the `extends` path to the parent file, and from a
// statement's key to the statement whose value wins (here, or in a parent);
// on a block's key, to the winner of each of its settings. The `extends`
// path is a document link too.
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentLink, Location } from 'vscode-languageserver';
import type { Analysis } from './analysis.js';
import { winningSpan } from './origins.js';
import { fileUri, rangeIn, rangeOf, spanFilePath } from './positions.js';
import { joinPath, spanContains, statementAt } from './spec-tree.js';

const fileStart = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function parentFile(analysis: Analysis): string | undefined {
  const ext = analysis.loaded.ast?.extends;
  if (!ext) return undefined;
  const path = resolve(dirname(analysis.path), ext.path);
  return existsSync(path) ? path : undefined;
}

export function definition(doc: TextDocument, analysis: Analysis, offset: number): Location[] {
  const ast = analysis.loaded.ast;
  if (!ast) return [];
  if (ast.extends && spanContains(ast.extends.span, offset)) {
    const parent = parentFile(analysis);
    return parent ? [{ uri: fileUri(parent), range: fileStart }] : [];
  }
  const placed = statementAt(ast, offset);
  if (!placed?.def || !spanContains(placed.statement.key.span, offset)) return [];
  const body = placed.def.form === 'block' || placed.def.form === 'namedBlock' ? placed.def.body : undefined;
  const paths = body ? [placed.def.form === 'namedBlock' ? joinPath(placed.path, placed.def.field) : undefined, ...Object.values(body).map((d) => joinPath(placed.path, d.target))] : [placed.path];
  const locations: Location[] = [];
  for (const path of paths) {
    const span = path === undefined ? undefined : winningSpan(analysis, path);
    if (!span) continue;
    const file = spanFilePath(span.file);
    const location = file === analysis.path ? { uri: doc.uri, range: rangeIn(doc, span) } : { uri: fileUri(file), range: rangeOf(span) };
    if (!locations.some((l) => l.uri === location.uri && l.range.start.line === location.range.start.line && l.range.start.character === location.range.start.character)) locations.push(location);
  }
  return locations;
}

export function documentLinks(doc: TextDocument, analysis: Analysis): DocumentLink[] {
  const ext = analysis.loaded.ast?.extends;
  const parent = parentFile(analysis);
  if (!ext || !parent) return [];
  // the link covers the path inside the quotes
  return [{ range: rangeIn(doc, { offset: ext.span.offset + 1, length: Math.max(0, ext.span.length - 2) }), target: fileUri(parent), tooltip: parent }];
}
