// `r2u diff a.r2u b.r2u`: what changes between two resolved experiments, and
// between the trials of their sweeps. `r2u diff runA runB` on two run folders:
// the same diff of their spec.json, then the best-epoch metrics with old, new
// and change columns (as `r2u compare` measures them).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadExperimentSync } from '../../compiler/index.js';
import { diffConfigs, formatChanges, showValue, type Change } from '../../compiler/diff.js';
import { RUN_FILES } from '../../spec/run-files.js';
import { EXIT } from '../exit-codes.js';
import { parseChoice, UsageError } from '../flags.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { compareRuns, loadRuns, metricDeltas } from '../run-comparison.js';
import { FAMILY_FILE } from '../sweep-family.js';
import { renderTable, type Table } from '../table.js';

const FORMATS = ['text', 'md', 'json'] as const;
type DiffFormat = (typeof FORMATS)[number];

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('semantic diff of two specs after extends and defaults, or of two run folders with their best-epoch metrics (exit 0 when equal, 1 when they differ)')
    .argument('<a>', 'the base spec or run folder')
    .argument('<b>', 'the spec or run folder to compare with it')
    .option('--format <format>', FORMATS.join(', '), 'text')
    .action(async (a: string, b: string, opts: { format: string }) => {
      const format: DiffFormat = parseChoice('--format', opts.format, FORMATS);
      const [runA, runB] = [a, b].map(folderKind);
      if (runA !== runB) {
        const [run, spec] = runA ? [a, b] : [b, a];
        throw new UsageError(`${run} is a run folder and ${spec} is not: r2u diff compares two specs or two run folders`);
      }
      process.exitCode = runA ? await diffRuns(a, b, format) : diffSpecs(a, b, format);
    });
}

/** True for a run folder (spec.json); a sweep folder is refused, since `r2u compare` is its diff. */
function folderKind(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isDirectory()) return false;
  if (existsSync(join(path, FAMILY_FILE))) throw new UsageError(`${path} is a sweep folder: compare its trials with r2u compare ${path}`);
  if (!existsSync(join(path, RUN_FILES.spec))) throw new UsageError(`${path} is a folder but not a run folder (no ${RUN_FILES.spec})`);
  return true;
}

function diffSpecs(a: string, b: string, format: DiffFormat): number {
  const ra = loadExperimentSync(a);
  const rb = loadExperimentSync(b);
  printDiagnostics([...ra.diagnostics, ...rb.diagnostics]);
  // no diff can be computed: that is neither "equal" (0) nor "different" (1)
  if (!ra.config || !rb.config) return EXIT.usage;
  const changes = diffConfigs(ra.config, rb.config);
  // a sweep's family: the trials (by their varying values) each side has and the other has not
  const trialsOf = (r: typeof ra) => new Map((r.sweep?.trials ?? []).map((t) => [t.sets.join(' '), t.alias]));
  const [ta, tb] = [trialsOf(ra), trialsOf(rb)];
  const trials = {
    removed: [...ta].filter(([k]) => !tb.has(k)).map(([, alias]) => alias),
    added: [...tb].filter(([k]) => !ta.has(k)).map(([, alias]) => alias),
  };
  // and the rule it is to be adopted by, which changes no trial but changes the decision
  const [ruleA, ruleB] = [ra.sweep?.adopt?.text ?? null, rb.sweep?.adopt?.text ?? null];
  const adopt = ruleA === ruleB ? null : { from: ruleA, to: ruleB };
  const differs = changes.length > 0 || trials.removed.length > 0 || trials.added.length > 0 || adopt !== null;
  if (format === 'json') process.stdout.write(JSON.stringify({ a, b, equal: !differs, changes, trials, adopt }, null, 2) + '\n');
  else if (format === 'md') {
    const trialRows = [...trials.removed.map((t) => ['trial', t, '']), ...trials.added.map((t) => ['trial', '', t])];
    const adoptRows = adopt ? [['sweep adopt if', adopt.from ?? '', adopt.to ?? '']] : [];
    const table = changesTable(changes);
    if (differs) process.stdout.write(renderTable({ ...table, rows: [...table.rows, ...trialRows, ...adoptRows] }, 'md') + '\n');
  } else {
    const adoptLine = adopt ? [`~ sweep adopt if: ${adopt.from ?? '(no rule)'} → ${adopt.to ?? '(no rule)'}`] : [];
    const lines = [...(changes.length ? [formatChanges(changes)] : []), ...trials.removed.map((t) => `- trial ${t}`), ...trials.added.map((t) => `+ trial ${t}`), ...adoptLine];
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  }
  return differs ? EXIT.invalid : EXIT.ok;
}

/**
 * Two runs differ when their experiments do or their best-epoch metrics do
 * (the same experiment trained twice on one backend gives the same metrics).
 */
async function diffRuns(a: string, b: string, format: DiffFormat): Promise<number> {
  const runs = await loadRuns([a, b]);
  const changes = diffConfigs(runs[0].config, runs[1].config);
  const comparison = compareRuns(runs, runs[0].dir);
  const [old, now] = comparison.runs;
  const metrics = comparison.metrics.map((m) => ({ metric: m, old: old.metrics[m], new: now.metrics[m], change: now.change[m] }));
  const sameMetrics = old.epoch === now.epoch && metrics.every((m) => m.old === m.new);
  const differs = changes.length > 0 || !sameMetrics;
  const deltas = metricDeltas(comparison, false);
  if (format === 'json') {
    const monitor = (i: number) => runs[i].scored?.monitor ?? null;
    process.stdout.write(JSON.stringify({ a, b, equal: !differs, changes, monitor: { old: monitor(0), new: monitor(1) }, best_epoch: { old: old.epoch, new: now.epoch }, metrics }, null, 2) + '\n');
  } else if (format === 'md') {
    const parts = [...(changes.length ? ['**Experiment**', renderTable(changesTable(changes), 'md')] : ['The experiments are the same.']), '**Best epoch**', renderTable(deltas, 'md')];
    process.stdout.write(parts.join('\n\n') + '\n');
  } else process.stdout.write([...(changes.length ? [formatChanges(changes)] : []), renderTable(deltas, 'text')].join('\n\n') + '\n');
  return differs ? EXIT.invalid : EXIT.ok;
}

/** The changes with old and new columns, for a pull-request comment. */
function changesTable(changes: readonly Change[]): Table {
  const shown = (path: string, v: unknown) => (v === undefined ? '' : `\`${showValue(path, v)}\``);
  return { headers: ['setting', 'old', 'new'], rows: changes.map((c) => [c.path, shown(c.path, c.before), shown(c.path, c.after)]) };
}
