// The training loop of `r2u train`: backend, data, engine, then per epoch
// training steps, validation through the evaluation code path, checkpoints,
// early stopping; finally the report (curves, panels).
//
// Nothing is written to the run folder before the data has been loaded and
// validated, so a bad dataset leaves no half-made run behind.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend, type BackendInfo } from '../backend.js';
import type { BackendName, ExperimentConfig } from '../../spec/config.js';
import { DataError, loadDataset, PatchSampler, splitImages, type FundusImage } from '../data/index.js';
import { createTrainEngine, type TrainEngine } from '../engine/index.js';
import { evaluateImages, type MapLoss } from '../eval/evaluate.js';
import { inferenceSettings, maxTensorBytes } from '../eval/infer.js';
import { writeReport } from '../report/write.js';
import { loadCheckpoint, saveCheckpoint, type TrainState } from '../run/checkpoint.js';
import { DivergedError, RunError } from '../run/errors.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { assertFreshRunDir, defaultRunDir, readJson, readMetrics, readSpec, RUN_FILES, writeMetrics, type RunInfo } from '../run/folder.js';
import { initialMonitorState, lowerIsBetter, updateMonitor, type MonitorState } from './early-stop.js';
import type { EpochRecord } from './epoch-record.js';
import { tableHeader, tableRow } from './epoch-table.js';
import { makeLoss } from './losses.js';
import { EpochProgress, type ProgressSink } from './progress.js';
import { learningRate, PlateauSchedule } from './schedule.js';
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

/** The monitor that picks the best checkpoint: early stopping's, else the validation loss. */
const monitorOf = (c: ExperimentConfig) => c.train.early_stop?.monitor ?? 'val_loss';

export async function trainExperiment(config: ExperimentConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const resumeDir = opts.resume;
  const resumed = resumeDir === undefined ? null : await loadResume(resumeDir, config);

  const backend = await initBackend(opts.backend ?? config.runtime.backend);
  log(`backend: ${backend.description}`);

  const dataset = await loadDataset(config.data, {
    seed: config.seed,
    log,
    // a resumed run reads the same files and statistics, whatever the current directory
    ...(resumed === null ? {} : { stats: resumed.checkpoint.preprocess, baseDir: resumed.info.cwd }),
  });
  const { train, val } = splitImages(dataset.images, config.data.split, config.seed);
  checkImages(config, train, val);
  log(`split: ${train.length} training, ${val.length} validation images`);
  const sampler = new PatchSampler(train, config.data.patches, config.data.augment, config.seed);

  const runDir = resumeDir ?? opts.out ?? defaultRunDir(config.name);
  if (resumed === null) await startRunDir(runDir, config, backend, dataset.preprocessor.stats);
  else if (resumed.epochsBefore !== config.train.epochs) {
    await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
    const recomputed = config.train.schedule.kind === 'cosine' ? '; the cosine schedule is recomputed for the new length, so the rate jumps' : '';
    log(`train.epochs: ${resumed.epochsBefore} -> ${config.train.epochs} (spec.json updated${recomputed})`);
  }
  log(`run: ${runDir}`);

  const engine = await withSeededRandom(config.seed, () =>
    createTrainEngine({ config, inputChannels: dataset.channels, workers: opts.workers ?? config.runtime.workers, backend: backend.name }),
  );
  log(`gradients: ${engine.layout}`);
  try {
    return await runEpochs({ config, opts, log, engine, sampler, val, runDir, backend, resumed, preprocess: dataset.preprocessor.stats });
  } finally {
    await engine.dispose();
  }
}

interface Resumed {
  checkpoint: Awaited<ReturnType<typeof loadCheckpoint>>;
  history: EpochRecord[];
  info: RunInfo;
  /** train.epochs of the run's spec.json (a resume may lengthen or shorten the run) */
  epochsBefore: number;
}

/** Loads the last checkpoint of a run; the experiment must be the one the run was started with. */
async function loadResume(dir: string, config: ExperimentConfig): Promise<Resumed> {
  const spec = await readSpec(dir);
  if (JSON.stringify(resumable(spec)) !== JSON.stringify(resumable(config))) {
    throw new RunError(
      `${dir}: the experiment differs from the run's spec.json; resume with the same spec (only train.epochs and runtime settings may change)`,
    );
  }
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

/** what a resume must not change: everything but the runtime settings and the number of epochs */
const resumable = (c: ExperimentConfig) => ({ ...c, runtime: undefined, train: { ...c.train, epochs: undefined } });

function checkImages(config: ExperimentConfig, train: FundusImage[], val: FundusImage[]): void {
  const [ph, pw] = config.data.patches.size;
  for (const img of [...train, ...val]) {
    if (img.label === null) throw new DataError(`image ${img.id} has no vessel label; training and validation need labels`, img.sourcePath);
    if (img.height < ph || img.width < pw) {
      throw new DataError(`patches of ${ph}x${pw} do not fit in image ${img.id} (${img.height}x${img.width} after preprocessing)`, img.sourcePath);
    }
  }
  if (val.length === 0) throw new DataError('the split leaves no validation image');
}

async function startRunDir(runDir: string, config: ExperimentConfig, backend: BackendInfo, preprocess: unknown): Promise<void> {
  await assertFreshRunDir(runDir);
  await mkdir(runDir, { recursive: true });
  const info: RunInfo = { cwd: resolve('.'), created: new Date().toISOString() };
  await writeJsonAtomic(join(runDir, RUN_FILES.spec), config);
  await writeJsonAtomic(join(runDir, RUN_FILES.run), info);
  await writeJsonAtomic(join(runDir, RUN_FILES.backend), backend);
  await writeJsonAtomic(join(runDir, RUN_FILES.preprocess), preprocess);
  await writeMetrics(runDir, []);
}

/** Validation loss of a map: the training loss on the FOV pixels, as one batch. */
function mapLoss(config: ExperimentConfig): MapLoss {
  const loss = makeLoss(config.train.loss);
  return async (prob, label, fov) => {
    const p: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < prob.length; i++) {
      if (fov[i] === 0) continue;
      p.push(prob[i]);
      y.push(label[i]);
    }
    // read asynchronously: a GPU backend cannot read synchronously in Node
    const value = tf.tidy(() => loss(tf.tensor1d(y), tf.tensor1d(p)));
    try {
      return (await value.data())[0];
    } finally {
      value.dispose();
    }
  };
}

interface EpochContext {
  config: ExperimentConfig;
  opts: TrainOptions;
  log: (line: string) => void;
  engine: TrainEngine;
  sampler: PatchSampler;
  val: FundusImage[];
  runDir: string;
  backend: BackendInfo;
  resumed: Resumed | null;
  preprocess: Parameters<typeof saveCheckpoint>[1]['preprocess'];
}

async function runEpochs(ctx: EpochContext): Promise<TrainResult> {
  const { config, opts, log, engine, sampler, val, runDir } = ctx;
  const { epochs, batch, early_stop: early } = config.train;
  const baseLr = config.train.optimizer.lr;
  const stepsPerEpoch = Math.ceil(config.data.patches.per_epoch / batch);
  const settings = inferenceSettings(config, maxTensorBytes(engine.backend));
  const valLoss = mapLoss(config);
  const predict = engine.predict.bind(engine);
  const sink = opts.progressSink ?? process.stderr;
  const live = opts.progress ?? sink.isTTY === true;
  const schedule = config.train.schedule;
  const plateau = schedule.kind === 'plateau' ? new PlateauSchedule(schedule, baseLr, lowerIsBetter(monitorOf(config)) ? 'min' : 'max') : null;

  let monitor = initialMonitorState(monitorOf(config));
  let history: EpochRecord[] = [];
  let first = 1;
  if (ctx.resumed !== null) {
    const { checkpoint } = ctx.resumed;
    await engine.setWeights(checkpoint.weights.map((w) => w.values));
    if (checkpoint.optimizer !== null) await engine.setOptimizerState(checkpoint.optimizer);
    monitor = checkpoint.state.monitor;
    if (plateau !== null) {
      // JSON turns the initial ±Infinity best into null
      const saved = checkpoint.state.schedule as { lr: number; best: number | null; waited: number };
      plateau.setState({ ...saved, best: saved.best ?? (lowerIsBetter(monitorOf(config)) ? Infinity : -Infinity) });
    }
    history = ctx.resumed.history;
    first = checkpoint.state.epoch + 1;
    log(`resuming after epoch ${checkpoint.state.epoch} of ${epochs}`);
  }

  const lastGood = (epoch: number): string =>
    (epoch > 1 ? `the last good checkpoint (epoch ${epoch - 1}) is in ${join(runDir, RUN_FILES.last)}` : 'no epoch finished, so there is no checkpoint') +
    '. Try a lower train.optimizer.lr or train.clip_grad.';
  const tensorsAfterEpoch: number[] = [];
  let stopped: TrainResult['stopped'] = 'completed';
  if (first <= epochs) log(tableHeader(config.train.metrics));
  else log(`all ${epochs} epochs are already done`);
  for (let epoch = first; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    const lrAt = (step: number) => (plateau !== null ? plateau.lr : learningRate(schedule, baseLr, epoch - 1, step, stepsPerEpoch, epochs));
    const epochLr = lrAt(0);
    const progress = new EpochProgress(sink, epoch, epochs, stepsPerEpoch, live);
    let step = 0;
    let patches = 0;
    let lossSum = 0;
    let lastLr = Number.NaN;
    for await (const b of sampler.batches(epoch, batch)) {
      const lr = lrAt(step);
      if (lr !== lastLr) engine.setLearningRate((lastLr = lr));
      const loss = await engine.step(b.x, b.y, b.n, b.h, b.w);
      if (!Number.isFinite(loss)) {
        progress.done();
        await writeReport(runDir, history, null);
        throw new DivergedError(`training diverged: the loss is ${loss} at epoch ${epoch}, step ${step + 1}; ${lastGood(epoch)}`);
      }
      step++;
      patches += b.n;
      lossSum += loss;
      progress.update(step, patches, lossSum / step);
      if (opts.signal?.aborted) break;
    }
    progress.done();
    if (opts.signal?.aborted) {
      stopped = 'aborted';
      log(`interrupted during epoch ${epoch}; the last checkpoint holds epoch ${epoch - 1}`);
      break;
    }

    const evaluation = await evaluateImages(val, predict, settings, config.eval, config.eval.threshold, valLoss).catch(async (err: unknown) => {
      if (!(err instanceof DivergedError)) throw err;
      await writeReport(runDir, history, null);
      throw new DivergedError(`training diverged: after epoch ${epoch}, ${err.message}; ${lastGood(epoch)}`);
    });
    const m = evaluation.mean;
    const record: EpochRecord = {
      epoch,
      loss: lossSum / Math.max(1, step),
      val_loss: evaluation.meanLoss,
      val_accuracy: m.accuracy,
      val_sensitivity: m.sensitivity,
      val_specificity: m.specificity,
      val_precision: m.precision,
      val_dice: m.dice,
      val_auc: m.auc,
      lr: epochLr,
      time_s: (performance.now() - t0) / 1000,
    };
    history = [...history, record];
    const update = updateMonitor(monitor, record, early?.patience ?? null);
    monitor = update.state;
    plateau?.update(record[monitorOf(config)]);

    // state after this epoch: what a resume needs to continue exactly here
    const state: TrainState = { epoch, monitor, lr: lrAt(stepsPerEpoch), schedule: plateau?.getState() ?? null, rng: { seed: config.seed, next_epoch: epoch + 1 } };
    // getWeights also brings engine.model (what the checkpoint saves) up to date
    await engine.getWeights();
    const checkpoint = { model: engine.model, optimizer: await engine.getOptimizerState(), state, spec: config, preprocess: ctx.preprocess };
    if (update.improved) await saveCheckpoint(join(runDir, RUN_FILES.best), checkpoint);
    await saveCheckpoint(join(runDir, RUN_FILES.last), checkpoint);
    await writeMetrics(runDir, history);
    log(tableRow(record, config.train.metrics, update.improved ? `* best ${monitor.monitor}` : ''));
    tensorsAfterEpoch.push(tf.memory().numTensors);

    if (update.stop) {
      stopped = 'early_stop';
      log(`early stopping: ${monitor.monitor} has not improved for ${monitor.wait} epochs (best ${monitor.best?.toFixed(4)} at epoch ${monitor.bestEpoch})`);
      break;
    }
  }

  if (early?.restore_best && monitor.bestEpoch > 0 && monitor.bestEpoch !== history[history.length - 1]?.epoch) {
    const best = await loadCheckpoint(join(runDir, RUN_FILES.best));
    await engine.setWeights(best.weights.map((w) => w.values));
    log(`restored the weights of epoch ${monitor.bestEpoch} (best ${monitor.monitor})`);
  }

  if (history.length > 0) {
    const panels = await evaluateImages(val.slice(0, 3), predict, settings, config.eval, config.eval.threshold);
    await writeReport(runDir, history, { images: val.slice(0, 3), results: panels.images });
    log(`report: ${join(runDir, RUN_FILES.curvesPng)}, ${join(runDir, RUN_FILES.panels)}/`);
  }
  return {
    runDir,
    backend: ctx.backend,
    history,
    best: monitor.best === null ? null : { monitor: monitor.monitor, epoch: monitor.bestEpoch, value: monitor.best },
    stopped,
    tensorsAfterEpoch,
  };
}
