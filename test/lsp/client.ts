// A language client for tests: `r2u lsp --stdio` as a child process, spoken
// to with vscode-languageserver-protocol. Waits on what the server sends (a
// diagnostic of a given version), never on a sleep.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export interface Client {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcess;
  /** everything the server wrote to stderr */
  readonly stderr: () => string;
  /** the diagnostics of a document once the server has published those of `version` (any next ones when undefined) */
  diagnostics(uri: string, version: number | undefined): Promise<Diagnostic[]>;
  open(path: string, text: string, version?: number): string;
  change(uri: string, text: string, version: number): void;
  stop(): Promise<number | null>;
}

export const uriOf = (path: string) => pathToFileURL(path).href;

export async function startClient(): Promise<Client> {
  const child = spawn(process.execPath, ['bin/r2u.mjs', 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, PublishDiagnosticsParams[]>();
  const waiting: Array<{ uri: string; version: number | undefined; resolve: (d: Diagnostic[]) => void }> = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    for (const w of [...waiting]) {
      if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: uriOf(process.cwd()), capabilities: {}, workspaceFolders: null });
  connection.sendNotification('initialized', {});
  return {
    connection,
    process: child,
    stderr: () => stderr,
    diagnostics(uri, version) {
      const done = version === undefined ? undefined : published.get(uri)?.find((p) => p.version === version);
      if (done) return Promise.resolve(done.diagnostics);
      return new Promise((resolve) => waiting.push({ uri, version, resolve }));
    },
    open(path, text, version = 1) {
      const uri = uriOf(path);
      connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'r2u', version, text } });
      return uri;
    },
    change(uri, text, version) {
      connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    },
    async stop() {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await connection.sendRequest('shutdown');
      connection.sendNotification('exit');
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}
