// The steps of one epoch, in the order the loop runs them: train on the
// epoch's patches, validate, decide (best epoch, schedule, early stop), and
// checkpoint. Each takes the run and what the step before it made.
import { join } from 'node:path';
import { DivergedError } from '../run/errors.js';
import { saveCheckpoint, type TrainState } from '../run/checkpoint.js';
import { RUN_FILES, writeMetrics } from '../run/folder.js';
import { evaluateImages } from '../eval/evaluate.js';
import { infer } from '../eval/infer.js';
import { writeReport } from '../report/write.js';
import { updateMonitor } from './early-stop.js';
import { validationFigures, type EpochRecord } from './epoch-record.js';
import { EpochProgress } from './progress.js';
import type { RunContext, RunProgress } from './run-context.js';

export interface TrainedEpoch {
  readonly epoch: number;
  /** mean loss over the epoch's steps */
  readonly loss: number;
  /** the rate the epoch started with */
  readonly lr: number;
  /** performance.now() when the epoch began */
  readonly startedAt: number;
  /** the signal stopped the epoch before its end: it is not validated or checkpointed */
  readonly interrupted: boolean;
}

/** One pass of optimisation steps over the epoch's patches; a non-finite loss stops the run as diverged. */
export async function trainEpoch(run: RunContext, progress: RunProgress, epoch: number): Promise<TrainedEpoch> {
  const startedAt = performance.now();
  const lr = run.rate.at(epoch, 0);
  const bar = new EpochProgress(run.progressBar.sink, epoch, run.config.train.epochs, run.stepsPerEpoch, run.progressBar.live);
  let step = 0;
  let patches = 0;
  let lossSum = 0;
  let lastLr = Number.NaN;
  for await (const b of run.sampler.batches(epoch, run.config.train.batch)) {
    const stepLr = run.rate.at(epoch, step);
    if (stepLr !== lastLr) run.engine.setLearningRate((lastLr = stepLr));
    const loss = await run.engine.step(b.x, b.y, b.n, b.h, b.w);
    run.average?.update();
    if (!Number.isFinite(loss)) {
      bar.done();
      throw await diverged(run, progress, epoch, `the loss is ${loss} at epoch ${epoch}, step ${step + 1}`);
    }
    step++;
    patches += b.n;
    lossSum += loss;
    bar.update(step, patches, lossSum / step);
    if (run.signal?.aborted) break;
  }
  bar.done();
  return { epoch, loss: lossSum / Math.max(1, step), lr, startedAt, interrupted: run.signal?.aborted === true };
}

/** Scores the validation images with the engine's weights (the average, with `ema`); NaN predictions count as divergence. */
export async function validateEpoch(run: RunContext, progress: RunProgress, trained: TrainedEpoch): Promise<EpochRecord> {
  const { config, val, predict, inference, valLoss } = run;
  const evaluation = await evaluateImages(val, (img) => infer(img, predict, inference), config.eval, config.eval.threshold, valLoss).catch(async (err: unknown) => {
    if (!(err instanceof DivergedError)) throw err;
    throw await diverged(run, progress, trained.epoch, `after epoch ${trained.epoch}, ${err.message}`);
  });
  const { val_images, ...figures } = validationFigures(evaluation);
  // in the order metrics.jsonl has always written them
  return { epoch: trained.epoch, loss: trained.loss, ...figures, lr: trained.lr, time_s: (performance.now() - trained.startedAt) / 1000, val_images };
}

export interface Decision {
  /** the progress including this epoch */
  readonly progress: RunProgress;
  /** this epoch is the best so far: it becomes the `best` checkpoint */
  readonly improved: boolean;
  /** early stopping's patience has run out */
  readonly stop: boolean;
}

/** Folds a validated epoch into the monitor and the schedule (a plateau may lower the rate of the next epoch). */
export function decide(run: RunContext, progress: RunProgress, record: EpochRecord): Decision {
  const update = updateMonitor(progress.monitor, record, run.config.train.early_stop?.patience ?? null);
  run.rate.afterEpoch(record);
  return { progress: { finished: record.epoch, monitor: update.state, history: [...progress.history, record] }, improved: update.improved, stop: update.stop };
}

/** Saves the `last` checkpoint (and `best`, when the epoch improved) and metrics.jsonl. */
export async function checkpointEpoch(run: RunContext, decision: Decision): Promise<void> {
  const { config, engine, runDir } = run;
  const { finished: epoch, monitor, history } = decision.progress;
  // what a resume needs to continue exactly here
  const state: TrainState = {
    epoch,
    monitor,
    lr: run.rate.at(epoch, run.stepsPerEpoch),
    schedule: run.rate.state(),
    rng: { seed: config.seed, next_epoch: epoch + 1 },
  };
  // getWeights also brings engine.model (what the checkpoint saves) up to date
  await engine.getWeights();
  const checkpoint = {
    model: engine.model,
    optimizer: await engine.getOptimizerState(),
    average: run.average?.state() ?? null,
    state,
    spec: config,
    preprocess: run.preprocess,
  };
  if (decision.improved) await saveCheckpoint(join(runDir, RUN_FILES.best), checkpoint);
  await saveCheckpoint(join(runDir, RUN_FILES.last), checkpoint);
  await writeMetrics(runDir, history);
}

/** The error of a diverged run, once the curves of its finished epochs are written. */
async function diverged(run: RunContext, progress: RunProgress, epoch: number, what: string): Promise<DivergedError> {
  await writeReport(run.runDir, progress.history, null);
  const lastGood =
    epoch > 1 ? `the last good checkpoint (epoch ${epoch - 1}) is in ${join(run.runDir, RUN_FILES.last)}` : 'no epoch finished, so there is no checkpoint';
  return new DivergedError(`training diverged: ${what}; ${lastGood}. Try a lower train.optimizer.lr or train.clip_grad.`);
}
