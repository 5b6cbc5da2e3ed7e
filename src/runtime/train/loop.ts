// The training loop of `r2u train`: backend, data, run folder and engine,
// then the epochs as a sequence of steps (resume.ts restores, epoch-steps.ts
// trains, validates, decides and checkpoints each epoch), and finally the
// report (curves, panels).
//
// Nothing is written to the run folder before the data has been loaded and
// validated, so a bad dataset leaves no half-made run behind.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, type BackendInfo } from '../backend.js';
import type { BackendName, ExperimentConfig } from '../../spec/config.js';
import { loadTrainingSplit, PatchSampler } from '../data/index.js';
import { createTrainEngine } from '../engine/index.js';
import { evaluateImages } from '../eval/evaluate.js';
import { infer } from '../eval/infer.js';
import { writeReport } from '../report/write.js';
import { loadCheckpoint } from '../run/checkpoint.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { assertFreshRunDir, defaultRunDir, newRunInfo, RUN_FILES, writeMetrics } from '../run/folder.js';
import { assertTrainable } from './assert-trainable.js';
import type { MonitorState } from './early-stop.js';
import type { EpochRecord } from './epoch-record.js';
import { checkpointEpoch, decide, trainEpoch, validateEpoch } from './epoch-steps.js';
import { tableHeader, tableRow } from './epoch-table.js';
import type { ProgressSink } from './progress.js';
import { loadResume, recordNewLength, restore, type Resumed } from './resume.js';
import { createRunContext, freshProgress, type RunContext, type RunProgress } from './run-context.js';
import { withSeededRandom } from './seeded-init.js';

export interface TrainOptions {
  /** run folder (default `runs/<name>-<timestamp>`) */
  out?: string;
  /** run folder to continue from its last checkpoint */
  resume?: string;
  /** overrides `runtime.backend` */
  backend?: BackendName;
  /** overrides `runtime.workers` */
  workers?: number;
  /** gradients on worker threads even with one worker (ensemble members trained side by side) */
  offThread?: boolean;
  /** progress messages and the epoch table (default: stdout) */
  log?: (line: string) => void;
  /** live progress on stderr (default: when stderr is a terminal; otherwise plain lines) */
  progress?: boolean;
  /** where progress goes (default process.stderr) */
  progressSink?: ProgressSink;
  /** aborting stops training after the current step; finished epochs stay checkpointed */
  signal?: AbortSignal;
}

export interface TrainResult {
  runDir: string;
  backend: BackendInfo;
  history: EpochRecord[];
  /** epoch and value of the best monitored epoch (null without any finished epoch) */
  best: { monitor: MonitorState['monitor']; epoch: number; value: number } | null;
  /** why training ended */
  stopped: 'completed' | 'early_stop' | 'aborted';
  /** main-thread tf.memory().numTensors after each epoch of this process (leak check) */
  tensorsAfterEpoch: number[];
}

export async function trainExperiment(config: ExperimentConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const resumeDir = opts.resume;
  const resumed = resumeDir === undefined ? null : await loadResume(resumeDir, config);

  const backend = await initBackend(opts.backend ?? config.runtime.backend);
  log(`backend: ${backend.description}`);

  const { dataset, train, val, extra } = await loadTrainingSplit(config.data, {
    seed: config.seed,
    log,
    // a resumed run reads the same files and statistics, whatever the current directory
    ...(resumed === null ? {} : { stats: resumed.checkpoint.preprocess, baseDir: resumed.info.cwd }),
  });
  assertTrainable(config, { train, val });
  log(`split: ${train.length} training${extra > 0 ? ` (${extra} of them ${config.data.extra_training?.kind})` : ''}, ${val.length} validation images`);
  const sampler = new PatchSampler(train, config.data.patches, config.data.augment, config.seed, { extra });

  const runDir = resumeDir ?? opts.out ?? defaultRunDir(config.name);
  if (resumed === null) await startRunDir(runDir, config, backend, dataset.preprocessor.stats);
  else await recordNewLength(runDir, resumed.epochsBefore, config, log);
  log(`run: ${runDir}`);

  const engine = await withSeededRandom(config.seed, () =>
    createTrainEngine({ config, inputChannels: dataset.channels, workers: opts.workers ?? config.runtime.workers, backend: backend.name, offThread: opts.offThread }),
  );
  log(`gradients: ${engine.layout}`);
  try {
    const sink = opts.progressSink ?? process.stderr;
    const progressBar = { sink, live: opts.progress ?? sink.isTTY === true };
    const run = createRunContext({ config, backend, engine, sampler, val, runDir, preprocess: dataset.preprocessor.stats, log, progressBar, signal: opts.signal });
    try {
      return await runEpochs(run, resumed);
    } finally {
      run.average?.dispose();
    }
  } finally {
    await engine.dispose();
  }
}

async function startRunDir(runDir: string, config: ExperimentConfig, backend: BackendInfo, preprocess: unknown): Promise<void> {
  await assertFreshRunDir(runDir);
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
  await writeJsonAtomic(join(runDir, RUN_FILES.run), newRunInfo());
  await writeJsonAtomic(join(runDir, RUN_FILES.backend), backend);
  await writeJsonAtomic(join(runDir, RUN_FILES.preprocess), preprocess);
  await writeMetrics(runDir, []);
}

/** The epochs as a sequence of steps: restore, then per epoch train, validate, decide, checkpoint; then finish. */
async function runEpochs(run: RunContext, resumed: Resumed | null): Promise<TrainResult> {
  const { config, log } = run;
  const { epochs } = config.train;
  let progress = resumed === null ? freshProgress(config) : await restore(run, resumed);
  const tensorsAfterEpoch: number[] = [];
  let stopped: TrainResult['stopped'] = 'completed';
  if (progress.finished < epochs) log(tableHeader(config.train.metrics));
  else log(`all ${epochs} epochs are already done`);
  for (let epoch = progress.finished + 1; epoch <= epochs; epoch++) {
    // with `ema`, the engine holds the average from validation on; training goes on from the trained weights
    await run.average?.leave();
    const trained = await trainEpoch(run, progress, epoch);
    if (trained.interrupted) {
      stopped = 'aborted';
      log(`interrupted during epoch ${epoch}; the last checkpoint holds epoch ${epoch - 1}`);
      break;
    }
    await run.average?.enter();
    const record = await validateEpoch(run, progress, trained);
    const decision = decide(run, progress, record);
    progress = decision.progress;
    await checkpointEpoch(run, decision);
    log(tableRow(record, config.train.metrics, decision.improved ? `* best ${progress.monitor.monitor}` : ''));
    tensorsAfterEpoch.push(tf.memory().numTensors);
    if (decision.stop) {
      stopped = 'early_stop';
      const m = progress.monitor;
      log(`early stopping: ${m.monitor} has not improved for ${m.wait} epochs (best ${m.best?.toFixed(4)} at epoch ${m.bestEpoch})`);
      break;
    }
  }
  await finish(run, progress);
  const { monitor, history } = progress;
  return {
    runDir: run.runDir,
    backend: run.backend,
    history: [...history],
    best: monitor.best === null ? null : { monitor: monitor.monitor, epoch: monitor.bestEpoch, value: monitor.best },
    stopped,
    tensorsAfterEpoch,
  };
}

/** After the last epoch: the best weights back in the engine when asked for, then the report (curves, panels). */
async function finish(run: RunContext, { monitor, history }: RunProgress): Promise<void> {
  const { config, engine, runDir, log, val, predict, inference } = run;
  if (config.train.early_stop?.restore_best && monitor.bestEpoch > 0 && monitor.bestEpoch !== history[history.length - 1]?.epoch) {
    const best = await loadCheckpoint(join(runDir, RUN_FILES.best));
    await engine.setWeights(best.weights.map((w) => w.values));
    log(`restored the weights of epoch ${monitor.bestEpoch} (best ${monitor.monitor})`);
  }
  if (history.length === 0) return;
  const panels = await evaluateImages(val.slice(0, 3), (img) => infer(img, predict, inference), config.eval, config.eval.threshold);
  await writeReport(runDir, history, { images: val.slice(0, 3), results: panels.images });
  log(`report: ${join(runDir, RUN_FILES.curvesPng)}, ${join(runDir, RUN_FILES.panels)}/`);
}
