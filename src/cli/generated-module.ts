// The entry helper of generated modules (generated/<spec>.ts): their command
// line is `r2u train`'s (see train-command.ts), with the compiled experiment in
// place of a spec file. User mistakes end with a message and an exit code from
// exit-codes.ts, never a stack trace.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { ExperimentConfig } from '../spec/config.js';
import { contentHash } from '../spec/content-hash.js';
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

/** A trial of a family module (a spec with a sweep): the compiled experiment with `changes`, by dotted path. */
export interface FamilyTrial {
  /** the first 12 hex digits of the trial's content hash, as `r2u sweep plan` shows it */
  readonly id: string;
  readonly alias: string;
  readonly changes: Readonly<Record<string, unknown>>;
}

/** The trial's experiment: `base` with its changes, checked against its id. */
export function trialConfig(base: ExperimentConfig, trial: FamilyTrial): ExperimentConfig {
  const config = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(trial.changes)) {
    const keys = path.split('.');
    let node = config;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = structuredClone(value);
  }
  const hash = contentHash(config);
  // a module edited by hand (or a generator bug) must not train something else under the trial's name
  if (!hash.startsWith(`sha256:${trial.id}`)) throw new Error(`trial ${trial.alias}: its changes give ${hash}, not the id ${trial.id}`);
  return config as unknown as ExperimentConfig;
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

/** Runs a generated module's command line; resolves to the process exit code. With `trials` (a family module), `--list` and `--trial`. */
export async function runGenerated(config: ExperimentConfig, argv: string[], origin: ModuleOrigin, trials?: readonly FamilyTrial[]): Promise<number> {
  const program = addTrainOptions(
    new Command(origin.source.replace(/^.*\//, '').replace(/\.r2u$/, '')).description(`Train the experiment compiled from ${origin.source}${trials ? ', or one trial of its sweep' : ''}`),
  )
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  if (trials) program.option('--trial <id-or-alias>', 'train this trial of the sweep instead of the base experiment').option('--list', "print the sweep's trials and exit");
  let flags: TrainFlags & { trial?: string; list?: boolean };
  try {
    program.parse(argv, { from: 'user' });
    flags = program.opts<TrainFlags & { trial?: string; list?: boolean }>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  try {
    if (trials && flags.list) {
      for (const t of trials) process.stdout.write(`${t.id}  ${t.alias}\n`);
      return EXIT.ok;
    }
    let experiment = config;
    let hash = origin.hash;
    if (trials && flags.trial !== undefined) {
      const trial = trials.find((t) => t.id === flags.trial || t.alias === flags.trial);
      if (!trial) throw new UsageError(`no trial '${flags.trial}' in the sweep of ${origin.source} (--list shows the ${trials.length})`);
      experiment = trialConfig(config, trial);
      hash = contentHash(experiment);
    } else if (trials && flags.resume === undefined) {
      process.stderr.write(`warning: ${origin.source} states a sweep of ${trials.length} trials; this trains its base experiment only (--trial ID trains one trial, r2u sweep run ${origin.source} all of them)\n`);
    }
    return await trainCommand({ kind: 'module', config: experiment, origin: { source: origin.source, hash } }, flags, 'error');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
}
