// Sweep trials spread over machines with BullMQ on Redis. BullMQ delivers at
// least once, recovers the jobs of a worker that died (stalled jobs), retries
// with backoff and reports progress; its job-state changes are Lua scripts in
// Redis. One flow per family: a summary job (the parent) waits for every trial
// job (its children) and writes the comparison when they have all ended,
// failed ones included (ignoreDependencyOnFailure).
//
// Run folders live on a path every worker shares (`--out` on NFS or similar):
// a job carries the family folder, the spec's path and the trial's `--set`s,
// so workers need the same checkout (specs and data) at the same paths.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowProducer, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { RUN_FILES } from '../spec/run-files.js';
import { UsageError } from './flags.js';
import { compareRuns, loadRuns } from './run-comparison.js';
import { readFamily, runTrial, trialDir, writeFamily, type FamilyFile, type TrialEntry } from './sweep-family.js';

export const TRIAL_QUEUE = 'r2u-trials';
export const SUMMARY_QUEUE = 'r2u-summaries';

/** What a trial job carries. */
export interface TrialJob {
  readonly out: string;
  readonly spec: string;
  readonly sets: readonly string[];
  readonly trial: TrialEntry;
}

export interface QueueTuning {
  /** attempts of a trial that fails (not of an invalid one) */
  readonly attempts: number;
  /** first retry delay; doubled each time */
  readonly backoffMs: number;
}


/** `redis://[user:password@]HOST:PORT[/DB]` as BullMQ's connection options. */
export function connectionOf(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue must be a URL like redis://127.0.0.1:6379, not '${url}'`);
  }
  if (u.protocol !== 'redis:') throw new UsageError(`--queue must be a redis:// URL, not '${url}'`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UsageError(`--queue: the database in '${url}' must be a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: db ? Number(db) : 0,
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    // BullMQ's workers block on Redis; they must not give up on a slow reply
    maxRetriesPerRequest: null,
  };
}

/** A family's jobs are named by the family folder and the trial id: enqueueing twice adds nothing. */
const familyKey = (out: string): string => createHash('sha256').update(out).digest('hex').slice(0, 12);
export const trialJobId = (out: string, trialId: string): string => `${familyKey(out)}-${trialId}`;
const summaryJobId = (out: string): string => `${familyKey(out)}-summary`;

/** Enqueues the family's trials under one summary job; resolves to the number of trials added. */
export async function enqueueFamily(url: string, out: string, family: Pick<FamilyFile, 'spec' | 'sets' | 'varying'> & { trials: readonly TrialEntry[] }, retryFailed: boolean, tuning: QueueTuning): Promise<number> {
  const connection = connectionOf(url);
  const trials = new Queue<TrialJob>(TRIAL_QUEUE, { connection });
  const summaries = new Queue(SUMMARY_QUEUE, { connection });
  const flows = new FlowProducer({ connection });
  try {
    if (await summaries.getJob(summaryJobId(out))) {
      // the family is already queued: only failed trials may be sent again
      if (!retryFailed) return 0;
      let retried = 0;
      for (const t of family.trials) {
        const job = await trials.getJob(trialJobId(out, t.id));
        if (job && (await job.isFailed())) {
          await job.retry();
          retried++;
        }
      }
      return retried;
    }
    await flows.add({
      name: 'summary',
      queueName: SUMMARY_QUEUE,
      data: { out },
      opts: { jobId: summaryJobId(out) },
      children: family.trials.map((trial) => ({
        name: trial.alias,
        queueName: TRIAL_QUEUE,
        data: { out, spec: family.spec, sets: family.sets, trial } satisfies TrialJob,
        opts: { jobId: trialJobId(out, trial.id), attempts: tuning.attempts, backoff: { type: 'exponential', delay: tuning.backoffMs }, ignoreDependencyOnFailure: true },
      })),
    });
    return family.trials.length;
  } finally {
    await Promise.all([trials.close(), summaries.close(), flows.close()]);
  }
}

export interface WorkerOptions {
  readonly concurrency: number;
  /** how long a job's lock lasts without renewal: a dead worker's trial is taken over after about this long */
  readonly lockMs: number;
  readonly log: (line: string) => void;
}

/**
 * Takes trials (and families' summaries) from the queue until `signal` aborts.
 * Each trial trains in a child process, so a training step never blocks BullMQ's lock renewal.
 */
export async function runWorker(url: string, opts: WorkerOptions, signal: AbortSignal): Promise<void> {
  const connection = connectionOf(url);
  const trials = new Worker<TrialJob>(TRIAL_QUEUE, (job) => processTrial(job, opts.log), {
    connection,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
  });
  const summaries = new Worker<{ out: string }>(SUMMARY_QUEUE, (job) => writeSummary(job.data.out, opts.log), { connection });
  trials.on('failed', (job, err) => job && opts.log(`trial ${job.data.trial.alias}: attempt ${job.attemptsMade} failed: ${err.message}`));
  await Promise.all([trials.waitUntilReady(), summaries.waitUntilReady()]);
  opts.log(`worker ready on ${url} (concurrency ${opts.concurrency})`);
  await new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }));
  await Promise.all([trials.close(), summaries.close()]);
}

async function processTrial(job: Job<TrialJob>, log: (line: string) => void): Promise<{ alias: string; status: string }> {
  const { out, spec, sets, trial } = job.data;
  log(`trial ${trial.alias}: training (attempt ${job.attemptsMade + 1})`);
  await job.updateProgress({ status: 'running', epoch: 0 });
  // progress per finished epoch, from the run folder's metrics
  const metrics = join(trialDir(out, trial.alias), RUN_FILES.metrics);
  const timer = setInterval(() => {
    void readFile(metrics, 'utf8')
      .then((t) => job.updateProgress({ status: 'running', epoch: t.split('\n').filter((l) => l.trim()).length }))
      .catch(() => undefined);
  }, 1000);
  try {
    const state = await runTrial(out, spec, sets, trial);
    log(`trial ${trial.alias}: ${state.status}${state.error ? ` (${state.error})` : ''}`);
    if (state.status === 'invalid') throw new UnrecoverableError(`invalid trial: ${state.error ?? `exit ${state.exitCode}`}`);
    if (state.status !== 'done') throw new Error(state.error ?? `exit ${state.exitCode}`);
    return { alias: trial.alias, status: state.status };
  } finally {
    clearInterval(timer);
  }
}

/** The flow's parent: when every trial has ended, refreshes sweep.json and writes comparison.json. */
async function writeSummary(out: string, log: (line: string) => void): Promise<void> {
  const family = await readFamily(out);
  if (!family) throw new Error(`${out}: sweep.json not found`);
  const refreshed = await writeFamily(out, family.spec, family.sets, family);
  const finished = refreshed.trials.filter((t) => t.state.status === 'done').length;
  const { writeJsonAtomic } = await import('../runtime/run/atomic.js');
  const comparison = finished ? compareRuns(await loadRuns([out])) : null;
  await writeJsonAtomic(join(out, 'comparison.json'), { finished, failed: refreshed.trials.length - finished, comparison });
  log(`summary of ${out}: ${finished} of ${refreshed.trials.length} trials finished`);
}

/** Each trial's state as the queue knows it (with the epoch its progress reports), by trial id. */
export async function queueProgress(url: string, out: string, family: FamilyFile): Promise<Map<string, string>> {
  const queue = new Queue<TrialJob>(TRIAL_QUEUE, { connection: connectionOf(url) });
  try {
    const states = new Map<string, string>();
    for (const t of family.trials) {
      const job = await queue.getJob(trialJobId(out, t.id));
      if (!job) continue;
      const progress = job.progress as { epoch?: number } | number;
      const epoch = typeof progress === 'object' && progress.epoch ? ` epoch ${progress.epoch}` : '';
      states.set(t.id, `${await job.getState()}${epoch}${job.attemptsMade ? ` (attempts ${job.attemptsMade})` : ''}`);
    }
    return states;
  } finally {
    await queue.close();
  }
}
