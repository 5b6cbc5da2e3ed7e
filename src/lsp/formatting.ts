// Document formatting is `r2u fmt`: the same function, so the output is byte
// for byte the command's. A file that does not parse is left alone, and a
// file written with CRLF line ends keeps them.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';
import { formatSource, SourceFile } from '../compiler/index.js';
import { documentPath } from './analysis.js';

export function formatDocument(doc: TextDocument): TextEdit[] {
  const text = doc.getText();
  const formatted = formatSource(new SourceFile(documentPath(doc.uri), text)).text;
  if (formatted === undefined) return [];
  const crlf = text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
  const out = crlf ? formatted.replace(/\n/g, '\r\n') : formatted;
  if (out === text) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: out }];
}
