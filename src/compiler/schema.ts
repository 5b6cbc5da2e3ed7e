// The JSON Schema (draft 2020-12) of a resolved experiment: the shape of
// src/spec/config.ts, its enumerations from src/spec/vocabulary.ts, its ranges
// those of the statement table (test/compiler/schema-table.test.ts proves they agree). `r2u schema` prints it for editors; the validator
// checks every resolved configuration against it, whatever its source (file,
// extends, --set).

import * as V from '../spec/vocabulary.js';

type Schema = Record<string, unknown>;

const integer = (minimum?: number, maximum?: number): Schema => ({ type: 'integer', ...(minimum !== undefined && { minimum }), ...(maximum !== undefined && { maximum }) });
const number = (minimum?: number, maximum?: number, exclusive = false): Schema => ({
  type: 'number',
  ...(minimum !== undefined && (exclusive ? { exclusiveMinimum: minimum } : { minimum })),
  ...(maximum !== undefined && { maximum }),
});
const fraction = number(0, 1);
const positive = number(0, undefined, true);
const nonNegative = number(0);
const dims: Schema = { type: 'array', prefixItems: [integer(1), integer(1)], minItems: 2, maxItems: 2, items: false, description: '[height, width]' };
const enumOf = (vocabulary: Readonly<Record<string, string>>): Schema => ({ enum: [...V.valuesOf(vocabulary)] });
/** every property is required except the `optional` ones, which a resolved experiment holds only where a spec set them (so adding one changes no existing experiment's content hash) */
const object = (properties: Record<string, Schema>, description?: string, optional: Record<string, Schema> = {}): Schema => ({
  type: 'object',
  ...(description && { description }),
  properties: { ...properties, ...optional },
  required: Object.keys(properties),
  additionalProperties: false,
});
/** one variant of a tagged union: `{ kind: name, ...params }` */
const variant = (tag: string, name: string, params: Record<string, Schema> = {}, optional: Record<string, Schema> = {}): Schema =>
  object({ [tag]: { const: name }, ...params }, undefined, optional);

const publishedDatasets: Schema[] = [
  variant('kind', 'drive', { root: { type: 'string', minLength: 1 } }),
  variant('kind', 'stare', { root: { type: 'string', minLength: 1 }, test: integer(0, 19) }),
  variant('kind', 'chase_db1', { root: { type: 'string', minLength: 1 }, test: integer(0, 27) }),
];
const dataset: Schema = { oneOf: [...publishedDatasets, variant('kind', 'synthetic', { count: integer(2, 10000), size: dims, seed: integer(0) })] };
const extraTraining: Schema = { oneOf: publishedDatasets };

const op = (name: string, params: Record<string, Schema>): Schema => variant('op', name, params);
const preprocess: Schema = {
  type: 'array',
  items: {
    oneOf: [
      object({ op: { const: 'crop' }, mode: { const: 'center' }, size: dims }),
      object({ op: { const: 'crop' }, mode: { const: 'box' }, x: integer(0), y: integer(0), size: dims }),
      op('grayscale', { mode: enumOf(V.GRAYSCALE_MODES) }),
      op('normalize', { mode: enumOf(V.NORMALIZE_MODES) }),
      op('clahe', { tiles: dims, clip: positive }),
      op('gamma', { value: positive }),
      op('resize', { size: dims }),
      op('pad', { multiple: integer(1) }),
    ],
  },
};

const adam = { lr: positive, beta1: number(0, 1), beta2: number(0, 1), epsilon: positive };

export const EXPERIMENT_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://r2u.dev/schema/experiment.json',
  title: 'r2u resolved experiment',
  description: 'A .r2u spec after extends, defaults and --set overrides (see grammar/REFERENCE.md).',
  ...object({
    name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    seed: integer(0),
    data: object({
      dataset,
      preprocess,
      patches: object({ size: dims, per_epoch: integer(1), vessel_fraction: fraction }, undefined, { extra_share: fraction, extra_epochs: integer(1), extra_ignore_edge: integer(1, 8) }),
      split: {
        oneOf: [
          variant('kind', 'ratio', { train: fraction, val: fraction }, { seed: integer(0) }),
          variant('kind', 'kfold', { k: integer(2), fold: integer(0) }, { seed: integer(0) }),
          variant('kind', 'list', { val: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true } }),
        ],
      },
      augment: object({
        flip_horizontal: { type: 'boolean' },
        flip_vertical: { type: 'boolean' },
        rotate90: { type: 'boolean' },
        rotate: number(0, 180),
        brightness: nonNegative,
        contrast: fraction,
        gamma: fraction,
        elastic: object({ alpha: nonNegative, sigma: positive }),
      }),
    }, undefined, { extra_training: extraTraining, extra_scale: number(0.25, 4) }),
    model: object({
      arch: enumOf(V.ARCHITECTURES),
      depth: integer(1, 6),
      filters: integer(1, 512),
      t: integer(0, 8),
      upsample: enumOf(V.UPSAMPLES),
      recurrence: enumOf(V.RECURRENCES),
      init: enumOf(V.INITS),
      norm: enumOf(V.NORMS),
      dropout: number(0, 0.9),
    }),
    train: object({
      loss: {
        oneOf: [
          variant('kind', 'bce'),
          variant('kind', 'weighted_bce', { pos_weight: positive }),
          variant('kind', 'dice', { smooth: nonNegative }),
          variant('kind', 'bce_dice', { dice_weight: nonNegative, smooth: nonNegative }),
          variant('kind', 'focal', { gamma: nonNegative, alpha: fraction }),
        ],
      },
      optimizer: {
        oneOf: [
          variant('kind', 'adam', adam),
          variant('kind', 'adamw', { ...adam, weight_decay: nonNegative }),
          variant('kind', 'sgd', { lr: positive, momentum: number(0, 1), nesterov: { type: 'boolean' } }),
        ],
      },
      schedule: {
        oneOf: [
          variant('kind', 'constant'),
          variant('kind', 'step', { every: integer(1), factor: number(0, 1, true) }),
          variant('kind', 'cosine', { min_lr: nonNegative, warmup: integer(0) }),
          variant('kind', 'plateau', { factor: number(0, 1, true), patience: integer(0), min_lr: nonNegative }),
        ],
      },
      batch: integer(1, 4096),
      epochs: integer(1, 100000),
      early_stop: {
        oneOf: [{ type: 'null' }, object({ monitor: enumOf(V.MONITORS), patience: integer(0), restore_best: { type: 'boolean' } })],
      },
      clip_grad: nonNegative,
      ema: number(0, 0.9999),
      metrics: { type: 'array', items: enumOf(V.METRICS), uniqueItems: true },
    }, undefined, { ensemble: integer(1, 16) }),
    eval: object({
      threshold: fraction,
      mode: enumOf(V.INFERENCE_MODES),
      stride: dims,
      min_component: integer(0),
      fill_holes: integer(0),
      scale: enumOf(V.INFERENCE_SCALES),
      tta: enumOf(V.TTA_MODES),
    }),
    runtime: object({ backend: enumOf(V.BACKENDS), workers: integer(0, 64) }),
  }),
};

/**
 * The JSON Schema of a sweep once expanded, as `r2u sweep plan --format json`
 * prints it (`r2u schema --sweep`). A resolved experiment has no sweep: the
 * `sweep { … }` block states a family around it, and each trial is the
 * experiment with its `sets` applied as `--set` assignments, whose paths and
 * values are those of EXPERIMENT_SCHEMA. The block's syntax is in grammar/REFERENCE.md.
 */
export const SWEEP_PLAN_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://r2u.dev/schema/sweep-plan.json',
  title: 'r2u sweep plan',
  description: "The trials a spec's sweep { … } states, each checked as a whole experiment (https://r2u.dev/schema/experiment.json).",
  ...object({
    spec: { type: 'string', description: 'the spec, as given' },
    count: { ...integer(1), description: 'number of trials' },
    duplicates: { ...integer(0), description: 'combinations dropped because they state an experiment already planned' },
    random: { oneOf: [{ type: 'null' }, object({ count: integer(1), seed: integer(0) }, 'random N seed S: the points were drawn')] },
    varying: { type: 'array', items: { type: 'string' }, description: 'the configuration paths that vary, in the order the sweep states them' },
    adopt: {
      oneOf: [
        { type: 'null' },
        object(
          {
            text: { type: 'string', description: 'the clauses as written' },
            clauses: {
              type: 'array',
              minItems: 1,
              items: {
                oneOf: [
                  object({ kind: { const: 'mean' }, metric: { enum: [...V.COMPARED_NAMES] }, op: { enum: ['above', 'below'] }, value: { type: 'number' }, text: { type: 'string' } }),
                  object({ kind: { const: 'better' }, metric: { enum: [...V.COMPARED_NAMES] }, atLeast: integer(1), of: integer(1), text: { type: 'string' } }),
                ],
              },
            },
          },
          'adopt if …: the rule r2u compare judges the family by against a baseline family',
          { at: { ...enumOf(V.EPOCH_CHOICES), description: "scored at …: which epoch of each run the rule judges (absent: each run's model)" } },
        ),
      ],
    },
    trials: {
      type: 'array',
      minItems: 1,
      items: object({
        index: { ...integer(1), description: "1-based position in the plan" },
        id: { type: 'string', pattern: '^[0-9a-f]{12}$', description: "the first 12 hex digits of the trial's content hash (sha256 of its canonical JSON)" },
        alias: { type: 'string', pattern: '^[A-Za-z0-9._=,+-]+$', description: "the varying values, readable; the trial's folder name" },
        values: { type: 'object', additionalProperties: { type: 'string' }, description: 'the varying values by configuration path, as written' },
        sets: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_.]+=' }, description: 'the trial as --set assignments on the spec, in order' },
      }),
    },
  }),
};
