// `r2u lsp --stdio`: the language server for editors (src/lsp/), loaded only
// when this command runs.
import type { Command } from 'commander';

export function registerLsp(program: Command): void {
  program
    .command('lsp')
    .description('language server for editors: diagnostics, completion, hover, formatting … (LSP over stdin/stdout)')
    .option('--stdio', 'speak LSP on stdin/stdout (the only transport; accepted because editors pass it)')
    .action(async () => {
      const { runStdioServer } = await import('../../lsp/server.js');
      runStdioServer();
    });
}
