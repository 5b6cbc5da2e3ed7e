// `r2u train <spec> [--set k=v]... [--out DIR] [--resume RUN] [--backend B]
// [--workers N] [--dry-run]`: compiles the spec and runs it with the runtime's
// training loop. With --resume the spec may be omitted: the run's spec.json is
// used, and --set may lengthen the run (train.epochs) or change runtime settings.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { collect, UsageError } from '../report.js';

interface TrainFlags {
  set: string[];
  out?: string;
  resume?: string;
  backend?: string;
  workers?: string;
  dryRun?: boolean;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
type Backend = (typeof BACKENDS)[number];

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an experiment: validation every epoch, checkpoints, curves and panels in a run folder')
    .argument('[spec]', 'experiment spec (.r2u); optional with --resume')
    .option('--set <path=value>', 'override a setting (repeatable), e.g. train.epochs=5; with --resume only train.epochs and runtime.*', collect, [])
    .option('--out <dir>', 'run folder (default runs/<experiment>-<YYYYmmdd-HHMMSS>)')
    .option('--resume <run>', 'continue a run folder from its last finished epoch')
    .option('--backend <name>', `TensorFlow.js backend: ${BACKENDS.join(', ')}`)
    .option('--workers <n>', 'data-parallel training workers (0 = one per core)')
    .option('--dry-run', 'print backend, data pipeline, split and model summary; write nothing')
    .action(async (spec: string | undefined, flags: TrainFlags) => {
      process.exitCode = await trainCommand(spec, flags);
    });
}

function parseBackend(value: string | undefined): Backend | undefined {
  if (value === undefined) return undefined;
  if (!(BACKENDS as readonly string[]).includes(value)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, not '${value}'`);
  return value as Backend;
}

function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers must be a whole number >= 0, not '${value}'`);
  return n;
}

async function trainCommand(spec: string | undefined, flags: TrainFlags): Promise<number> {
  const backend = parseBackend(flags.backend);
  const workers = parseWorkers(flags.workers);
  if (spec === undefined && flags.resume === undefined) throw new UsageError('train needs a spec file (or --resume RUN)');
  if (flags.resume !== undefined && flags.out !== undefined) throw new UsageError('--resume continues the given run folder; --out cannot be combined with it');
  if (flags.dryRun && flags.resume !== undefined) throw new UsageError('--dry-run cannot be combined with --resume');

  const { reportRunFailure } = await import('../../runtime/run/errors.js');
  try {
    let config;
    if (spec !== undefined) {
      const { loadExperiment, formatDiagnostics } = await import('../../compiler/index.js');
      const loaded = await loadExperiment(spec, { sets: flags.set });
      if (loaded.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(loaded.diagnostics, { color: process.stderr.isTTY === true })}\n`);
      if (loaded.config === undefined) return loaded.diagnostics.some((d) => d.code === 'io' && d.span === undefined) ? EXIT.usage : EXIT.invalid;
      config = loaded.config;
    } else {
      const { readSpec } = await import('../../runtime/run/folder.js');
      config = await readSpec(flags.resume as string);
      if (flags.set.length > 0) {
        // e.g. --set train.epochs=20 to lengthen the run; the resume refuses changes to the experiment itself
        const { applyOverrides, formatDiagnostics } = await import('../../compiler/index.js');
        const result = applyOverrides(config, flags.set, `${flags.resume}/spec.json`);
        if (result.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(result.diagnostics, { color: process.stderr.isTTY === true })}\n`);
        if (result.config === undefined) return EXIT.invalid;
        config = result.config;
      }
    }

    if (flags.dryRun) {
      const { dryRun } = await import('../../runtime/train/dry-run.js');
      await dryRun(config, { backend, log: (line) => process.stdout.write(`${line}\n`) });
      return EXIT.ok;
    }

    const { launchTraining } = await import('../../runtime/train/launch.js');
    return await launchTraining(config, { out: flags.out, resume: flags.resume, backend, workers }, 'r2u train');
  } catch (err) {
    return reportRunFailure(err, 'r2u train');
  }
}
