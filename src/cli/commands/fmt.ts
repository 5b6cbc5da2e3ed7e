// `r2u fmt <files…>`: rewrite specs in the canonical layout; `--check` only reports.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSpec } from '../../compiler/index.js';
import { formatSource } from '../../compiler/format.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeFor, printDiagnostics } from '../print-diagnostics.js';

export function registerFmt(program: Command): void {
  program
    .command('fmt')
    .description('format specs canonically (keeps comments); idempotent')
    .argument('<files...>', '.r2u spec files')
    .option('--check', 'do not write; exit 1 when a file is not formatted')
    .option('--stdout', 'print the formatted text instead of writing the file')
    .action((files: string[], opts: { check?: boolean; stdout?: boolean }) => {
      let code = 0;
      for (const file of files) {
        const read = readSpec(file);
        if ('diagnostic' in read) {
          printDiagnostics([read.diagnostic]);
          code = Math.max(code, EXIT.usage);
          continue;
        }
        const { text, diagnostics } = formatSource(read.source);
        if (text === undefined) {
          printDiagnostics(diagnostics);
          code = Math.max(code, exitCodeFor(diagnostics));
          continue;
        }
        if (opts.stdout) process.stdout.write(text);
        else if (text !== read.source.text) {
          if (opts.check) {
            process.stderr.write(`${file}: not formatted (run r2u fmt ${file})\n`);
            code = Math.max(code, EXIT.invalid);
          } else {
            writeFileSync(file, text);
            process.stderr.write(`${file}: formatted\n`);
          }
        }
      }
      process.exitCode = code;
    });
}
