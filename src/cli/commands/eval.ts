// `r2u eval <run> --split val|test [--format table|json|csv]`: scores the run's
// best checkpoint inside the FOV, per image and on average, and writes
// eval-<split>.json/.csv into the run folder.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { BACKEND_HELP, parseBackend, UsageError } from '../flags.js';
import { reportRunFailure } from '../run-failure.js';

interface EvalFlags {
  split: string;
  format: string;
  backend?: string;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a run on its validation split or the test subset (FOV-masked metrics, AUC, best-F1 threshold)')
    .argument('<run>', 'run folder written by r2u train')
    .option('--split <split>', 'val or test', 'val')
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
  try {
    const { evaluateRun, evalCsv, evalTable } = await import('../../runtime/eval/run-eval.js');
    const report = await evaluateRun(run, {
      split: flags.split,
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
