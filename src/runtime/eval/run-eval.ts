// `r2u eval <run> [--split val|test] [--dataset …]`: scores a run's checkpoint
// on its validation split (reproduced from the spec and seed), on the held-out
// test subset, or on any labelled dataset r2u can load (cross-dataset), at
// `eval.threshold` and at the threshold that maximises F1 on the run's own
// validation split. Every image is segmented at its original size through
// segment.ts (the inference geometry of `r2u predict`) and scored inside its
// FOV. Writes eval-<split>.json / .csv (eval-<dataset kind>.* for another
// dataset) into the run.
import { join } from 'node:path';
import type { DatasetConfig, ExperimentConfig } from '../../spec/config.js';
import { evalReportName } from '../../spec/run-files.js';
import { METRICS, valuesOf, type BackendName, type InferenceMode, type InferenceScale, type TtaMode } from '../../spec/vocabulary.js';
import { DataError, loadRawImages, sharedValidation, type RawImage } from '../data/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../run/atomic.js';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { memberSpecs } from '../run/ensemble.js';
import { RunError } from '../run/errors.js';
import { exists, readJson, RUN_FILES, type RunInfo } from '../run/folder.js';
import { evaluateImages, pooledScores, rescore, type ImageResult } from './evaluate.js';
import { aucFromRanked, bestF1Threshold, meanScores, type FullScores, type Scores } from './metrics.js';
import { checkpointLine, loadPredictor, segmenterFor } from './predictor.js';

/** `val`/`test`: the run's own data; `all`: every image of another dataset */
export type EvalSplit = 'val' | 'test' | 'all';

export interface ThresholdResult {
  threshold: number;
  images: Array<{ id: string } & FullScores>;
  /** each image weighs alike */
  mean: FullScores;
  /** over all FOV pixels of the images together; its AUC is the report's pooled_auc */
  pooled: Scores;
}

export interface EvalReport {
  run: string;
  checkpoint: string;
  /** the dataset scored: the run's own, or the one given with --dataset */
  dataset: DatasetConfig;
  split: EvalSplit;
  mode: InferenceMode;
  scale: InferenceScale;
  tta: TtaMode;
  /** AUC over all FOV pixels of the split pooled */
  pooled_auc: number;
  /** at the spec's `eval.threshold` */
  configured: ThresholdResult;
  /** at the F1-maximising threshold chosen on the run's validation split */
  best_f1: ThresholdResult;
  /** where the best-F1 threshold comes from */
  best_f1_source: string;
}

export interface EvalOptions {
  split: 'val' | 'test';
  /**
   * score another labelled dataset instead of the run's own: all its images,
   * or with split `test` its test subset. A relative root is read from the
   * current directory and recorded in the report as given.
   */
  dataset?: DatasetConfig;
  /** the run's spec with overrides applied (eval.* settings); default: the checkpoint's */
  spec?: ExperimentConfig;
  backend?: BackendName;
  log?: (line: string) => void;
}

/** The validation report a previous `r2u eval --split val` saved in the run folder, or null where there is none. */
function readValidationReport(runDir: string): Promise<EvalReport | null> {
  return readJson<EvalReport>(join(runDir, `${evalReportName('val')}.json`), 'saved validation report').catch(() => null);
}

const rows = (results: readonly ImageResult[]) => results.map((r) => ({ id: r.id, ...r.scores }));

export async function evaluateRun(runDir: string, opts: EvalOptions): Promise<EvalReport> {
  const log = opts.log ?? (() => {});
  if (!(await exists(join(runDir, RUN_FILES.spec)))) throw new RunError(`${runDir}: not a run folder (no ${RUN_FILES.spec})`);
  const checkpoint = await resolveCheckpointDir(runDir);
  const info = await readJson<RunInfo>(join(runDir, RUN_FILES.run), 'run information').catch(() => null);
  const predictor = await loadPredictor(checkpoint, opts.backend);
  try {
    const spec = opts.spec ?? predictor.spec;
    log(`backend: ${predictor.backend.description}`);
    log(checkpointLine(checkpoint, predictor));
    const segmenter = segmenterFor(predictor, spec);
    log(`inference: whole image, scale ${spec.eval.scale}${segmenter.targetDiameter === null ? '' : ` (FOV diameter ${segmenter.targetDiameter} px)`}, tta ${spec.eval.tta}`);
    // the run's own dataset is where training read it; another is where the command is typed
    const base = info ? { baseDir: info.cwd } : {};
    const load = async (dataset: DatasetConfig, subset: 'training' | 'test', from = base): Promise<RawImage[]> =>
      (await loadRawImages({ ...spec.data, dataset }, { subset, log, ...from })).images;
    const score = (images: readonly RawImage[]) =>
      evaluateImages(images, async (img) => (await segmenter.segment(img)).prob, spec.eval, spec.eval.threshold);
    // an ensemble's members each validated on their own split: it has a validation split only when they agree
    const splits = predictor.ensemble ? await memberSpecs(checkpoint, predictor.ensemble) : [spec];
    const valImages = async (): Promise<RawImage[] | null> => sharedValidation(await load(spec.data.dataset, 'training'), splits);
    const noSharedSplit = "the ensemble's members validated on different images, so each trained on some of the others'";

    let images: RawImage[];
    let split: EvalSplit = opts.split;
    if (opts.dataset !== undefined) {
      split = opts.split === 'test' ? 'test' : 'all';
      images = await load(opts.dataset, split === 'test' ? 'test' : 'training', { baseDir: process.cwd() });
    } else if (opts.split === 'val') {
      const val = await valImages();
      if (val === null) throw new RunError(`${checkpoint}: ${noSharedSplit}; score it on --split test or another --dataset`);
      images = val;
    } else images = await load(spec.data.dataset, 'test');
    const unlabelled = images.filter((im) => im.label === null);
    if (unlabelled.length > 0) {
      throw new RunError(
        `${unlabelled.length} of ${images.length} images have no vessel labels (e.g. ${unlabelled[0].sourcePath}); ` +
          `DRIVE withholds its test labels, so evaluate on --split val, another --dataset, or use r2u predict`,
      );
    }
    const scored = await score(images);

    // the run's own validation split decides the best-F1 threshold
    let best: { threshold: number; source: string };
    if (split === 'val') {
      const b = bestF1Threshold(scored.pooled);
      best = { threshold: b.threshold, source: 'this validation split' };
    } else {
      const scoreVal = async () => {
        const val = await valImages();
        return val && score(val);
      };
      best = await validationThreshold(runDir, scoreVal, log, { threshold: spec.eval.threshold, source: `eval.threshold (${noSharedSplit})` });
    }
    log(`best-F1 threshold on validation: ${best.threshold.toFixed(4)} (${best.source})`);

    const atBest = rescore(images, scored.images, spec.eval, best.threshold);
    const report: EvalReport = {
      run: runDir,
      checkpoint,
      dataset: opts.dataset ?? spec.data.dataset,
      split,
      mode: spec.eval.mode,
      scale: spec.eval.scale,
      tta: spec.eval.tta,
      pooled_auc: aucFromRanked(scored.pooled),
      configured: { threshold: spec.eval.threshold, images: rows(scored.images), mean: scored.mean, pooled: pooledScores(scored.images) },
      best_f1: { threshold: best.threshold, images: rows(atBest), mean: meanScores(atBest.map((r) => r.scores)), pooled: pooledScores(atBest) },
      best_f1_source: best.source,
    };
    const name = evalReportName(split, opts.dataset?.kind);
    await writeJsonAtomic(join(runDir, `${name}.json`), report);
    await writeFileAtomic(join(runDir, `${name}.csv`), evalCsv(report));
    return report;
  } finally {
    predictor.dispose();
  }
}

/**
 * The best-F1 threshold of the run's validation split, scored now; when the
 * training data is not at hand, the one a previous `r2u eval --split val` saved;
 * `none` when the run has no validation split (an ensemble whose members disagree).
 */
async function validationThreshold(
  runDir: string,
  scoreVal: () => Promise<{ pooled: Parameters<typeof bestF1Threshold>[0] } | null>,
  log: (line: string) => void,
  none: { threshold: number; source: string },
): Promise<{ threshold: number; source: string }> {
  try {
    const scored = await scoreVal();
    if (scored === null) return none;
    return { threshold: bestF1Threshold(scored.pooled).threshold, source: 'the run\'s validation split, scored now' };
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    const saved = join(runDir, `${evalReportName('val')}.json`);
    const prev = await readValidationReport(runDir);
    if (prev === null) throw new RunError(`the run's validation data is not at hand (${err.message}) and ${saved} does not exist; the best-F1 threshold needs one of them`);
    log(`validation data not at hand (${err.message}); using the best-F1 threshold saved in ${saved}`);
    return { threshold: prev.best_f1.threshold, source: saved };
  }
}

const METRIC_NAMES = valuesOf(METRICS);

/** A threshold's rows: each image, their mean, and the pooled figures (with the pooled AUC). */
function rowsOf(r: EvalReport, t: ThresholdResult): Array<{ id: string; s: FullScores }> {
  return [...t.images.map((img) => ({ id: img.id, s: img })), { id: 'mean', s: t.mean }, { id: 'pooled', s: { ...t.pooled, auc: r.pooled_auc } }];
}

function lines(r: EvalReport): Array<{ id: string; which: string; threshold: number; s: FullScores }> {
  return (['configured', 'best_f1'] as const).flatMap((which) => rowsOf(r, r[which]).map(({ id, s }) => ({ id, which, threshold: r[which].threshold, s })));
}

export function evalCsv(r: EvalReport): string {
  const head = ['image', 'threshold_kind', 'threshold', ...METRIC_NAMES].join(',');
  const body = lines(r).map((l) => [l.id, l.which, l.threshold, ...METRIC_NAMES.map((m) => (Number.isNaN(l.s[m]) ? '' : l.s[m]))].join(','));
  return `${[head, ...body].join('\n')}\n`;
}

export function evalTable(r: EvalReport): string {
  const cell = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(4)).padStart(11);
  const idWidth = Math.max(6, ...r.configured.images.map((i) => i.id.length));
  const where = `${r.dataset.kind} (${r.dataset.kind === 'synthetic' ? 'synthetic' : r.dataset.root})`;
  const what = r.split === 'all' ? `${where}, all` : `${where}, ${r.split} split`;
  const out: string[] = [
    `${what} ${r.configured.images.length} images, ${r.mode.replace('_', ' ')} inference, scale ${r.scale}, tta ${r.tta}, inside the FOV; pooled AUC ${r.pooled_auc.toFixed(4)}`,
  ];
  for (const [title, t] of [
    [`threshold ${r.configured.threshold} (eval.threshold)`, r.configured],
    [`threshold ${r.best_f1.threshold.toFixed(4)} (best F1 on ${r.best_f1_source})`, r.best_f1],
  ] as const) {
    out.push('', title, ['image'.padEnd(idWidth), ...METRIC_NAMES.map((m) => m.padStart(11))].join(' '));
    for (const { id, s } of rowsOf(r, t)) out.push([id.padEnd(idWidth), ...METRIC_NAMES.map((m) => cell(s[m]))].join(' '));
  }
  return out.join('\n');
}
