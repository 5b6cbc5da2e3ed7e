// The one way to train from a command line, shared by `r2u train <spec>` and
// the generated modules (`npx tsx generated/<spec>.ts`): the same flags with the
// same help, `--backend`/`--workers` as shorthands for `--set runtime.…`, every
// `--set` checked by the statement table, then the dry-run plan or training.
import type { Command } from 'commander';
import { applyOverrides, loadExperiment, type SweepPlan } from '../compiler/index.js';
import type { ExperimentConfig } from '../spec/config.js';
import { contentHash } from '../spec/content-hash.js';
import { EXIT } from './exit-codes.js';
import { BACKEND_HELP, collect, specSets, UsageError } from './flags.js';
import { exitCodeFor, printDiagnostics } from './print-diagnostics.js';
import { reportRunFailure } from './run-failure.js';

export interface TrainFlags {
  readonly set: string[];
  readonly out?: string;
  readonly resume?: string;
  readonly backend?: string;
  readonly workers?: string;
  readonly dryRun?: boolean;
}

/** What is trained: a spec file, an experiment compiled into a module, or (with --resume only) the run's own spec.json. */
export type TrainSource =
  | { readonly kind: 'spec'; readonly path: string }
  | { readonly kind: 'module'; readonly config: ExperimentConfig; readonly origin: { readonly source: string; readonly hash: string } }
  | { readonly kind: 'run' };

/** Adds the training flags to a command. */
export function addTrainOptions(command: Command): Command {
  return command
    .option('--set <path=value>', 'override a setting (repeatable), e.g. train.epochs=5; with --resume only train.epochs and runtime.*', collect, [])
    .option('--out <dir>', 'run folder (default runs/<experiment>-<YYYYmmdd-HHMMSS>)')
    .option('--resume <run>', 'continue a run folder from its last finished epoch')
    .option('--backend <name>', `${BACKEND_HELP} (sets runtime.backend)`)
    .option('--workers <n>', 'data-parallel training workers, 0 = one per core (sets runtime.workers)')
    .option('--dry-run', 'print backend, data pipeline, split and model summary; write nothing');
}

/** Resolves the experiment, then prints its plan or trains it; resolves to the exit code. `prefix` starts a failure's line. */
export async function trainCommand(source: TrainSource, flags: TrainFlags, prefix: string): Promise<number> {
  if (source.kind === 'run' && flags.resume === undefined) throw new UsageError('train needs a spec file (or --resume RUN)');
  if (flags.resume !== undefined && flags.out !== undefined) throw new UsageError('--resume continues the given run folder; --out cannot be combined with it');
  if (flags.dryRun && flags.resume !== undefined) throw new UsageError('--dry-run cannot be combined with --resume');
  const sets = specSets(flags);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    const config = await resolveExperiment(source, sets, flags.resume);
    if (typeof config === 'number') return config;
    if (flags.dryRun) {
      const { dryRun } = await import('../runtime/train/dry-run.js');
      await dryRun(config, { origin: source.kind === 'module' ? source.origin : undefined, sets, log });
      return EXIT.ok;
    }
    // the runtime (TensorFlow.js, wasm) loads only now, so that `r2u --help` stays fast
    const { launchTraining } = await import('./launch-training.js');
    return await launchTraining(config, { out: flags.out, resume: flags.resume, log }, prefix);
  } catch (err) {
    return reportRunFailure(err, prefix);
  }
}

/** Whether `config` is one of the sweep's trials (as `r2u sweep run` trains each: the spec with the trial's `--set`s). */
const isTrial = (config: ExperimentConfig, sweep: SweepPlan): boolean => {
  const id = contentHash(config).slice('sha256:'.length, 'sha256:'.length + 12);
  return sweep.trials.some((t) => t.id === id);
};

/** The experiment with the `--set`s applied, or the exit code after printing why there is none. */
async function resolveExperiment(source: TrainSource, sets: readonly string[], resume: string | undefined): Promise<ExperimentConfig | number> {
  if (source.kind === 'spec') {
    const loaded = await loadExperiment(source.path, { sets });
    printDiagnostics(loaded.diagnostics);
    if (loaded.config && loaded.sweep && !isTrial(loaded.config, loaded.sweep)) {
      // the base is a whole experiment worth a check run, so it trains; but the family is what the spec is for
      const family = `a sweep of ${loaded.sweep.trials.length} trials`;
      const stated = loaded.sweep.inherited ? `inherits ${family} from ${loaded.sweep.statedIn}` : `states ${family}`;
      process.stderr.write(`warning: ${source.path} ${stated}; this trains its base experiment only (r2u sweep run ${source.path} trains the family)\n`);
    }
    return loaded.config ?? exitCodeFor(loaded.diagnostics);
  }
  // a compiled experiment, or the run's spec.json (e.g. --set train.epochs=20 to
  // lengthen the run; the resume itself refuses changes to the experiment)
  const base = source.kind === 'module' ? source.config : await (await import('../runtime/run/folder.js')).readSpec(resume as string);
  if (sets.length === 0) return base;
  const result = applyOverrides(base, sets, source.kind === 'module' ? source.origin.source : `${resume}/spec.json`);
  printDiagnostics(result.diagnostics);
  return result.config ?? EXIT.invalid;
}
