// A sweep's family folder and how one trial is run into it, shared by
// `r2u sweep run` (locally) and `r2u worker` (from the queue):
//
//   <out>/sweep.json              the plan and each trial's state
//   <out>/trials/<alias>/         the trial's run folder (spec.json, metrics.jsonl, checkpoints/ …)
//   <out>/trials/<alias>/done.json  written atomically once the trial finished: a trial delivered twice is skipped
//   <out>/logs/<alias>.log        stdout and stderr of every attempt, appended
//   <out>/state/<alias>.json      attempts, last exit code and error, and while training its host and pid (one file per trial, so workers never share one)
//
// `exportFamily` copies the records of a family (the plan, each finished
// trial's spec, metrics, backend and machine; no checkpoints, logs or images)
// into a folder small enough to commit: `r2u compare` reads it as it reads
// the family, so families trained on different machines can be paired later.
//
// A trial is trained by `r2u train SPEC --set …` in a child process: the same
// checks and the same code path as a single run, its own log, and (under the
// queue) a training step never blocks the worker's lock renewal.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdoptionRule, SweepPlan, Trial } from '../compiler/index.js';
import { ENSEMBLE_FILES, RUN_FILES } from '../spec/run-files.js';
import type { RunInfo } from '../runtime/run/folder.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './flags.js';

/** `stopped`: recorded as running, but its process on this machine is gone (killed, say) */
export type TrialStatus = 'pending' | 'running' | 'stopped' | 'done' | 'failed' | 'invalid';

export interface TrialState {
  readonly status: TrialStatus;
  readonly attempts: number;
  /** while running: the machine and process id of its `r2u train` */
  readonly host?: string;
  readonly pid?: number;
  readonly exitCode?: number;
  /** the last line the trial wrote on stderr when it failed */
  readonly error?: string;
}

/** A trial as the family folder records it: what to run, and where. */
export interface TrialEntry {
  readonly index: number;
  readonly id: string;
  readonly alias: string;
  readonly values: Readonly<Record<string, string>>;
  readonly sets: readonly string[];
}

export interface FamilyFile {
  readonly spec: string;
  /** `--set`s given to `r2u sweep run` itself, applied before each trial's */
  readonly sets: readonly string[];
  readonly varying: readonly string[];
  /** the sweep's `adopt if …`: the rule `r2u compare` judges the family by against a baseline */
  readonly adopt?: AdoptionRule;
  readonly trials: ReadonlyArray<TrialEntry & { state: TrialState }>;
}

export const FAMILY_FILE = 'sweep.json';
/** bin/r2u.mjs of this checkout, found upwards: this code runs from src/cli/ or from the dist/ bundle */
function r2uBin(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'r2u.mjs');
    if (existsSync(bin)) return bin;
    if (dirname(dir) === dir) throw new Error(`bin/r2u.mjs not found above ${fileURLToPath(import.meta.url)}`);
  }
}

export const trialDir = (out: string, alias: string): string => join(out, 'trials', alias);
export const trialLog = (out: string, alias: string): string => join(out, 'logs', `${alias}.log`);
const stateFile = (out: string, alias: string): string => join(out, 'state', `${alias}.json`);
const doneFile = (out: string, alias: string): string => join(trialDir(out, alias), 'done.json');

export const entryOf = (t: Trial): TrialEntry => ({ index: t.index, id: t.id, alias: t.alias, values: t.values, sets: t.sets });

async function writeJson(path: string, value: unknown): Promise<void> {
  const { writeJsonAtomic } = await import('../runtime/run/atomic.js');
  await writeJsonAtomic(path, value);
}

export async function readState(out: string, alias: string): Promise<TrialState> {
  if (existsSync(doneFile(out, alias))) {
    const prior = await readFile(stateFile(out, alias), 'utf8').then((t) => JSON.parse(t) as TrialState).catch(() => ({ attempts: 1 }));
    return { status: 'done', attempts: prior.attempts, exitCode: 0 };
  }
  const state = await readFile(stateFile(out, alias), 'utf8')
    .then((t) => JSON.parse(t) as TrialState)
    .catch(() => ({ status: 'pending', attempts: 0 }) as TrialState);
  // a process on another machine (a queue's worker) cannot be asked after
  const gone = state.status === 'running' && state.pid !== undefined && state.host === hostname() && !isAlive(state.pid);
  return gone ? { ...state, status: 'stopped' } : state;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes sweep.json from the plan and the trials' current states; refuses a folder that holds another sweep. */
export async function writeFamily(out: string, spec: string, sets: readonly string[], plan: Pick<SweepPlan, 'varying' | 'adopt'> & { trials: readonly TrialEntry[] }): Promise<FamilyFile> {
  const trials = await Promise.all(plan.trials.map(async (t) => ({ ...t, state: await readState(out, t.alias) })));
  const family: FamilyFile = { spec, sets, varying: plan.varying, ...(plan.adopt && { adopt: plan.adopt }), trials };
  await writeJson(join(out, FAMILY_FILE), family);
  return family;
}

export async function readFamily(out: string): Promise<FamilyFile | undefined> {
  return readFile(join(out, FAMILY_FILE), 'utf8')
    .then((t) => JSON.parse(t) as FamilyFile)
    .catch(() => undefined);
}

/**
 * Runs one trial to its end: skipped when done, resumed from its last epoch
 * when an attempt left a checkpoint, else trained afresh. Resolves to its state.
 */
export async function runTrial(out: string, spec: string, baseSets: readonly string[], trial: TrialEntry): Promise<TrialState> {
  const prior = await readState(out, trial.alias);
  if (prior.status === 'done') return prior;
  const dir = trialDir(out, trial.alias);
  // a run with a finished epoch, or an ensemble (`train { ensemble N }`) with a member begun
  const resumable = existsSync(join(dir, RUN_FILES.spec)) && [join(dir, RUN_FILES.last), join(dir, ENSEMBLE_FILES.memberRuns)].some((p) => existsSync(p));
  // an attempt that died before its first epoch leaves a folder a fresh run refuses
  if (!resumable) await rm(dir, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  const attempts = prior.attempts + 1;
  const args = resumable ? ['train', '--resume', dir] : ['train', resolve(spec), ...[...baseSets, ...trial.sets].flatMap((s) => ['--set', s]), '--out', dir];
  // recorded once the child has a pid, so `sweep status` can tell a dead attempt from a running one
  let recorded: Promise<void> = Promise.resolve();
  const onSpawn = (pid: number) => (recorded = writeJson(stateFile(out, trial.alias), { status: 'running', attempts, host: hostname(), pid } satisfies TrialState));
  const { code, lastError } = await runLogged(args, trialLog(out, trial.alias), onSpawn);
  await recorded;
  const state: TrialState =
    code === EXIT.ok
      ? { status: 'done', attempts, exitCode: code }
      : { status: code === EXIT.invalid ? 'invalid' : 'failed', attempts, exitCode: code, error: lastError };
  await writeJson(stateFile(out, trial.alias), state);
  if (code === EXIT.ok) await writeJson(doneFile(out, trial.alias), { id: trial.id, alias: trial.alias, finished: new Date().toISOString() });
  return state;
}

/** Runs `r2u ARGS` with stdout and stderr appended to `log`; the exit code and the last line on stderr. */
function runLogged(args: readonly string[], log: string, onSpawn: (pid: number) => void): Promise<{ code: number; lastError?: string }> {
  return new Promise((done) => {
    void mkdir(dirname(log), { recursive: true }).then(() => {
      const file = createWriteStream(log, { flags: 'a' });
      file.write(`\n# ${new Date().toISOString()} r2u ${args.join(' ')}\n`);
      const child = spawn(process.execPath, [r2uBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid !== undefined) onSpawn(child.pid);
      let lastError: string | undefined;
      child.stdout.pipe(file, { end: false });
      child.stderr.on('data', (chunk: Buffer) => {
        file.write(chunk);
        const lines = chunk.toString().split('\n').map((l) => l.trim()).filter(Boolean);
        if (lines.length) lastError = lines.at(-1);
      });
      child.on('close', (code, signal) => {
        file.end(() => done({ code: code ?? (signal === 'SIGINT' ? EXIT.interrupted : EXIT.runtime), lastError: lastError ?? (signal ? `killed by ${signal}` : undefined) }));
      });
    });
  });
}

/** A path as printed to the user: relative to the current directory when inside it. */
export const shown = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

/**
 * The spec as exported records name it: relative to the root of its checkout
 * (the nearest folder holding `.git`), so that records read the same whichever
 * checkout trained the family and whichever exported it; else as shown.
 */
function recordedSpec(spec: string): string {
  if (!isAbsolute(spec)) return spec;
  for (let dir = dirname(spec); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return relative(dir, spec).split(sep).join('/');
    if (dirname(dir) === dir) return shown(spec);
  }
}

/**
 * A finished trial's files an export keeps, beside done.json: what `r2u
 * compare` reads, and what names the backend. A trial that is an ensemble
 * (`train { ensemble N }`) adds its manifest and validation record, each
 * member's spec, and each member run's records.
 */
const RECORDED = [RUN_FILES.spec, RUN_FILES.metrics, RUN_FILES.backend, ENSEMBLE_FILES.manifest, ENSEMBLE_FILES.validation] as const;
const MEMBER_RECORDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  [ENSEMBLE_FILES.members, [RUN_FILES.spec]],
  [ENSEMBLE_FILES.memberRuns, [RUN_FILES.spec, RUN_FILES.metrics, RUN_FILES.backend]],
];

/** The recorded files of the trial folder `from` that exist, relative to it. */
async function recordedFiles(from: string): Promise<string[]> {
  const files: string[] = [...RECORDED];
  for (const [folder, names] of MEMBER_RECORDS) {
    for (const member of await readdir(join(from, folder)).catch(() => [] as string[])) files.push(...names.map((n) => join(folder, member, n)));
  }
  return files.filter((f) => existsSync(join(from, f)));
}

/**
 * Copies the family at `out` into `dest` as records (see the header); a
 * later export of the same family refreshes it. Refuses a `dest` that holds
 * another family. Resolves to the number of finished trials copied.
 */
export async function exportFamily(out: string, dest: string): Promise<{ finished: number; trials: number }> {
  const family = await readFamily(out);
  if (!family) throw new UsageError(`${out} holds no ${FAMILY_FILE}: not a sweep folder`);
  const prior = await readFamily(dest);
  const ids = (f: FamilyFile) => f.trials.map((t) => t.id).join(' ');
  if (prior && ids(prior) !== ids(family)) throw new UsageError(`${dest} holds the records of another sweep (other trials); export into a new folder`);
  let finished = 0;
  for (const t of family.trials) {
    if (!existsSync(doneFile(out, t.alias))) continue;
    const [from, to] = [trialDir(out, t.alias), trialDir(dest, t.alias)];
    await mkdir(to, { recursive: true });
    for (const file of await recordedFiles(from)) {
      await mkdir(dirname(join(to, file)), { recursive: true });
      await copyFile(join(from, file), join(to, file));
    }
    // the run's working directory names a folder on the machine that trained; the machine, the sources and the date are kept
    const info = await readFile(join(from, RUN_FILES.run), 'utf8').then((text) => JSON.parse(text) as Partial<RunInfo>).catch(() => ({}) as Partial<RunInfo>);
    await writeJson(join(to, RUN_FILES.run), { created: info.created, machine: info.machine ?? null, ...(info.source === undefined ? {} : { source: info.source }) });
    await writeJson(doneFile(dest, t.alias), JSON.parse(await readFile(doneFile(out, t.alias), 'utf8')));
    const state = await readFile(stateFile(out, t.alias), 'utf8').catch(() => undefined);
    if (state !== undefined) await writeJson(stateFile(dest, t.alias), JSON.parse(state));
    finished++;
  }
  await writeJson(join(dest, FAMILY_FILE), { ...family, spec: recordedSpec(family.spec), trials: family.trials.map((t) => ({ ...t, state: existsSync(doneFile(out, t.alias)) ? t.state : { status: 'pending', attempts: 0 } })) });
  return { finished, trials: family.trials.length };
}
