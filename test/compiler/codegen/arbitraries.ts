// fast-check arbitraries of VALID resolved experiments: every schema bound and
// every cross-field rule of src/compiler/validate.ts holds by construction
// (patch divisible by 2^depth and no larger than the images, ratio split
// summing to 1, early stopping monitoring a printed metric, ...).
import fc from 'fast-check';
import type {
  DatasetConfig,
  ExperimentConfig,
  LossConfig,
  OptimizerConfig,
  PreprocessOp,
  ScheduleConfig,
  SplitConfig,
} from '../../../src/spec/config.js';
import { BACKENDS, METRICS as METRIC_VOCABULARY, MONITORS as MONITOR_VOCABULARY, valuesOf } from '../../../src/spec/vocabulary.js';

type Dims = readonly [number, number];

const KNOWN_SIZES: Record<string, Dims> = { drive: [584, 565], stare: [605, 700], chase_db1: [960, 999] };
const METRICS = valuesOf(METRIC_VOCABULARY);
const MONITORS = valuesOf(MONITOR_VOCABULARY);

/** Doubles in [min, max] (finite, sometimes awkward: tiny, many digits). */
const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const positive = (max: number) => real(Number.MIN_VALUE, max);
const dimsAtLeast = (min: Dims, max: number) =>
  fc.tuple(fc.integer({ min: min[0], max: Math.max(min[0], max) }), fc.integer({ min: min[1], max: Math.max(min[1], max) })) as fc.Arbitrary<Dims>;
const oneOfConst = <T>(...values: T[]) => fc.constantFrom(...values);

export interface Limits {
  /** largest model depth */
  readonly depth: number;
  /** largest number of first-level filters */
  readonly filters: number;
  /** largest synthetic image side */
  readonly imageSide: number;
  /** real datasets allowed (the dry-run samples use synthetic images only) */
  readonly realDatasets: boolean;
}

const WIDE: Limits = { depth: 6, filters: 512, imageSide: 1024, realDatasets: true };

export function experimentArb(limits: Limits = WIDE): fc.Arbitrary<ExperimentConfig> {
  return fc
    .record({
      depth: fc.integer({ min: 1, max: limits.depth }),
      patchMultiples: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    })
    .chain(({ depth, patchMultiples }) => {
      const stride = 2 ** depth;
      const patch: Dims = [patchMultiples[0] * stride, patchMultiples[1] * stride];
      return fc.record({
        name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
        seed: fc.nat(),
        data: dataArb(patch, stride, limits),
        model: modelArb(depth, limits),
        train: trainArb(),
        eval: evalArb(patch),
        runtime: fc.record({ backend: oneOfConst(...valuesOf(BACKENDS)), workers: fc.integer({ min: 0, max: 64 }) }),
      }) as fc.Arbitrary<ExperimentConfig>;
    })
    .chain((c) => fitTrain(c));
}

/** Early stopping, batch and schedule bounds depend on each other: drawn together. */
function fitTrain(c: ExperimentConfig): fc.Arbitrary<ExperimentConfig> {
  const t = c.train;
  return fc
    .record({
      batch: fc.integer({ min: 1, max: Math.min(4096, c.data.patches.per_epoch) }),
      patience: fc.integer({ min: 0, max: t.epochs }),
      warmup: fc.integer({ min: 0, max: t.epochs - 1 }),
      minLrShare: real(0, 0.999),
    })
    .map(({ batch, patience, warmup, minLrShare }) => {
      let schedule: ScheduleConfig = t.schedule;
      // with a subnormal lr the product may round up to lr itself
      const scaled = t.optimizer.lr * minLrShare;
      const min_lr = scaled < t.optimizer.lr ? scaled : 0;
      if (schedule.kind === 'cosine') schedule = { ...schedule, warmup, min_lr };
      if (schedule.kind === 'plateau') schedule = { ...schedule, min_lr };
      let metrics = t.metrics;
      let early_stop = t.early_stop;
      if (early_stop !== null) {
        early_stop = { ...early_stop, patience };
        const needed = early_stop.monitor === 'val_loss' ? undefined : (early_stop.monitor.slice(4) as (typeof METRICS)[number]);
        if (needed !== undefined && !metrics.includes(needed)) metrics = [...metrics, needed];
      }
      return { ...c, train: { ...t, batch, schedule, early_stop, metrics } };
    });
}

function dataArb(patch: Dims, stride: number, limits: Limits) {
  const synthetic = fc.record({
    kind: fc.constant('synthetic' as const),
    count: fc.integer({ min: 6, max: 10000 }),
    size: dimsAtLeast(patch, limits.imageSide),
    seed: fc.nat(),
  });
  const root = fc.string({ minLength: 1, maxLength: 30 });
  const onDisk = fc.oneof(
    fc.record({ kind: fc.constant('drive' as const), root }),
    fc.record({ kind: fc.constant('stare' as const), root, test: fc.integer({ min: 0, max: 19 }) }),
    fc.record({ kind: fc.constant('chase_db1' as const), root, test: fc.integer({ min: 0, max: 27 }) }),
  );
  const dataset: fc.Arbitrary<DatasetConfig> = limits.realDatasets ? fc.oneof(synthetic, onDisk) : synthetic;
  return dataset.chain((ds) => {
    const size = ds.kind === 'synthetic' ? ds.size : KNOWN_SIZES[ds.kind];
    return fc.record({
      dataset: fc.constant(ds),
      // optional, and never the main dataset itself (a cross-field rule)
      ...(limits.realDatasets ? { extra_training: fc.option(onDisk.filter((e) => e.kind !== ds.kind || e.root !== ds.root), { nil: undefined }) } : {}),
      extra_scale: fc.option(real(0.25, 4), { nil: undefined }),
      preprocess: preprocessArb(patch, size, stride),
      patches: fc.record({ size: fc.constant(patch), per_epoch: fc.integer({ min: 1, max: 100000 }), vessel_fraction: real(0, 1), extra_share: fc.option(real(0, 1), { nil: undefined }), extra_epochs: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }), extra_ignore_edge: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }) }),
      split: splitArb(ds.kind === 'synthetic' ? ds.count : 20),
      augment: fc.record({
        flip_horizontal: fc.boolean(),
        flip_vertical: fc.boolean(),
        rotate90: fc.boolean(),
        rotate: real(0, 180),
        brightness: real(0, 10),
        contrast: real(0, 1),
        gamma: real(0, 1),
        elastic: fc.record({ alpha: real(0, 100), sigma: positive(50) }),
      }),
      // extra_scale, extra_share, extra_epochs and extra_ignore_edge only with extra_training (a cross-field rule); absent fields are left out, not undefined
    }).map(({ patches: { extra_share, extra_epochs, extra_ignore_edge, ...patches }, extra_training, extra_scale, ...data }) => ({
      ...data,
      ...(extra_training === undefined ? {} : { extra_training }),
      ...(extra_training === undefined || extra_scale === undefined ? {} : { extra_scale }),
      patches: {
        ...patches,
        ...(extra_training === undefined || extra_share === undefined ? {} : { extra_share }),
        ...(extra_training === undefined || extra_epochs === undefined ? {} : { extra_epochs }),
        ...(extra_training === undefined || extra_ignore_edge === undefined ? {} : { extra_ignore_edge }),
      },
    }));
  });
}

/** Geometric ops never shrink the image below the patch; clahe and normalize follow grayscale. */
function preprocessArb(patch: Dims, size: Dims, stride: number): fc.Arbitrary<PreprocessOp[]> {
  const atLeastPatch = dimsAtLeast(patch, 1024).filter(([h, w]) => h <= Math.max(size[0], patch[0]) && w <= Math.max(size[1], patch[1]));
  const op: fc.Arbitrary<PreprocessOp> = fc.oneof(
    atLeastPatch.map((s) => ({ op: 'crop' as const, mode: 'center' as const, size: s })),
    fc.record({ op: fc.constant('crop' as const), mode: fc.constant('box' as const), x: fc.nat(50), y: fc.nat(50), size: atLeastPatch }),
    fc.record({ op: fc.constant('grayscale' as const), mode: oneOfConst('luminance' as const, 'green' as const, 'red' as const, 'blue' as const) }),
    fc.record({ op: fc.constant('normalize' as const), mode: oneOfConst('per_image' as const, 'dataset' as const) }),
    fc.record({ op: fc.constant('clahe' as const), tiles: dimsAtLeast([1, 1], 16), clip: positive(10) }),
    fc.record({ op: fc.constant('gamma' as const), value: positive(5) }),
    fc.record({ op: fc.constant('resize' as const), size: dimsAtLeast(patch, 1024) }),
    fc.integer({ min: 1, max: 8 }).map((m) => ({ op: 'pad' as const, multiple: m * stride })),
  );
  return fc.array(op, { maxLength: 5 }).map((ops) => {
    const names: string[] = ops.map((o) => o.op);
    const gray = names.indexOf('grayscale');
    const first = Math.min(...['clahe', 'normalize'].map((n) => names.indexOf(n)).filter((i) => i >= 0));
    if (Number.isFinite(first) && (gray < 0 || gray > first)) return [{ op: 'grayscale', mode: 'green' } as const, ...ops];
    return ops;
  });
}

function splitArb(images: number): fc.Arbitrary<SplitConfig> {
  return fc.oneof(
    fc.integer({ min: 1, max: 9 }).map((v) => ({ kind: 'ratio' as const, train: (10 - v) / 10, val: v / 10 })),
    fc.integer({ min: 2, max: Math.min(10, images) }).chain((k) => fc.record({ kind: fc.constant('kfold' as const), k: fc.constant(k), fold: fc.integer({ min: 0, max: k - 1 }) })),
    fc.record({ kind: fc.constant('list' as const), val: fc.uniqueArray(fc.string({ minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 4 }) }),
  );
}

function modelArb(depth: number, limits: Limits) {
  return fc.constantFrom('r2unet' as const, 'unet' as const, 'attention_r2unet' as const).chain((arch) =>
    fc.record({
      arch: fc.constant(arch),
      depth: fc.constant(depth),
      filters: fc.integer({ min: 1, max: limits.filters }),
      t: fc.integer({ min: arch === 'unet' ? 0 : 1, max: 8 }),
      upsample: oneOfConst('transpose' as const, 'upsample_conv' as const),
      recurrence: oneOfConst('paper' as const, 'shared' as const),
      init: oneOfConst('pytorch' as const, 'he' as const, 'glorot' as const),
      norm: oneOfConst('none' as const, 'batch' as const, 'instance' as const, 'group' as const),
      dropout: real(0, 0.9),
    }),
  );
}

function trainArb() {
  const lr = positive(1);
  const adam = { lr, beta1: real(0, 1), beta2: real(0, 1), epsilon: positive(1e-3) };
  const loss: fc.Arbitrary<LossConfig> = fc.oneof(
    fc.constant({ kind: 'bce' as const }),
    fc.record({ kind: fc.constant('weighted_bce' as const), pos_weight: positive(100) }),
    fc.record({ kind: fc.constant('dice' as const), smooth: real(0, 10) }),
    fc.record({ kind: fc.constant('bce_dice' as const), dice_weight: real(0, 10), smooth: real(0, 10) }),
    fc.record({ kind: fc.constant('focal' as const), gamma: real(0, 5), alpha: real(0, 1) }),
  );
  const optimizer: fc.Arbitrary<OptimizerConfig> = fc.oneof(
    fc.record({ kind: fc.constant('adam' as const), ...adam }),
    fc.record({ kind: fc.constant('adamw' as const), ...adam, weight_decay: real(0, 1) }),
    fc.record({ kind: fc.constant('sgd' as const), lr, momentum: real(0, 1), nesterov: fc.boolean() }),
  );
  const factor = real(0, 1).filter((f) => f > 0 && f < 1);
  // min_lr and warmup are fitted to lr and epochs afterwards (fitTrain)
  const schedule: fc.Arbitrary<ScheduleConfig> = fc.oneof(
    fc.constant({ kind: 'constant' as const }),
    fc.record({ kind: fc.constant('step' as const), every: fc.integer({ min: 1, max: 100 }), factor }),
    fc.constant({ kind: 'cosine' as const, min_lr: 0, warmup: 0 }),
    fc.record({ kind: fc.constant('plateau' as const), factor, patience: fc.nat(20), min_lr: fc.constant(0) }),
  );
  return fc.record({
    loss,
    optimizer,
    schedule,
    batch: fc.constant(1),
    epochs: fc.integer({ min: 1, max: 500 }),
    early_stop: fc.option(fc.record({ monitor: fc.constantFrom(...MONITORS), patience: fc.constant(0), restore_best: fc.boolean() }), { nil: null }),
    clip_grad: real(0, 10),
    ema: fc.constantFrom(0, 0.9, 0.998),
    metrics: fc.uniqueArray(fc.constantFrom(...METRICS), { maxLength: METRICS.length }),
  });
}

function evalArb(patch: Dims) {
  return fc.record({
    threshold: real(0, 1),
    mode: oneOfConst('full_image' as const, 'sliding_window' as const),
    stride: fc.tuple(fc.integer({ min: 1, max: patch[0] }), fc.integer({ min: 1, max: patch[1] })) as fc.Arbitrary<Dims>,
    min_component: fc.nat(10000),
    fill_holes: fc.nat(10000),
    scale: oneOfConst('fov' as const, 'none' as const),
    tta: oneOfConst('none' as const, 'flips' as const, 'd4' as const),
  });
}

/**
 * Small synthetic experiments whose dry run (data and model included) takes a
 * second or two and succeeds: no ops that valid specs may still fail on at
 * data time (a second grayscale, a box or crop outside a resized image), and
 * list splits naming images the synthetic set has.
 */
export const smallExperimentArb = experimentArb({ depth: 2, filters: 8, imageSide: 96, realDatasets: false }).map((c): ExperimentConfig => {
  const ops = c.data.preprocess.filter((op) => op.op !== 'resize' && !(op.op === 'crop' && op.mode === 'box'));
  const gray = ops.findIndex((op) => op.op === 'grayscale');
  const preprocess = ops.filter((op, i) => op.op !== 'grayscale' || i === gray);
  const split: SplitConfig = c.data.split.kind === 'list' ? { kind: 'list', val: ['syn001', 'syn004'] } : c.data.split;
  const dataset: DatasetConfig = c.data.dataset.kind === 'synthetic' ? { ...c.data.dataset, count: 10 } : c.data.dataset;
  return { ...c, data: { ...c.data, dataset, preprocess, split }, runtime: { ...c.runtime, backend: 'cpu' } };
});
