// An ensemble scored on the validation images its members share, the way
// training scores an epoch (epoch-steps.ts validateEpoch): the preprocessed
// images, the same inference without test-time augmentation, the same loss.
// So its figures pair exactly with its members' metrics.jsonl and with single
// runs of the same folds. (`r2u eval` scores in each image's original geometry,
// a slightly different set of pixels, and reports its own figures.)
import { join } from 'node:path';
import type { BackendName } from '../../spec/config.js';
import { ENSEMBLE_FILES } from '../../spec/run-files.js';
import { loadDataset, sharedValidation } from '../data/index.js';
import { evaluateImages } from '../eval/evaluate.js';
import { infer, inferenceSettings, maxTensorBytes } from '../eval/infer.js';
import { loadPredictor } from '../eval/predictor.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { memberSpecs } from '../run/ensemble.js';
import { readJson, RUN_FILES, type RunInfo } from '../run/folder.js';
import { validationFigures, type ValidationFigures } from './epoch-record.js';
import { validationLoss } from './run-context.js';

/**
 * Scores the ensemble folder `dir` and writes its validation.json; null (and
 * nothing written) when its members validated on different images, so that
 * each trained on some of the others'.
 */
export async function validateEnsemble(dir: string, opts: { backend?: BackendName; log?: (line: string) => void } = {}): Promise<ValidationFigures | null> {
  const predictor = await loadPredictor(dir, opts.backend);
  try {
    const spec = predictor.spec;
    // a run's dataset is where it trained; an `r2u ensemble` folder's, where the command is typed
    const info = await readJson<RunInfo>(join(dir, RUN_FILES.run), 'run information').catch(() => null);
    const dataset = await loadDataset(spec.data, { seed: spec.seed, log: opts.log, stats: predictor.preprocess, ...(info && { baseDir: info.cwd }) });
    const members = predictor.ensemble ? await memberSpecs(dir, predictor.ensemble) : [spec];
    const val = sharedValidation(dataset.images, members);
    if (val === null) return null;
    const settings = inferenceSettings(spec, maxTensorBytes(predictor.backend));
    const evaluation = await evaluateImages(val, (img) => infer(img, predictor.predict, settings), spec.eval, spec.eval.threshold, validationLoss(spec));
    const record = validationFigures(evaluation);
    await writeJsonAtomic(join(dir, ENSEMBLE_FILES.validation), record);
    return record;
  } finally {
    predictor.dispose();
  }
}
