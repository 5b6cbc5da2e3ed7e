// `r2u lsp --stdio`: the language server. It runs the compiler front end only
// (never the runtime or TensorFlow.js), so it starts fast; it speaks LSP on
// stdin/stdout and logs to stderr. Every request is answered on its own: an
// exception answers that request with an error and the server carries on.
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  ErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  createConnection,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { VERSION } from '../version.js';
import { analyze, documentPath, type Analysis } from './analysis.js';
import { quickFixes } from './code-actions.js';
import { complete } from './completion.js';
import { definition, documentLinks } from './definition.js';
import { toLspDiagnostics } from './diagnostics.js';
import { formatDocument } from './formatting.js';
import { hover } from './hover.js';
import { documentSymbols, foldingRanges } from './outline.js';

/** Quiet time after a change before diagnostics are computed: typing a word costs one run, not one per key. */
export const DIAGNOSTICS_DELAY_MS = 50;

const log = (message: string) => process.stderr.write(`r2u lsp: ${message}\n`);

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, Analysis>();
  const timers = new Map<string, NodeJS.Timeout>();

  /** The text of an open document by its file path: parents are read from the editor, unsaved edits included. */
  const openText = (path: string): string | undefined => documents.all().find((d) => documentPath(d.uri) === path)?.getText();

  /** The analysis of a document's current version (computed now when stale). */
  const analysisOf = (doc: TextDocument): Analysis => {
    const cached = analyses.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const fresh = analyze(doc, openText);
    analyses.set(doc.uri, fresh);
    return fresh;
  };

  const publish = (uri: string) => {
    timers.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    try {
      const analysis = analysisOf(doc);
      void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: toLspDiagnostics(analysis, doc) });
    } catch (e) {
      log(`diagnostics for ${uri} failed: ${describe(e)}`);
    }
  };

  /** A newer change cancels the run the previous one scheduled. */
  const schedule = (uri: string, delay = DIAGNOSTICS_DELAY_MS) => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => publish(uri), delay));
  };

  /** Re-checks the open documents that extend a file that changed (in the editor or on disk). */
  const recheckDependents = (path: string) => {
    for (const [uri, analysis] of analyses) {
      if (!analysis.parents.includes(path)) continue;
      analyses.delete(uri);
      schedule(uri);
    }
  };

  /** Runs a request handler; a failure becomes that request's error response. */
  const guarded =
    <P, R>(method: string, handler: (params: P) => R) =>
    (params: P): R => {
      try {
        return handler(params);
      } catch (e) {
        log(`${method} failed: ${describe(e)}`);
        throw new ResponseError(ErrorCodes.InternalError, `r2u: ${method} failed: ${describe(e)}`);
      }
    };

  /** The open document and the offset of a position in it, for positional requests. */
  const at = (params: { textDocument: { uri: string }; position: { line: number; character: number } }) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return undefined;
    return { doc, offset: doc.offsetAt(params.position) };
  };

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Full },
        completionProvider: { triggerCharacters: [' ', '"', '/', '(', ','] },
        hoverProvider: true,
        definitionProvider: true,
        documentLinkProvider: { resolveProvider: false },
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
      },
      serverInfo: { name: 'r2u', version: VERSION },
    }),
  );

  documents.onDidChangeContent((e) => {
    schedule(e.document.uri);
    recheckDependents(documentPath(e.document.uri));
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    analyses.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    // its dependents go back to the text on disk
    recheckDependents(documentPath(e.document.uri));
  });
  connection.onDidChangeWatchedFiles((e) => {
    for (const change of e.changes) if (change.uri.startsWith('file:')) recheckDependents(fileURLToPath(change.uri));
  });

  connection.onCompletion(guarded('completion', (p) => { const a = at(p); return a ? complete(a.doc, a.offset) : null; }));
  connection.onHover(guarded('hover', (p) => { const a = at(p); return a ? hover(a.doc, analysisOf(a.doc), a.offset) : null; }));
  connection.onDefinition(guarded('definition', (p) => { const a = at(p); return a ? definition(a.doc, analysisOf(a.doc), a.offset) : null; }));
  connection.onDocumentLinks(guarded('documentLink', (p) => { const doc = documents.get(p.textDocument.uri); return doc ? documentLinks(doc, analysisOf(doc)) : null; }));
  connection.onDocumentFormatting(guarded('formatting', (p) => { const doc = documents.get(p.textDocument.uri); return doc ? formatDocument(doc) : null; }));
  connection.onCodeAction(guarded('codeAction', (p) => quickFixes(p)));
  connection.onDocumentSymbol(guarded('documentSymbol', (p) => { const doc = documents.get(p.textDocument.uri); return doc ? documentSymbols(doc, analysisOf(doc).loaded.ast) : null; }));
  connection.onFoldingRanges(guarded('foldingRange', (p) => { const doc = documents.get(p.textDocument.uri); return doc ? foldingRanges(doc, analysisOf(doc).loaded.ast) : null; }));

  documents.listen(connection);
  connection.listen();
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** The server on stdin/stdout, as editors start it. */
export function runStdioServer(): void {
  // stdout carries the protocol only: vscode-languageserver routes console.* to the client's log, and r2u logs to stderr
  process.on('uncaughtException', (e) => log(`uncaught: ${describe(e)}`));
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${describe(e)}`));
  startServer(createConnection(process.stdin, process.stdout));
}
