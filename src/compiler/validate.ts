// Stage 4: validation of the resolved configuration, in two layers: the JSON
// Schema (ajv, draft 2020-12) for shapes and ranges, then cross-field rules
// that a schema cannot say. Problems point at the statement that set the
// offending value, wherever it came from (the file, a parent spec, --set).
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { EXTRA_PATCH_FIELDS, type ExperimentConfig } from '../spec/config.js';
import { patchFits } from '../spec/trainable.js';
import { error, type Diagnostic } from './diagnostics.js';
import { precompiledValidator } from './precompiled-validator.js';
import { EXPERIMENT_SCHEMA } from './schema.js';
import type { Span } from './source.js';

/** Where each configuration path was last set, keyed by dotted path (`train.optimizer.lr`). */
export type SpanMap = ReadonlyMap<string, Span>;

/** ajv's options for the schema; scripts/build.mjs compiles the standalone validator with the same */
export const AJV_OPTIONS = { allErrors: true, strict: true } as const;

let compiled: ReturnType<Ajv2020['compile']> | undefined = precompiledValidator;
function schemaValidator() {
  compiled ??= new Ajv2020(AJV_OPTIONS).compile(EXPERIMENT_SCHEMA);
  return compiled;
}

/** The span of the nearest path (itself or an ancestor) that the spec set. */
export function spanFor(spans: SpanMap, path: string): Span | undefined {
  for (let p = path; ; p = p.slice(0, Math.max(0, p.lastIndexOf('.')))) {
    const s = spans.get(p);
    if (s) return s;
    if (!p) return undefined;
  }
}

export function validateConfig(config: unknown, spans: SpanMap, file: string): Diagnostic[] {
  const validate = schemaValidator();
  if (!validate(config)) return schemaDiagnostics(validate.errors ?? [], config, spans, file);
  return crossFieldRules(config as ExperimentConfig, spans, file);
}

function schemaDiagnostics(errors: ErrorObject[], config: unknown, spans: SpanMap, file: string): Diagnostic[] {
  // A tagged union (oneOf) fails once per branch; the branches whose tag does not
  // match the object's (a `const` error) say nothing about it, so drop them.
  const otherVariants = errors.filter((e) => e.keyword === 'const').map((e) => e.schemaPath.replace(/(\/oneOf\/\d+\/).*$/, '$1'));
  const relevant = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'const' && !otherVariants.some((branch) => e.schemaPath.startsWith(branch)));
  const chosen = relevant.length ? relevant : errors;
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of chosen) {
    let path = e.instancePath.slice(1).split('/').filter(Boolean).join('.');
    const where = path || '(root)';
    let message = `${where} ${e.message ?? 'is invalid'}${e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : ''}`;
    if (e.keyword === 'additionalProperties') {
      // a field another variant takes (a list split's `seed`): name the field and the variant, at the field
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const kind = (path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], config) as { kind?: unknown } | undefined)?.kind;
      message = `${where}${typeof kind === 'string' ? ` (${kind})` : ''} has no field '${field}'`;
      path = path ? `${path}.${field}` : field;
    }
    if (seen.has(message)) continue;
    seen.add(message);
    out.push(error('schema', message, spanFor(spans, path), { file }));
  }
  return out;
}

function crossFieldRules(c: ExperimentConfig, spans: SpanMap, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rule = (path: string, message: string, note?: string) => out.push(error('rule', message, spanFor(spans, path), { file, note }));
  const stride = 2 ** c.model.depth;
  const [ph, pw] = c.data.patches.size;
  if (ph % stride || pw % stride) {
    rule('data.patches.size', `patch size ${ph} x ${pw} is not divisible by 2^depth = ${stride}`, `model depth ${c.model.depth} pools ${c.model.depth} times; use a multiple of ${stride}, e.g. ${Math.ceil(ph / stride) * stride} x ${Math.ceil(pw / stride) * stride}`);
  }
  const size = imageSize(c);
  if (size && !patchFits(c.data.patches.size, size)) {
    rule('data.patches.size', `patch size ${ph} x ${pw} is larger than the images (${size[0]} x ${size[1]} after preprocessing)`);
  }
  const split = c.data.split;
  if (split.kind === 'ratio' && Math.abs(split.train + split.val - 1) > 1e-9) {
    rule('data.split', `split parts sum to ${+(split.train + split.val).toFixed(6)}, not 1`, `train ${split.train} + val ${split.val}`);
  }
  if (split.kind === 'ratio' && split.val === 0) rule('data.split.val', 'the validation share is 0: early stopping and checkpoint choice need validation images');
  if (split.kind === 'kfold' && split.fold >= split.k) rule('data.split.fold', `fold ${split.fold} does not exist in ${split.k}-fold cross-validation (folds are 0 … ${split.k - 1})`);
  if (c.data.dataset.kind === 'synthetic' && split.kind === 'kfold' && split.k > c.data.dataset.count) {
    rule('data.split.k', `${split.k} folds need at least ${split.k} images; the synthetic set has ${c.data.dataset.count}`);
  }
  const extra = c.data.extra_training;
  if (extra !== undefined && extra.kind === c.data.dataset.kind && extra.root === c.data.dataset.root) {
    rule('data.extra_training', `extra_training reads the main dataset again (${extra.kind}("${extra.root}")): its validation images would be trained on`, 'name another dataset, or `extra_training none`');
  }
  const extraFields: Array<[path: string, value: unknown]> = [['data.extra_scale', c.data.extra_scale], ...EXTRA_PATCH_FIELDS.map((f): [string, unknown] => [`data.patches.${f}`, c.data.patches[f]])];
  for (const [path, value] of extraFields) {
    const field = path.slice(path.lastIndexOf('.') + 1);
    if (value !== undefined && extra === undefined) rule(path, `${field} concerns extra_training's images, and the experiment has none`, `add \`extra_training …\` to data, or drop ${field}`);
  }
  const es = c.train.early_stop;
  // patience beyond the epoch count only means early stopping never triggers (e.g. a one-epoch trial of a sweep)
  if (es && es.patience > c.train.epochs) {
    out.push({ severity: 'warning', code: 'rule', message: `early-stopping patience ${es.patience} exceeds the ${c.train.epochs} epochs: early stopping will not trigger`, span: spanFor(spans, 'train.early_stop.patience'), file });
  }
  const metricOf: Record<string, string> = { val_dice: 'dice', val_auc: 'auc', val_accuracy: 'accuracy', val_sensitivity: 'sensitivity', val_specificity: 'specificity' };
  if (es && metricOf[es.monitor] && !c.train.metrics.includes(metricOf[es.monitor] as never)) {
    rule('train.early_stop.monitor', `early stopping monitors ${es.monitor}, but '${metricOf[es.monitor]}' is not in train.metrics`);
  }
  if (c.train.batch > c.data.patches.per_epoch) rule('train.batch', `batch ${c.train.batch} is larger than the ${c.data.patches.per_epoch} patches per epoch`);
  const lr = c.train.optimizer.lr;
  const sched = c.train.schedule;
  if ((sched.kind === 'cosine' || sched.kind === 'plateau') && sched.min_lr >= lr) {
    rule('train.schedule.min_lr', `min_lr ${sched.min_lr} is not below the learning rate ${lr}`);
  }
  if (sched.kind === 'cosine' && sched.warmup >= c.train.epochs) rule('train.schedule.warmup', `warmup of ${sched.warmup} epochs leaves no epoch to train after it (epochs ${c.train.epochs})`);
  if (c.model.arch !== 'unet' && c.model.t < 1) rule('model.t', `${c.model.arch} needs at least one recurrent step (t ≥ 1)`);
  const [sh, sw] = c.eval.stride;
  if (c.eval.mode === 'sliding_window' && (sh > ph || sw > pw)) rule('eval.stride', `stride ${sh} x ${sw} is larger than the patch (${ph} x ${pw}): windows would leave gaps`);
  for (const [i, op] of c.data.preprocess.entries()) {
    if (op.op === 'pad' && op.multiple % stride !== 0) {
      rule(`data.preprocess.${i}`, `pad multiple ${op.multiple} is not a multiple of the network stride 2^depth = ${stride}`);
    }
  }
  return out;
}

/** Image size after the geometric preprocessing ops, when it is known without reading the data. */
function imageSize(c: ExperimentConfig): readonly [number, number] | undefined {
  const known: Record<string, readonly [number, number]> = { drive: [584, 565], chase_db1: [960, 999], stare: [605, 700] };
  let size = c.data.dataset.kind === 'synthetic' ? c.data.dataset.size : known[c.data.dataset.kind];
  if (!size) return undefined;
  for (const op of c.data.preprocess) {
    if (op.op === 'crop') size = [Math.min(size[0], op.size[0]), Math.min(size[1], op.size[1])];
    if (op.op === 'resize') size = op.size;
    if (op.op === 'pad') size = [Math.ceil(size[0] / op.multiple) * op.multiple, Math.ceil(size[1] / op.multiple) * op.multiple];
  }
  return size;
}
