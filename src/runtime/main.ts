// The entry point of generated modules (generated/<spec>.ts): parses their
// command line, applies `--set` overrides exactly as a spec would be
// validated, then prints the dry-run plan or trains. User mistakes end with a
// message and an exit code from src/cli/exit-codes.ts, never a stack trace.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../cli/exit-codes.js';
import { applyOverrides, formatDiagnostics } from '../compiler/index.js';
import type { ExperimentConfig } from './config.js';
import { dryRun } from './train/dry-run.js';
import { reportRunFailure } from './run/errors.js';
import { launchTraining } from './train/launch.js';
import type { TrainOptions } from './train/loop.js';

/** Options of a training run started from a generated module. */
export type TrainerOptions = TrainOptions;

/** Where a generated module came from, as its header states. */
export interface ModuleOrigin {
  /** the spec, repo-relative */
  readonly source: string;
  /** content hash of the experiment as compiled */
  readonly hash: string;
}

export { inputChannels } from './train/dry-run.js';

/** True when the module at `moduleUrl` is the script Node was started with (not imported). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(resolve(script));
  } catch {
    return false;
  }
}

interface Flags {
  set?: string[];
  dryRun?: boolean;
  out?: string;
  backend?: string;
  workers?: string;
  resume?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs a generated module's command line; resolves to the process exit code. */
export async function runGenerated(config: ExperimentConfig, argv: string[], origin: ModuleOrigin): Promise<number> {
  const program = new Command(origin.source.replace(/^.*\//, '').replace(/\.r2u$/, ''))
    .description(`Train the experiment compiled from ${origin.source}`)
    .option('--set <key=value>', 'override a field of the experiment by its path (repeatable)', collect)
    .option('--dry-run', 'print the plan and the model summary, then exit without training')
    .option('--out <dir>', 'run folder to create (default runs/<name>-<timestamp>)')
    .option('--backend <name>', 'TensorFlow.js backend: auto, tensorflow, wasm or cpu (sets runtime.backend)')
    .option('--workers <n>', 'data-parallel workers, 0 = one per core (sets runtime.workers)')
    .option('--resume <run>', 'continue the run directory RUN from its last checkpoint')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  let flags: Flags;
  try {
    program.parse(argv, { from: 'user' });
    flags = program.opts<Flags>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }

  // --backend and --workers are shorthands for --set, so they are validated alike
  const sets = [...(flags.set ?? [])];
  if (flags.backend !== undefined) sets.push(`runtime.backend=${flags.backend}`);
  if (flags.workers !== undefined) sets.push(`runtime.workers=${flags.workers}`);
  let experiment = config;
  if (sets.length > 0) {
    const result = applyOverrides(config, sets, origin.source);
    if (result.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(result.diagnostics, { color: process.stderr.isTTY === true })}\n`);
    if (result.config === undefined) return EXIT.invalid;
    experiment = result.config;
  }

  if (flags.dryRun === true) {
    try {
      await dryRun(experiment, { origin, sets, log: (line) => process.stdout.write(`${line}\n`) });
      return EXIT.ok;
    } catch (err) {
      return reportRunFailure(err, 'error');
    }
  }
  return launchTraining(experiment, { out: flags.out, resume: flags.resume, log: (line: string) => process.stdout.write(`${line}\n`) }, 'error');
}
