// `r2u diff a.r2u b.r2u`: what changes between two resolved experiments, and
// between the trials of their sweeps.
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
      // a sweep's family: the trials (by their varying values) each side has and the other has not
      const trialsOf = (r: typeof ra) => new Map((r.sweep?.trials ?? []).map((t) => [t.sets.join(' '), t.alias]));
      const [ta, tb] = [trialsOf(ra), trialsOf(rb)];
      const trials = {
        removed: [...ta].filter(([k]) => !tb.has(k)).map(([, alias]) => alias),
        added: [...tb].filter(([k]) => !ta.has(k)).map(([, alias]) => alias),
      };
      const differs = changes.length > 0 || trials.removed.length > 0 || trials.added.length > 0;
      if (opts.format === 'json') process.stdout.write(JSON.stringify({ a, b, equal: !differs, changes, trials }, null, 2) + '\n');
      else {
        const lines = [...(changes.length ? [formatChanges(changes)] : []), ...trials.removed.map((t) => `- trial ${t}`), ...trials.added.map((t) => `+ trial ${t}`)];
        if (lines.length) process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = differs ? EXIT.invalid : EXIT.ok;
    });
}
