// `r2u check <files…>`: parse and validate specs; `--print` shows the resolved experiment.
import type { Command } from 'commander';
import { loadExperimentSync } from '../../compiler/index.js';
import { collect, parseFormat, type OutputFormat } from '../flags.js';
import { diagnosticsJson, exitCodeFor, printDiagnostics } from '../print-diagnostics.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('parse and validate specs, reporting every error with its location')
    .argument('<files...>', '.r2u spec files')
    .option('--set <path=value>', 'override a setting (repeatable), e.g. train.optimizer.lr=5e-4', collect, [])
    .option('--print', 'print the resolved experiment (after extends, defaults and --set) as JSON')
    .option('--format <format>', 'diagnostics as text or json', parseFormat, 'text' as OutputFormat)
    .action((files: string[], opts: { set: string[]; print?: boolean; format: OutputFormat }) => {
      let code = 0;
      const report: object[] = [];
      for (const file of files) {
        const r = loadExperimentSync(file, { sets: opts.set });
        if (opts.format === 'text') printDiagnostics(r.diagnostics);
        code = Math.max(code, exitCodeFor(r.diagnostics));
        if (opts.format === 'json') report.push({ file, ok: !!r.config, diagnostics: diagnosticsJson(r.diagnostics), ...(opts.print && r.config ? { config: r.config } : {}) });
        else if (opts.print && r.config) process.stdout.write(JSON.stringify(r.config, null, 2) + '\n');
        else if (r.config && !opts.print) process.stderr.write(`${file}: ok\n`);
      }
      if (opts.format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      process.exitCode = code;
    });
}
