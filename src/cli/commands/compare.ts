// `r2u compare RUN_OR_SWEEP… [--baseline RUN] [--at model|best|last|heldout] [--format text|md|json|csv]`:
// the parameters that differ and the metrics of each run's model (or of the
// epoch --at asks for), with changes against the baseline (the first finished
// run unless --baseline names another).
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { parseChoice, UsageError } from '../flags.js';
import { writeFile } from 'node:fs/promises';
import { parseAdoptionRule } from '../../compiler/index.js';
import { exitCodeFor, printDiagnostics } from '../print-diagnostics.js';
import { compareRuns, comparisonPageData, comparisonTables, loadRuns, type StatedRule } from '../run-comparison.js';
import { EPOCH_CHOICES, valuesOf } from '../../spec/vocabulary.js';
import { renderTable } from '../table.js';

const FORMATS = ['text', 'md', 'json', 'csv'] as const;

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare runs (or every finished trial of a sweep folder): differing parameters, the metrics of each run’s model (or of its best or last epoch), changes against a baseline, fold by fold and image by image')
    .argument('<runs...>', 'run folders or sweep folders')
    .option('--baseline <run>', 'the run the changes are measured against (a name or folder; default the first finished one)')
    .option('--at <epoch>', `which epoch of each run is scored (default: the one the adoption rule states with 'scored at', else model): ${Object.entries(EPOCH_CHOICES).map(([k, v]) => `${k}, ${v}`).join('; ')}`)
    .option('--format <format>', `${FORMATS.join(', ')}`, 'text')
    .option('--md', 'short for --format md (a pull-request comment)')
    .option('--json', 'short for --format json')
    .option('--adopt-if <rule>', 'judge the paired comparison by this rule instead of the one the family states (adopt if …), e.g. "mean dice above 0, dice better in 4 of 5"')
    .option('--html <file>', 'also write one self-contained page (works offline): the tables, validation curves per run, parallel coordinates of the differing parameters against the monitored metric, and the best runs\' panels')
    .action(async (paths: string[], opts: { baseline?: string; at?: string; format: string; md?: boolean; json?: boolean; html?: string; adoptIf?: string }) => {
      if (opts.md) opts.format = 'md';
      if (opts.json) opts.format = 'json';
      const format = parseChoice('--format', opts.format, FORMATS);
      const asked = opts.at === undefined ? undefined : parseChoice('--at', opts.at, valuesOf(EPOCH_CHOICES));
      let rule: StatedRule | undefined;
      if (opts.adoptIf !== undefined) {
        const read = parseAdoptionRule(opts.adoptIf, '--adopt-if');
        printDiagnostics(read.diagnostics);
        if (!read.rule) return void (process.exitCode = exitCodeFor(read.diagnostics));
        rule = { rule: read.rule, from: '--adopt-if' };
      }
      const runs = await loadRuns(paths, asked ?? rule?.rule.at);
      const comparison = compareRuns(runs, opts.baseline, rule);
      if (opts.html !== undefined) {
        const { comparisonPageHtml } = await import('../../web/compare-page.js');
        const html = await comparisonPageHtml(await comparisonPageData(comparison, runs, `r2u compare ${paths.join(' ')}`));
        await writeFile(opts.html, html).catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`--html ${opts.html}: cannot write the page (${err.code ?? err.message})`);
        });
        process.stderr.write(`compare: wrote ${opts.html} (${comparison.runs.length} runs, ${Math.round(html.length / 1024)} KiB)\n`);
      }
      if (format === 'json') process.stdout.write(JSON.stringify(comparison, null, 2) + '\n');
      else process.stdout.write(comparisonTables(comparison).map((t) => renderTable(t, format)).join('\n\n') + '\n');
      process.exitCode = EXIT.ok;
    });
}
