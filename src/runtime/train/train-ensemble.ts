// Training an experiment that states `ensemble N`: N members, each a whole
// run of the experiment with its own seed, then the run folder becomes an
// ensemble folder (run/ensemble.ts) scored on the validation images the
// members share. On a CPU the members train side by side, one core each, in
// batches of as many as there are cores (`memberBatches`); on a GPU or one
// core, one after another. The run folder:
//
//   <run>/spec.json, run.json   the experiment as stated (with its `ensemble N`)
//   <run>/member-runs/<i>/      member i's run folder (metrics, checkpoints, report)
//   <run>/members/<i>/          member i's model (its kept checkpoint), copied once it has finished
//   <run>/ensemble.json, preprocess.json, validation.json   once every member has
//
// A member's copy in members/<i>/ is what marks it finished, so `--resume`
// skips finished members, continues the one that was interrupted and trains
// the rest; a resume that changes train.epochs lengthens (or shortens) the
// finished members too, as it does a single run.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensembleSize, type ExperimentConfig } from '../../spec/config.js';
import { ENSEMBLE_FILES } from '../../spec/run-files.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { copyMember, memberFolder, readMember, writeManifest, type Member } from '../run/ensemble.js';
import { RunError } from '../run/errors.js';
import { assertFreshRunDir, defaultRunDir, exists, newRunInfo, readSpec, RUN_FILES } from '../run/folder.js';
import { MODEL_JSON } from '../run/model-io.js';
import { initBackend } from '../backend.js';
import { trainingThreads } from '../engine/index.js';
import { validateEnsemble } from './ensemble-validation.js';
import type { ValidationFigures } from './epoch-record.js';
import { trainExperiment, type TrainOptions, type TrainResult } from './loop.js';
import { assertSameExperiment, recordNewLength } from './resume.js';


/**
 * Each member's experiment: the stated one with seed `seed + i` and without
 * `ensemble`; a ratio or k-fold split keeps the experiment's seed as its own,
 * so every member validates on the same images.
 */
export function memberConfigs(config: ExperimentConfig): ExperimentConfig[] {
  const { ensemble: _, ...train } = config.train;
  const split = config.data.split.kind === 'list' ? config.data.split : { ...config.data.split, seed: config.data.split.seed ?? config.seed };
  return Array.from({ length: ensembleSize(config) }, (_, i) => ({ ...config, seed: config.seed + i, data: { ...config.data, split }, train }));
}

export interface EnsembleTrainResult {
  readonly runDir: string;
  readonly stopped: 'completed' | 'aborted';
  /** each member reached in this call, in member order (a finished member skipped on resume has none) */
  readonly members: ReadonlyArray<{ readonly seed: number; readonly result: TrainResult | null }>;
  /** the ensemble scored on the shared validation images as training scores an epoch, once every member has finished */
  readonly validation: ValidationFigures | null;
}

/** Whether member `config` has its copy, from a run trained to the length it asks for. */
async function finishedAs(copy: string, run: string, config: ExperimentConfig): Promise<boolean> {
  return (await exists(join(copy, MODEL_JSON))) && (await readSpec(run)).train.epochs === config.train.epochs;
}

export async function trainEnsemble(config: ExperimentConfig, opts: TrainOptions = {}): Promise<EnsembleTrainResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const configs = memberConfigs(config);
  if (configs.length < 2) throw new RunError(`train.ensemble ${configs.length}: an ensemble trains at least 2 members`);
  const runDir = opts.resume ?? opts.out ?? defaultRunDir(config.name);
  const created = opts.resume === undefined;
  if (created) {
    await assertFreshRunDir(runDir);
    await mkdir(runDir, { recursive: true });
    await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
    await writeJsonAtomic(join(runDir, RUN_FILES.run), newRunInfo());
  } else {
    const saved = await readSpec(runDir);
    assertSameExperiment(runDir, saved, config);
    await recordNewLength(runDir, saved.train.epochs, config, log, 'every member trains to the new length');
  }

  // CPU cores are shared out between members; a GPU (one thread) trains one at a time
  const threads = trainingThreads(await initBackend(opts.backend ?? config.runtime.backend), opts.workers ?? config.runtime.workers);
  const pending: number[] = [];
  const members: Array<Member | undefined> = [];
  // by member index: batches and skipped members fill it out of order
  const trained: Array<{ seed: number; result: TrainResult | null }> = [];
  const reached = () => trained.filter((t) => t !== undefined);
  for (const [i, member] of configs.entries()) {
    if (await finishedAs(join(runDir, memberFolder(i)), memberRunDir(runDir, i), member)) {
      log(`member ${i + 1} of ${configs.length}: seed ${member.seed}: finished before`);
      members[i] = await readMember(memberRunDir(runDir, i));
      trained[i] = { seed: member.seed, result: null };
    } else pending.push(i);
  }
  for (const batch of memberBatches(pending.length, threads)) {
    const indices = pending.splice(0, batch.members);
    const seeds = indices.map((i) => configs[i].seed);
    log(
      indices.length === 1
        ? `member ${indices[0] + 1} of ${configs.length}: seed ${seeds[0]}`
        : `members ${indices.map((i) => i + 1).join(', ')} of ${configs.length} side by side, ${batch.workers} core${batch.workers === 1 ? '' : 's'} each: seeds ${seeds.join(', ')}`,
    );
    let results: TrainResult[];
    try {
      results = await trainBatch(indices, opts.signal, (i, signal, sideBySide) =>
        trainMember(runDir, i, configs[i], {
          ...opts,
          signal,
          workers: batch.workers,
          ...(sideBySide ? memberOutput(i, opts, log) : {}),
          offThread: sideBySide,
        }),
      );
    } catch (err) {
      // members that could not start (a bad dataset) leave no half-made run behind
      if (created && !(await exists(join(runDir, ENSEMBLE_FILES.memberRuns)))) await rm(runDir, { recursive: true, force: true });
      throw err;
    }
    indices.forEach((i, k) => (trained[i] = { seed: configs[i].seed, result: results[k] }));
    if (results.some((r) => r.stopped === 'aborted')) return { runDir, stopped: 'aborted', members: reached(), validation: null };
    for (const [k, i] of indices.entries()) {
      const dir = memberRunDir(runDir, i);
      if (results[k].best === null) throw new RunError(`${dir}: member ${i + 1} finished without a scored epoch, so it has no best checkpoint`);
      const finished = await readMember(dir);
      await copyMember(finished, runDir, i);
      members[i] = finished;
    }
  }
  await writeManifest(runDir, members as Member[], config);
  log(`ensemble: ${members.length} members in ${runDir}; scoring it on the validation images they share`);
  const validation = await validateEnsemble(runDir, { backend: opts.backend, log });
  return { runDir, stopped: 'completed', members: reached(), validation };
}

const memberRunDir = (runDir: string, i: number) => join(runDir, ENSEMBLE_FILES.memberRuns, String(i));

/**
 * How `pending` members share `threads` cores: batches trained side by side,
 * each member of a batch with `workers` data-parallel workers. Members side by
 * side, one core each, train faster than one after another on all cores (on a
 * 2-core Zen 3: 101–112 patches/s together against 78–95 for two workers):
 * they never wait for each other, and each step's serial part overlaps the
 * other's gradients. So a batch holds as many members as there are cores, and
 * a last, smaller batch spreads the cores over its members.
 */
export function memberBatches(pending: number, threads: number): Array<{ members: number; workers: number }> {
  const batches: Array<{ members: number; workers: number }> = [];
  for (let left = pending; left > 0; ) {
    const members = Math.min(left, Math.max(1, threads));
    batches.push({ members, workers: Math.max(1, Math.floor(threads / members)) });
    left -= members;
  }
  return batches;
}

/**
 * Trains the batch's members together. A member that fails stops the others
 * (after their current step), and its error is the batch's.
 */
async function trainBatch(
  indices: readonly number[],
  outer: AbortSignal | undefined,
  train: (i: number, signal: AbortSignal, sideBySide: boolean) => Promise<TrainResult>,
): Promise<TrainResult[]> {
  const stop = new AbortController();
  if (outer?.aborted) stop.abort();
  outer?.addEventListener('abort', () => stop.abort(), { once: true });
  const settled = await Promise.allSettled(
    indices.map((i) =>
      train(i, stop.signal, indices.length > 1).catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
    ),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<TrainResult>).value);
}

/** One member's run: fresh, or continued from its last checkpoint. */
async function trainMember(runDir: string, i: number, member: ExperimentConfig, opts: TrainOptions): Promise<TrainResult> {
  const dir = memberRunDir(runDir, i);
  const begun = await exists(join(dir, RUN_FILES.last, MODEL_JSON));
  // a member that died before its first epoch leaves a folder a fresh run refuses
  if (!begun) await rm(dir, { recursive: true, force: true });
  return trainExperiment(member, { ...opts, out: begun ? undefined : dir, resume: begun ? dir : undefined });
}

/** A side-by-side member's lines, each named by its member, and its progress as plain lines. */
function memberOutput(i: number, opts: TrainOptions, log: (line: string) => void): Pick<TrainOptions, 'log' | 'progress' | 'progressSink'> {
  const tag = `[member ${i + 1}] `;
  const tagged = (text: string) => text.replace(/^(?=.)/gm, tag);
  const sink = opts.progressSink ?? process.stderr;
  return { log: (line) => log(tagged(line)), progress: false, progressSink: { write: (text: string) => sink.write(tagged(text)) } };
}
