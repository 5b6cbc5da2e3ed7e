// `r2u eval <run> --split val|test`: scores a run's checkpoint on the
// validation split (reproduced from the spec and seed) or on the held-out test
// subset, at `eval.threshold` and at the threshold that maximises F1 on the
// validation split, and writes eval-<split>.json / .csv into the run.
import { join } from 'node:path';
import { METRICS, valuesOf, type BackendName, type InferenceMode } from '../../spec/vocabulary.js';
import { loadDataset, splitImages, type FundusImage } from '../data/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../run/atomic.js';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { RunError } from '../run/errors.js';
import { exists, readJson, RUN_FILES, type RunInfo } from '../run/folder.js';
import { evaluateImages, rescore, type ImageResult } from './evaluate.js';
import { inferenceSettings, maxTensorBytes } from './infer.js';
import { aucFromRanked, bestF1Threshold, meanScores, type FullScores } from './metrics.js';
import { loadPredictor } from './predictor.js';

export type EvalSplit = 'val' | 'test';

export interface ThresholdResult {
  threshold: number;
  images: Array<{ id: string } & FullScores>;
  mean: FullScores;
}

export interface EvalReport {
  run: string;
  checkpoint: string;
  split: EvalSplit;
  mode: InferenceMode;
  /** AUC over all FOV pixels of the split pooled */
  pooled_auc: number;
  /** at the spec's `eval.threshold` */
  configured: ThresholdResult;
  /** at the F1-maximising threshold chosen on the validation split */
  best_f1: ThresholdResult;
}

const rows = (results: readonly ImageResult[]) => results.map((r) => ({ id: r.id, ...r.scores }));

export async function evaluateRun(runDir: string, opts: { split: EvalSplit; backend?: BackendName; log?: (line: string) => void }): Promise<EvalReport> {
  const log = opts.log ?? (() => {});
  if (!(await exists(join(runDir, RUN_FILES.spec)))) throw new RunError(`${runDir}: not a run folder (no ${RUN_FILES.spec})`);
  const checkpoint = await resolveCheckpointDir(runDir);
  const info = await readJson<RunInfo>(join(runDir, RUN_FILES.run), 'run information').catch(() => null);
  const predictor = await loadPredictor(checkpoint, opts.backend);
  try {
    const { spec } = predictor;
    log(`backend: ${predictor.backend.description}`);
    log(`checkpoint: ${checkpoint}`);
    const load = (subset: 'training' | 'test') =>
      loadDataset(spec.data, { subset, seed: spec.seed, stats: predictor.preprocess, log, ...(info ? { baseDir: info.cwd } : {}) });
    const settings = inferenceSettings(spec, maxTensorBytes(predictor.backend));
    const score = (images: readonly FundusImage[]) => evaluateImages(images, predictor.predict, settings, spec.eval, spec.eval.threshold);

    // the validation split decides the best-F1 threshold in both cases
    const val = splitImages((await load('training')).images, spec.data.split, spec.seed).val;
    const valScores = await score(val);
    const best = bestF1Threshold(valScores.pooled);
    log(`best-F1 threshold on validation: ${best.threshold.toFixed(4)} (F1 ${best.f1.toFixed(4)})`);

    let images = val;
    let scored = valScores;
    if (opts.split === 'test') {
      images = (await load('test')).images;
      const unlabelled = images.filter((im) => im.label === null);
      if (unlabelled.length > 0) {
        throw new RunError(
          `the test subset has no vessel labels for ${unlabelled.length} of ${images.length} images (e.g. ${unlabelled[0].sourcePath}); ` +
            `DRIVE withholds its test labels, so evaluate on --split val or use r2u predict`,
        );
      }
      scored = await score(images);
    }
    const atBest = rescore(images, scored.images, spec.eval, best.threshold);
    const report: EvalReport = {
      run: runDir,
      checkpoint,
      split: opts.split,
      mode: spec.eval.mode,
      pooled_auc: aucFromRanked(scored.pooled),
      configured: { threshold: spec.eval.threshold, images: rows(scored.images), mean: scored.mean },
      best_f1: { threshold: best.threshold, images: rows(atBest), mean: meanScores(atBest.map((r) => r.scores)) },
    };
    await writeJsonAtomic(join(runDir, `eval-${opts.split}.json`), report);
    await writeFileAtomic(join(runDir, `eval-${opts.split}.csv`), evalCsv(report));
    return report;
  } finally {
    predictor.dispose();
  }
}

const METRIC_NAMES = valuesOf(METRICS);

function lines(r: EvalReport): Array<{ id: string; which: string; threshold: number; s: FullScores }> {
  const out: Array<{ id: string; which: string; threshold: number; s: FullScores }> = [];
  for (const [which, t] of [
    ['configured', r.configured],
    ['best_f1', r.best_f1],
  ] as const) {
    for (const img of t.images) out.push({ id: img.id, which, threshold: t.threshold, s: img });
    out.push({ id: 'mean', which, threshold: t.threshold, s: t.mean });
  }
  return out;
}

export function evalCsv(r: EvalReport): string {
  const head = ['image', 'threshold_kind', 'threshold', ...METRIC_NAMES].join(',');
  const body = lines(r).map((l) => [l.id, l.which, l.threshold, ...METRIC_NAMES.map((m) => (Number.isNaN(l.s[m]) ? '' : l.s[m]))].join(','));
  return `${[head, ...body].join('\n')}\n`;
}

export function evalTable(r: EvalReport): string {
  const cell = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(4)).padStart(11);
  const idWidth = Math.max(5, ...r.configured.images.map((i) => i.id.length));
  const out: string[] = [`${r.split} split, ${r.mode.replace('_', ' ')} inference, ${r.configured.images.length} images, pooled AUC ${r.pooled_auc.toFixed(4)}`];
  for (const [title, t] of [
    [`threshold ${r.configured.threshold} (eval.threshold)`, r.configured],
    [`threshold ${r.best_f1.threshold.toFixed(4)} (best F1 on validation)`, r.best_f1],
  ] as const) {
    out.push('', title, ['image'.padEnd(idWidth), ...METRIC_NAMES.map((m) => m.padStart(11))].join(' '));
    for (const img of t.images) out.push([img.id.padEnd(idWidth), ...METRIC_NAMES.map((m) => cell(img[m]))].join(' '));
    out.push(['mean'.padEnd(idWidth), ...METRIC_NAMES.map((m) => cell(t.mean[m]))].join(' '));
  }
  return out.join('\n');
}
