// The VS Code client of the r2u language server: starts `r2u lsp --stdio`
// (the command is a setting) for .r2u files and tells it when .r2u files
// change on disk, so specs that extend them are checked again. Colouring
// comes from the TextMate grammar; everything else from the server.
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const [command, ...args] = vscode.workspace.getConfiguration('r2u').get<string[]>('server.command') ?? ['npx', '--no-install', 'r2u', 'lsp', '--stdio'];
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server: ServerOptions = { command, args, options: { cwd, shell: process.platform === 'win32' } };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'r2u' },
      { scheme: 'untitled', language: 'r2u' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.r2u') },
  };
  client = new LanguageClient('r2u', 'r2u language server', server, options);
  context.subscriptions.push(
    vscode.commands.registerCommand('r2u.restartServer', () => client?.restart()),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
