// Compiler spans (0-based offsets, 1-based lines and columns) to LSP ranges
// (0-based lines, UTF-16 columns: the same units as JavaScript strings).
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver';
import type { Span } from '../compiler/index.js';

/** A span in the open document. */
export function rangeIn(doc: TextDocument, span: Pick<Span, 'offset' | 'length'>): Range {
  return { start: doc.positionAt(span.offset), end: doc.positionAt(span.offset + span.length) };
}

/** A span of a file that may not be open: from its line and column (it ends on the same line). */
export function rangeOf(span: Span): Range {
  const start = { line: span.line - 1, character: span.column - 1 };
  return { start, end: { line: start.line, character: start.character + span.length } };
}

/** Spans name files as the compiler displays them: relative to the working directory, or absolute. */
export function spanFilePath(file: string): string {
  return isAbsolute(file) ? file : resolve(process.cwd(), file);
}

export const fileUri = (path: string): string => pathToFileURL(path).href;
