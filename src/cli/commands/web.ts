// `r2u export-web <checkpoint> --out DIR`: the browser page as a static folder.
// `r2u serve <checkpoint> [--port N]`: the same page, served from a temporary folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { parseCount } from '../flags.js';
import { reportRunFailure } from '../run-failure.js';

export function registerWeb(program: Command): void {
  program
    .command('export-web')
    .description('write a static web page that segments dropped fundus photographs in the browser with this checkpoint')
    .argument('<checkpoint>', 'run folder (its best checkpoint) or checkpoint directory')
    .requiredOption('--out <dir>', 'folder for the page')
    .action(async (checkpoint: string, flags: { out: string }) => {
      process.exitCode = await exportCommand(checkpoint, flags.out);
    });
  program
    .command('serve')
    .description('serve the browser page of a checkpoint on http://127.0.0.1:<port>/ (Ctrl-C stops it)')
    .argument('<checkpoint>', 'run folder (its best checkpoint) or checkpoint directory')
    .option('--port <port>', 'TCP port', '8080')
    .action(async (checkpoint: string, flags: { port: string }) => {
      const port = parseCount('--port', flags.port, 1);
      const dir = mkdtempSync(join(tmpdir(), 'r2u-page-'));
      const code = await exportCommand(checkpoint, dir);
      if (code !== EXIT.ok) {
        process.exitCode = code;
        return;
      }
      const { serveFolder } = await import('../../web/export.js');
      try {
        await serveFolder(dir, port);
      } catch (err) {
        process.stderr.write(`r2u serve: cannot listen on port ${port}: ${(err as Error).message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      process.stderr.write(`serving ${checkpoint} at http://127.0.0.1:${port}/\n`);
    });
}

async function exportCommand(checkpoint: string, out: string): Promise<number> {
  try {
    const { exportWeb } = await import('../../web/export.js');
    const r = await exportWeb(checkpoint, out);
    process.stderr.write(`page for ${r.checkpoint} written to ${out}: ${r.files.join(', ')}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportRunFailure(err, 'r2u export-web');
  }
}
