// Continuing a run from its last checkpoint (`--resume`): the checks that it
// is the same experiment, and the restore of the engine, the schedule and the
// monitor, so that the resumed run goes on exactly as if it had never stopped.
import { join } from 'node:path';
import type { ExperimentConfig } from '../../spec/config.js';
import { loadCheckpoint } from '../run/checkpoint.js';
import { RunError } from '../run/errors.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { readJson, readMetrics, readSpec, RUN_FILES, type RunInfo } from '../run/folder.js';
import type { EpochRecord } from './epoch-record.js';
import type { RunContext, RunProgress } from './run-context.js';

export interface Resumed {
  checkpoint: Awaited<ReturnType<typeof loadCheckpoint>>;
  history: EpochRecord[];
  info: RunInfo;
  /** train.epochs of the run's spec.json (a resume may lengthen or shorten the run) */
  epochsBefore: number;
}

/** Loads the last checkpoint of a run; the experiment must be the one the run was started with. */
export async function loadResume(dir: string, config: ExperimentConfig): Promise<Resumed> {
  const spec = await readSpec(dir);
  assertSameExperiment(dir, spec, config);
  const checkpoint = await loadCheckpoint(join(dir, RUN_FILES.last)).catch((err: unknown) => {
    throw new RunError(`${dir}: no finished epoch to resume from (${(err as Error).message})`);
  });
  if (config.train.epochs < checkpoint.state.epoch) {
    throw new RunError(`${dir}: train.epochs ${config.train.epochs} is fewer than the ${checkpoint.state.epoch} epochs the run has finished`);
  }
  const history = (await readMetrics(dir)).filter((r) => r.epoch <= checkpoint.state.epoch);
  const info = await readJson<RunInfo>(join(dir, RUN_FILES.run), 'run information');
  return { checkpoint, history, info, epochsBefore: spec.train.epochs };
}

/** Refuses a resume of `dir` (a run or an ensemble run) with another experiment than its spec.json's. */
export function assertSameExperiment(dir: string, saved: ExperimentConfig, config: ExperimentConfig): void {
  if (!sameExperiment(saved, config)) {
    throw new RunError(`${dir}: the experiment differs from the run's spec.json; resume with the same spec (only train.epochs and runtime settings may change)`);
  }
}

/** Whether a resume continues the run's experiment: it may change the runtime settings and the number of epochs, nothing else. */
const sameExperiment = (saved: ExperimentConfig, config: ExperimentConfig): boolean => JSON.stringify(resumable(saved)) === JSON.stringify(resumable(config));
const resumable = (c: ExperimentConfig) => ({ ...c, runtime: undefined, train: { ...c.train, epochs: undefined } });

/**
 * A resume with another train.epochs: spec.json takes the new length. `consequence` says what it does to
 * the training (by default, for a single run: what happens to a cosine schedule).
 */
export async function recordNewLength(
  runDir: string,
  epochsBefore: number,
  config: ExperimentConfig,
  log: (line: string) => void,
  consequence = config.train.schedule.kind === 'cosine' ? 'the cosine schedule is recomputed for the new length, so the rate jumps' : '',
): Promise<void> {
  if (epochsBefore === config.train.epochs) return;
  await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
  log(`train.epochs: ${epochsBefore} -> ${config.train.epochs} (spec.json updated${consequence === '' ? '' : `; ${consequence}`})`);
}

/** Puts the engine and the schedule back where the checkpoint left them; returns the progress to continue from. */
export async function restore(run: RunContext, resumed: Resumed): Promise<RunProgress> {
  const { checkpoint } = resumed;
  const weights = checkpoint.weights.map((w) => w.values);
  await run.engine.setWeights(weights);
  if (checkpoint.optimizer !== null) await run.engine.setOptimizerState(checkpoint.optimizer);
  if (run.average !== null) {
    // the checkpoint's model is the average; training goes on from the trained weights saved beside it
    if (checkpoint.average === null) throw new RunError(`${run.runDir}: the last checkpoint has no trained weights beside its average (average.json)`);
    run.average.restore(weights, checkpoint.average);
  }
  run.rate.restore(checkpoint.state.schedule);
  run.log(`resuming after epoch ${checkpoint.state.epoch} of ${run.config.train.epochs}`);
  return { finished: checkpoint.state.epoch, monitor: checkpoint.state.monitor, history: resumed.history };
}
