// The entry helper of generated modules (generated/<spec>.ts): their command
// line is `r2u train`'s (see train-command.ts), with the compiled experiment in
// place of a spec file. User mistakes end with a message and an exit code from
// exit-codes.ts, never a stack trace.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { ExperimentConfig } from '../spec/config.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './flags.js';
import { addTrainOptions, trainCommand, type TrainFlags } from './train-command.js';

/** Where a generated module came from, as its header states. */
export interface ModuleOrigin {
  /** the spec, repo-relative */
  readonly source: string;
  /** content hash of the experiment as compiled */
  readonly hash: string;
}

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

/** Runs a generated module's command line; resolves to the process exit code. */
export async function runGenerated(config: ExperimentConfig, argv: string[], origin: ModuleOrigin): Promise<number> {
  const program = addTrainOptions(
    new Command(origin.source.replace(/^.*\//, '').replace(/\.r2u$/, '')).description(`Train the experiment compiled from ${origin.source}`),
  )
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  let flags: TrainFlags;
  try {
    program.parse(argv, { from: 'user' });
    flags = program.opts<TrainFlags>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  try {
    return await trainCommand({ kind: 'module', config, origin }, flags, 'error');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
}
