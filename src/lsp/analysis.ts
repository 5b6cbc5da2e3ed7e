// One run of the front end over an open document: exactly what `r2u check`
// runs (loadExperimentSync with the editor's text), so the two always agree.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { loadExperimentSync, type LoadedExperiment } from '../compiler/index.js';
import { spanFilePath } from './positions.js';

export interface Analysis {
  readonly uri: string;
  readonly version: number;
  /** the document's file path (untitled documents get one in the working directory) */
  readonly path: string;
  readonly loaded: LoadedExperiment;
  /** absolute paths of the files it extends, nearest first */
  readonly parents: readonly string[];
}

export function documentPath(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  // an unsaved buffer: a name in the working directory, so relative `extends` still resolve
  return resolve(process.cwd(), `${uri.replace(/[^A-Za-z0-9_.-]+/g, '_')}.r2u`);
}

/** `parentText` gives the editor's text of a parent spec that is open (it may be unsaved). */
export function analyze(doc: TextDocument, parentText?: (absolutePath: string) => string | undefined): Analysis {
  const path = documentPath(doc.uri);
  const loaded = loadExperimentSync(path, { text: doc.getText(), parentText });
  return { uri: doc.uri, version: doc.version, path, loaded, parents: loaded.sources.slice(1).map(spanFilePath) };
}
