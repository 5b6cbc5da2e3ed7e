// The dry run (`r2u train --dry-run`, `generated/<spec>.ts --dry-run`): the
// plan of an experiment and every check training would make before its first
// step, with no file written.
import { existsSync } from 'node:fs';
import { contentHash } from '../../spec/content-hash.js';
import { initBackend } from '../backend.js';
import { ensembleSize, type BackendName, type DataConfig, type ExperimentConfig, type PatchConfig } from '../../spec/config.js';
import { createPreprocessor, DataError, datasetRoot, inputChannels, loadTrainingSplit } from '../data/index.js';
import { buildModel, formatSummary, summarizeModel } from '../model/index.js';
import { assertTrainable } from './assert-trainable.js';
import { memberConfigs } from './train-ensemble.js';


const dims = (d: readonly [number, number]) => `${d[0]}x${d[1]}`;

function describeExperiment(c: ExperimentConfig): string[] {
  const a = c.data.augment;
  const augment = [
    a.flip_horizontal && 'flip horizontal',
    a.flip_vertical && 'flip vertical',
    a.rotate90 && 'rotate 90',
    a.rotate > 0 && `rotate ±${a.rotate}°`,
    a.brightness > 0 && `brightness ±${a.brightness}`,
    a.contrast > 0 && `contrast ±${a.contrast}`,
    a.gamma > 0 && `gamma ±${a.gamma}`,
    a.elastic.alpha > 0 && `elastic alpha ${a.elastic.alpha} sigma ${a.elastic.sigma}`,
  ].filter((s): s is string => typeof s === 'string');
  const t = c.train;
  const params = (o: object) =>
    Object.entries(o)
      .filter(([k]) => k !== 'kind')
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
  const variant = (o: { kind: string }) => (Object.keys(o).length > 1 ? `${o.kind} (${params(o)})` : o.kind);
  const ds = c.data.dataset;
  const extra = c.data.extra_training;
  const stepsPerEpoch = Math.ceil(c.data.patches.per_epoch / t.batch);
  return [
    `dataset:   ${ds.kind === 'synthetic' ? `synthetic, ${ds.count} images of ${dims(ds.size)}, seed ${ds.seed}` : `${ds.kind} at ${ds.root}`}`,
    ...(extra === undefined ? [] : [`extra:     ${variant(extra)}: its training images, resampled to ${c.data.extra_scale === undefined ? 'the FOV scale' : `${c.data.extra_scale} × the FOV scale`}, in every training split`]),
    `patches:   ${patchesLine(c.data.patches)}`,
    `split:     ${c.data.split.kind === 'list' ? `validate on ${c.data.split.val.join(', ')}` : variant(c.data.split)}`,
    `augment:   ${augment.length > 0 ? augment.join(', ') : 'none'}`,
    `model:     ${c.model.arch}, depth ${c.model.depth}, ${c.model.filters} filters, t ${c.model.t}, ${c.model.upsample}, ${c.model.recurrence} recurrence, norm ${c.model.norm}, dropout ${c.model.dropout}`,
    `loss:      ${variant(t.loss)}`,
    `optimizer: ${variant(t.optimizer)}${t.clip_grad > 0 ? `, gradient norm clipped at ${t.clip_grad}` : ''}`,
    `schedule:  ${variant(t.schedule)}`,
    `weights:   ${t.ema > 0 ? `validated and saved as their moving average, decay ${t.ema} per step` : 'validated and saved as trained'}`,
    `training:  ${t.epochs} epochs x ${stepsPerEpoch} steps of ${t.batch} patches, seed ${c.seed}`,
    ...(ensembleSize(c) > 1
      ? [`ensemble:  ${ensembleSize(c)} members trained side by side on the CPU's cores, one core each, or one after another on a GPU (seeds ${memberConfigs(c).map((m) => m.seed).join(', ')}), each validated on the same images; the run segments with the mean of their maps`]
      : []),
    `stopping:  ${t.early_stop === null ? 'none, all epochs' : `on ${t.early_stop.monitor}, patience ${t.early_stop.patience}${t.early_stop.restore_best ? ', restoring the best weights' : ''}`}`,
    `metrics:   loss, ${t.metrics.join(', ')}`,
    `eval:      ${c.eval.mode === 'sliding_window' ? `sliding window, stride ${dims(c.eval.stride)}` : 'full image'}, threshold ${c.eval.threshold}` +
      `${c.eval.min_component > 0 ? `, drop components < ${c.eval.min_component} px` : ''}${c.eval.fill_holes > 0 ? `, fill holes < ${c.eval.fill_holes} px` : ''}`,
    `runtime:   backend ${c.runtime.backend}, ${c.runtime.workers === 0 ? 'one worker per core' : `${c.runtime.workers} worker${c.runtime.workers === 1 ? '' : 's'}`}`,
  ];
}

/**
 * The preprocessing as the runtime describes it; `normalize dataset` has no
 * statistics before the images are read, so it is described from the config.
 */
function plannedPipeline(data: DataConfig): string[] {
  const fits = data.preprocess.some((op) => op.op === 'normalize' && op.mode === 'dataset');
  if (!fits) return createPreprocessor(data.preprocess).describe();
  return ['scale intensities to [0,1]', ...data.preprocess.map((op) => (op.op === 'normalize' && op.mode === 'dataset' ? 'normalize dataset: z-score with the mean and std of the training images' : createPreprocessor([op]).describe()[1]))];
}

/** Size, count, vessel share, and how extra_training's images are drawn and scored where the spec says. */
function patchesLine(p: PatchConfig): string {
  const { extra_share: share, extra_epochs: epochs, extra_ignore_edge: edge } = p;
  return [
    `${dims(p.size)}, ${p.per_epoch} per epoch, ${p.vessel_fraction * 100}% centred on vessels`,
    share === undefined ? '' : `, ${share * 100}% from extra_training`,
    epochs === undefined ? '' : ` (epochs 1-${epochs} only)`,
    edge === undefined ? '' : `; the outer ${edge} px of extra_training's vessels unscored`,
  ].join('');
}

/** Where a generated module came from, for the plan's header. */
export interface PlanOrigin {
  readonly source: string;
  readonly hash: string;
}

/**
 * Prints everything training would check before its first step, writing
 * nothing: the resolved experiment, the preprocessing, the backend, the model
 * summary, and — when the data is there — the loaded, checked and split images.
 */
export async function dryRun(
  c: ExperimentConfig,
  opts: { origin?: PlanOrigin; sets?: readonly string[]; backend?: BackendName; log: (line: string) => void },
): Promise<void> {
  const out = (line = '') => opts.log(line);
  const sets = opts.sets ?? [];
  out(`experiment ${c.name} (dry run, nothing is written)`);
  if (opts.origin) {
    out(`spec:      ${opts.origin.source}`);
    if (sets.length > 0) {
      out(`overrides: ${sets.join(' ')}`);
      out(`hash:      ${contentHash(c)} (compiled as ${opts.origin.hash})`);
    } else out(`hash:      ${opts.origin.hash}`);
  }
  for (const line of describeExperiment(c)) out(line);

  const planned = plannedPipeline(c.data);
  out('preprocess:');
  for (const [i, step] of planned.entries()) out(`  ${i + 1}. ${step}`);

  const backend = await initBackend(opts.backend ?? c.runtime.backend);
  out(`backend:   ${backend.description}`);

  // the model needs no data: its input channels follow from the preprocessing
  const channels = inputChannels(c.data);
  const model = buildModel(c.model, channels);
  try {
    out();
    out(`model at ${dims(c.data.patches.size)} patches, ${channels} input channel${channels === 1 ? '' : 's'}:`);
    out(formatSummary(summarizeModel(model, c.data.patches.size, channels)));
  } finally {
    model.dispose();
  }

  // check the data when it is there: decode, validate, preprocess, split
  out();
  for (const ds of [c.data.dataset, c.data.extra_training]) {
    const root = ds === undefined ? undefined : datasetRoot(ds);
    if (root !== undefined && !existsSync(root)) {
      out(`data:      not checked: ${root} does not exist (training will need it)`);
      return;
    }
  }
  const { dataset, extra, ...split } = await loadTrainingSplit(c.data, { seed: c.seed });
  const first = dataset.images[0];
  out(`data:      ${dataset.images.length} images, ${first.width}x${first.height} after preprocessing, ${dataset.channels} channel${dataset.channels === 1 ? '' : 's'}`);
  const fitted = dataset.preprocessor.describe();
  if (fitted.join('\n') !== planned.join('\n')) {
    out('preprocess, fitted on the training images:');
    for (const [i, step] of fitted.entries()) out(`  ${i + 1}. ${step}`);
  }
  out(`split:     ${split.train.length} training${extra > 0 ? ` (${extra} of them ${c.data.extra_training?.kind}, resampled to the FOV scale)` : ''}, ${split.val.length} validation (${split.val.map((im) => im.id).join(', ')})`);
  assertTrainable(c, split);
  if (dataset.channels !== channels) throw new DataError(`the images have ${dataset.channels} channels after preprocessing, the model expects ${channels}`);
}
