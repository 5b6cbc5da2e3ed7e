// `r2u eval <run> --split val|test [--dataset kind("root")] [--set eval.…=…]
// [--format table|json|csv]`: scores the run's best checkpoint inside the FOV,
// per image and on average, on its own data or on another labelled dataset,
// and writes eval-<split>.json/.csv (eval-<kind>.*) into the run folder.
import type { Command } from 'commander';
import type { DatasetConfig, ExperimentConfig } from '../../spec/config.js';
import { EXIT } from '../exit-codes.js';
import { BACKEND_HELP, collect, parseBackend, UsageError } from '../flags.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { reportRunFailure } from '../run-failure.js';

interface EvalFlags {
  split: string;
  format: string;
  dataset?: string;
  set?: string[];
  backend?: string;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a run on its validation split, the test subset or another labelled dataset (FOV-masked metrics, AUC, best-F1 threshold)')
    .argument('<run>', 'run folder written by r2u train, or a checkpoint directory with its spec.json')
    .option('--split <split>', 'val or test', 'val')
    .option('--dataset <dataset>', 'score every image of another labelled dataset, written as in a spec: chase_db1("../shared/data/CHASEDB1"); with --split test, its test subset')
    .option('--set <eval.key=value>', 'override an eval setting for this evaluation, e.g. eval.tta=d4 (repeatable)', collect)
    .option('--format <format>', 'table, json or csv on stdout', 'table')
    .option('--backend <name>', BACKEND_HELP)
    .action(async (run: string, flags: EvalFlags) => {
      process.exitCode = await evalCommand(run, flags);
    });
}

async function evalCommand(run: string, flags: EvalFlags): Promise<number> {
  if (flags.split !== 'val' && flags.split !== 'test') throw new UsageError(`--split must be val or test, not '${flags.split}'`);
  if (!['table', 'json', 'csv'].includes(flags.format)) throw new UsageError(`--format must be table, json or csv, not '${flags.format}'`);
  const backend = parseBackend(flags.backend);
  const sets = flags.set ?? [];
  const notEval = sets.find((s) => !s.trim().startsWith('eval.'));
  if (notEval !== undefined) throw new UsageError(`--set of r2u eval changes eval settings only (eval.…=…), not '${notEval}'`);
  // read by the language's own parser and checked against the statement table, as `--set data.dataset=…` would be
  const datasetSets = flags.dataset === undefined ? [] : [`data.dataset=${flags.dataset}`];
  try {
    const [{ evaluateRun, evalCsv, evalTable }, { resolveCheckpointDir }, { readSpec }] = await Promise.all([
      import('../../runtime/eval/run-eval.js'),
      import('../../runtime/run/checkpoint.js'),
      import('../../runtime/run/folder.js'),
    ]);
    let spec: ExperimentConfig | undefined;
    let dataset: DatasetConfig | undefined;
    if (sets.length > 0 || datasetSets.length > 0) {
      const { applyOverrides } = await import('../../compiler/index.js');
      const saved = await readSpec(await resolveCheckpointDir(run));
      const r = applyOverrides(saved, [...sets, ...datasetSets], run);
      printDiagnostics(r.diagnostics);
      if (r.config === undefined) return EXIT.invalid;
      spec = { ...saved, eval: r.config.eval };
      if (datasetSets.length > 0) dataset = r.config.data.dataset;
    }
    const report = await evaluateRun(run, {
      split: flags.split,
      ...(spec === undefined ? {} : { spec }),
      ...(dataset === undefined ? {} : { dataset }),
      backend,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const text = flags.format === 'json' ? JSON.stringify(report, null, 2) : flags.format === 'csv' ? evalCsv(report).trimEnd() : evalTable(report);
    process.stdout.write(`${text}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportRunFailure(err, 'r2u eval');
  }
}
