// The entry point of generated modules (generated/<spec>.ts): parses their
// command line, applies `--set` overrides exactly as a spec would be
// validated, then prints the dry-run plan or trains. User mistakes end with a
// message and an exit code from src/cli/exit-codes.ts, never a stack trace.
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../cli/exit-codes.js';
import { contentHash } from '../compiler/codegen/canonical.js';
import { formatDiagnostics, hasErrors, parseOverrides, validateConfig, type Diagnostic } from '../compiler/index.js';
import { applyAssignments } from '../compiler/resolve.js';
import type { Span } from '../compiler/source.js';
import { BackendError, initBackend } from './backend.js';
import type { DataConfig, ExperimentConfig } from './config.js';
import { createPreprocessor, DataError, loadDataset, splitImages } from './data/index.js';
import { buildModel, formatSummary, summarizeModel } from './model/index.js';
import { DivergedError, RunError } from './run/errors.js';
import { trainExperiment } from './train/loop.js';

/** Options of a training run started from a generated module. */
export type TrainerOptions = NonNullable<Parameters<typeof trainExperiment>[1]>;

/** Where a generated module came from, as its header states. */
export interface ModuleOrigin {
  /** the spec, repo-relative */
  readonly source: string;
  /** content hash of the experiment as compiled */
  readonly hash: string;
}

/** Channels of the images after preprocessing: fundus photographs are RGB until `grayscale`. */
export function inputChannels(data: DataConfig): number {
  return data.preprocess.some((op) => op.op === 'grayscale') ? 1 : 3;
}

/** True when the module at `moduleUrl` is the script Node was started with (not imported). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(resolve(script));
  } catch {
    return false;
  }
}

interface Flags {
  set?: string[];
  dryRun?: boolean;
  out?: string;
  backend?: string;
  workers?: string;
  resume?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs a generated module's command line; resolves to the process exit code. */
export async function runGenerated(config: ExperimentConfig, argv: string[], origin: ModuleOrigin): Promise<number> {
  const program = new Command(origin.source.replace(/^.*\//, '').replace(/\.r2u$/, ''))
    .description(`Train the experiment compiled from ${origin.source}`)
    .option('--set <key=value>', 'override a field of the experiment by its path (repeatable)', collect)
    .option('--dry-run', 'print the plan and the model summary, then exit without training')
    .option('--out <dir>', 'run folder to create (default runs/<name>-<timestamp>)')
    .option('--backend <name>', 'TensorFlow.js backend: auto, tensorflow, wasm or cpu (sets runtime.backend)')
    .option('--workers <n>', 'data-parallel workers, 0 = one per core (sets runtime.workers)')
    .option('--resume <run>', 'continue the run directory RUN from its last checkpoint')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  let flags: Flags;
  try {
    program.parse(argv, { from: 'user' });
    flags = program.opts<Flags>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }

  // --backend and --workers are shorthands for --set, so they are validated alike
  const sets = [...(flags.set ?? [])];
  if (flags.backend !== undefined) sets.push(`runtime.backend=${flags.backend}`);
  if (flags.workers !== undefined) sets.push(`runtime.workers=${flags.workers}`);
  let experiment = config;
  if (sets.length > 0) {
    const result = applyOverrides(config, sets, origin.source);
    if (result.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(result.diagnostics, { color: process.stderr.isTTY === true })}\n`);
    if (result.config === undefined) return EXIT.invalid;
    experiment = result.config;
  }

  // Ctrl-C ends training after the current step; finished epochs stay checkpointed
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once('SIGINT', onInterrupt);
  try {
    if (flags.dryRun === true) return await dryRun(experiment, origin, sets);
    await trainExperiment(experiment, {
      out: flags.out,
      resume: flags.resume,
      log: (line: string) => process.stdout.write(`${line}\n`),
      signal: abort.signal,
    });
    return EXIT.ok;
  } catch (err) {
    return reportFailure(err);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * `--set` overrides on a resolved experiment, validated exactly like a spec
 * (the same parsing of values by the type they replace, the same schema and
 * cross-field rules); `config` is undefined when there are errors.
 */
export function applyOverrides(config: ExperimentConfig, sets: readonly string[], origin: string): { config?: ExperimentConfig; diagnostics: Diagnostic[] } {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const { assignments, diagnostics } = parseOverrides(copy, sets);
  if (hasErrors(diagnostics)) return { diagnostics };
  applyAssignments(copy, assignments);
  const spans = new Map<string, Span>(assignments.map((a) => [a.path.join('.'), a.span]));
  diagnostics.push(...validateConfig(copy, spans, origin));
  return hasErrors(diagnostics) ? { diagnostics } : { config: copy as unknown as ExperimentConfig, diagnostics };
}

/** A failure of the run itself: data, backend, run folder or numerics. Bugs keep their stack. */
function reportFailure(err: unknown): number {
  if (err instanceof RunError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof DataError || err instanceof BackendError || err instanceof DivergedError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.runtime;
  }
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.path === 'string') {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.runtime;
  }
  throw err;
}

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
  const stepsPerEpoch = Math.ceil(c.data.patches.per_epoch / t.batch);
  return [
    `dataset:   ${ds.kind === 'synthetic' ? `synthetic, ${ds.count} images of ${dims(ds.size)}, seed ${ds.seed}` : `${ds.kind} at ${ds.root}`}`,
    `patches:   ${dims(c.data.patches.size)}, ${c.data.patches.per_epoch} per epoch, ${c.data.patches.vessel_fraction * 100}% centred on vessels`,
    `split:     ${c.data.split.kind === 'list' ? `validate on ${c.data.split.val.join(', ')}` : variant(c.data.split)}`,
    `augment:   ${augment.length > 0 ? augment.join(', ') : 'none'}`,
    `model:     ${c.model.arch}, depth ${c.model.depth}, ${c.model.filters} filters, t ${c.model.t}, ${c.model.upsample}, ${c.model.recurrence} recurrence, norm ${c.model.norm}, dropout ${c.model.dropout}`,
    `loss:      ${variant(t.loss)}`,
    `optimizer: ${variant(t.optimizer)}${t.clip_grad > 0 ? `, gradient norm clipped at ${t.clip_grad}` : ''}`,
    `schedule:  ${variant(t.schedule)}`,
    `training:  ${t.epochs} epochs x ${stepsPerEpoch} steps of ${t.batch} patches, seed ${c.seed}`,
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

/** The directory a real (non-synthetic) dataset would be read from, as the loader resolves it. */
function datasetRoot(data: DataConfig): string | undefined {
  const ds = data.dataset;
  if (ds.kind === 'synthetic') return undefined;
  const env = ds.kind === 'drive' ? process.env.R2U_DRIVE_ROOT : undefined;
  return resolve(env !== undefined && env !== '' ? env : ds.root);
}

async function dryRun(c: ExperimentConfig, origin: ModuleOrigin, sets: readonly string[]): Promise<number> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`experiment ${c.name} (dry run)`);
  out(`spec:      ${origin.source}`);
  if (sets.length > 0) {
    out(`overrides: ${sets.join(' ')}`);
    out(`hash:      ${contentHash(c)} (compiled as ${origin.hash})`);
  } else out(`hash:      ${origin.hash}`);
  for (const line of describeExperiment(c)) out(line);

  const planned = plannedPipeline(c.data);
  out('preprocess:');
  for (const [i, step] of planned.entries()) out(`  ${i + 1}. ${step}`);

  const backend = await initBackend(c.runtime.backend);
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
  const root = datasetRoot(c.data);
  if (root !== undefined && !existsSync(root)) {
    out(`data:      not checked: ${root} does not exist (training will need it)`);
    return EXIT.ok;
  }
  const dataset = await loadDataset(c.data, { seed: c.seed });
  const split = splitImages(dataset.images, c.data.split, c.seed);
  const first = dataset.images[0];
  out(`data:      ${dataset.images.length} images, ${first.width}x${first.height} after preprocessing, ${dataset.channels} channel${dataset.channels === 1 ? '' : 's'}`);
  const fitted = dataset.preprocessor.describe();
  if (fitted.join('\n') !== planned.join('\n')) {
    out('preprocess, fitted on the training images:');
    for (const [i, step] of fitted.entries()) out(`  ${i + 1}. ${step}`);
  }
  out(`split:     ${split.train.length} training, ${split.val.length} validation (${split.val.map((im) => im.id).join(', ')})`);
  const [ph, pw] = c.data.patches.size;
  const small = dataset.images.filter((im) => im.height < ph || im.width < pw);
  if (small.length > 0) throw new DataError(`patches of ${ph}x${pw} do not fit in ${small.length} preprocessed image(s), e.g. ${small[0].id} (${small[0].height}x${small[0].width})`);
  if (dataset.channels !== channels) throw new DataError(`the images have ${dataset.channels} channels after preprocessing, the model expects ${channels}`);
  return EXIT.ok;
}
