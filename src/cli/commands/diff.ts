// `r2u diff a.r2u b.r2u`: what changes between two resolved experiments.
import type { Command } from 'commander';
import { loadExperimentSync } from '../../compiler/index.js';
import { diffConfigs, formatChanges } from '../../compiler/diff.js';
import { EXIT } from '../exit-codes.js';
import { parseFormat, type OutputFormat } from '../flags.js';
import { printDiagnostics } from '../print-diagnostics.js';

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('semantic diff of two specs after extends and defaults (exit 0 when equal, 1 when they differ)')
    .argument('<a>', 'the base spec')
    .argument('<b>', 'the spec to compare with it')
    .option('--format <format>', 'text or json', parseFormat, 'text' as OutputFormat)
    .action((a: string, b: string, opts: { format: OutputFormat }) => {
      const ra = loadExperimentSync(a);
      const rb = loadExperimentSync(b);
      const diags = [...ra.diagnostics, ...rb.diagnostics];
      printDiagnostics(diags);
      if (!ra.config || !rb.config) {
        // no diff can be computed: that is neither "equal" (0) nor "different" (1)
        process.exitCode = EXIT.usage;
        return;
      }
      const changes = diffConfigs(ra.config, rb.config);
      if (opts.format === 'json') process.stdout.write(JSON.stringify({ a, b, equal: changes.length === 0, changes }, null, 2) + '\n');
      else if (changes.length) process.stdout.write(formatChanges(changes) + '\n');
      process.exitCode = changes.length ? EXIT.invalid : EXIT.ok;
    });
}
