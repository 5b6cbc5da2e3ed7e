// `r2u compare`: run folders side by side, for review. The parameters that
// differ come from the semantic diff (compiler/diff.ts) against the baseline;
// the metrics are those of each run's model: the epoch its spec keeps, its best
// by its monitored quantity (early stopping's monitor, else the validation
// loss, as training chooses its best checkpoint) or, under `keep_last` or
// `early_stop off`, its last. `--at best` and `--at last` ask every run for one
// of the two (the best of ten noisy epochs is an optimistic estimate, the last
// one is chosen by nothing), and `--at heldout` scores each validation image at
// the epoch the run's other validation images choose (chosen by nothing it
// scores, as a model is when it meets new images); an adoption rule may state
// which of these it judges (`scored at heldout`), and it is then the default;
// repeats (runs differing only in their seed or k-fold fold) are summarised as
// mean ± std, and two groups of repeats that share their seeds and folds are
// compared pair by pair (a paired comparison: the fold-to-fold spread, which is
// mostly the images', cancels), and image by image where the runs recorded
// their validation images' scores. An ensemble folder (`r2u ensemble`, or a run
// of `train { ensemble N }`) trained no epochs: it is scored by its
// validation.json, written as training scores an epoch, and paired by its
// spec's seed and fold.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { diffConfigs, isOp, showValue } from '../compiler/diff.js';
import type { AdoptionRule } from '../compiler/index.js';
import { canonicalJson } from '../spec/content-hash.js';
import type { ExperimentConfig } from '../spec/config.js';
import { withNewerDefaults } from '../spec/defaults.js';
import { ENSEMBLE_FILES, modelEpoch, RUN_FILES } from '../spec/run-files.js';
import { monitorOfShortName, shortMonitorName, type EpochChoice } from '../spec/vocabulary.js';
import type { EnsembleManifest } from '../runtime/run/ensemble.js';
import type { ComparisonPageData } from '../web/compare-page.js';
import { judge, type Verdict } from './adoption-verdict.js';
import { UsageError } from './flags.js';
import { FAMILY_FILE, readFamily, readState, trialDir } from './sweep-family.js';
import { signedFixed, type Table } from './table.js';

/** The figures compared, in this order; the loss is better lower, the rest higher. */
export const COMPARED_METRICS = ['val_dice', 'val_auc', 'val_sensitivity', 'val_specificity', 'val_accuracy', 'val_loss'] as const;
type Metric = (typeof COMPARED_METRICS)[number];
const lowerIsBetter = (m: string): boolean => m.endsWith('loss');


/** An adoption rule and where it was stated: `<family>/sweep.json`, or `--adopt-if`. */
export interface StatedRule {
  readonly rule: AdoptionRule;
  readonly from: string;
}

export interface RunResult {
  readonly name: string;
  readonly dir: string;
  readonly config: ExperimentConfig;
  /**
   * false for a sweep's trial that has not finished (training, or stopped
   * part-way): shown with its epochs so far, but left out of means and pairs
   */
  readonly finished: boolean;
  /** every finished epoch's record (metrics.jsonl), in order */
  readonly history: ReadonlyArray<Readonly<Record<string, number>>>;
  /** where it trained: run.json's machine line and backend.json's description (undefined when not recorded) */
  readonly machine?: string;
  readonly backend?: string;
  /** the r2u sources it trained with: run.json's source line (undefined when not recorded) */
  readonly source?: string;
  /** the adoption rule of the family the run belongs to (`adopt if …` in its sweep), and where it is stated */
  readonly adopt?: StatedRule;
  /** for an ensemble folder, what its members are (`3 seeds`); its config is its spec.json's (a `train { ensemble N }` run's, or the first member's) */
  readonly ensemble?: string;
  /** the scored epoch's record (its best or its last, as loaded); undefined when no epoch finished */
  readonly scored?: {
    /** null for an ensemble, which is scored once (validation.json) rather than at an epoch, and at heldout */
    readonly epoch: number | null;
    /** at heldout: the epoch each validation image was scored at, by image id */
    readonly epochs?: Readonly<Record<string, number>>;
    readonly at: EpochChoice;
    readonly monitor: string;
    readonly metrics: Readonly<Record<Metric, number>>;
    /** each validation image's figures at that epoch, by image id (absent in runs trained before they were recorded) */
    readonly images?: Readonly<Record<string, Readonly<Record<ImageMetric, number | null>>>>;
  };
}

/** The figures compared image by image (the scores training records per validation image). */
export const IMAGE_METRICS = ['dice', 'auc', 'sensitivity', 'specificity'] as const;
type ImageMetric = (typeof IMAGE_METRICS)[number];

/**
 * The runs named by the arguments: run folders, or family folders (each
 * trial that has begun; `finished` tells those that are done). When two
 * families hold trials of the same names (fold=0 … fold=4 of two k-fold
 * sweeps), each run is named by the argument it came from: `family/alias`,
 * or the run folder's path. Each run is scored `at` the epoch asked, else the
 * one the first family's adoption rule scores, else its model's.
 */
export async function loadRuns(paths: readonly string[], asked?: EpochChoice): Promise<RunResult[]> {
  const families = await Promise.all(
    paths.map(async (path) => {
      if (!existsSync(join(path, FAMILY_FILE))) return undefined;
      const family = await readFamily(path);
      if (!family) throw new UsageError(`${join(path, FAMILY_FILE)}: not a readable sweep`);
      return family;
    }),
  );
  const at = asked ?? families.find((f) => f?.adopt?.at)?.adopt?.at ?? 'model';
  const loaded: Array<{ run: RunResult; family?: string }> = [];
  for (const [i, path] of paths.entries()) {
    const family = families[i];
    if (family) {
      const adopt = family.adopt && { rule: family.adopt, from: join(basename(path), FAMILY_FILE) };
      for (const t of family.trials) {
        const dir = trialDir(path, t.alias);
        if (!existsSync(join(dir, RUN_FILES.spec))) continue;
        const finished = (await readState(path, t.alias)).status === 'done';
        loaded.push({ run: { ...(await loadRunOrEnsemble(dir, t.alias, at, finished)), ...(adopt && { adopt }) }, family: basename(path) });
      }
    } else if (existsSync(join(path, RUN_FILES.spec))) loaded.push({ run: await loadRunOrEnsemble(path, basename(path), at, true) });
    else throw new UsageError(`${path} is neither a run folder (spec.json) nor a sweep folder (${FAMILY_FILE})`);
  }
  if (loaded.length === 0) throw new UsageError('no finished runs to compare');
  const runs = loaded.map((l) => l.run);
  if (new Set(runs.map((r) => r.name)).size === runs.length) return runs;
  return loaded.map(({ run, family }) => ({ ...run, name: family === undefined ? run.dir : `${family}/${run.name}` }));
}

/** What runs that repeat one experiment share: everything but the seed and the validation images (the fold, the split's own seed). */
function repeatOf(config: ExperimentConfig): unknown {
  const { split } = config.data;
  const same = split.kind === 'list' ? split : { ...split, seed: undefined, ...(split.kind === 'kfold' && { fold: 0 }) };
  return { ...config, seed: 0, name: '', data: { ...config.data, split: same } };
}

/** The validation images a run drew: its fold and the seed its split is drawn from (the split's own, else the experiment's). */
function validationOf(config: ExperimentConfig): { fold: number | null; split: number | null } {
  const { split } = config.data;
  return split.kind === 'list' ? { fold: null, split: null } : { fold: split.kind === 'kfold' ? split.fold : null, split: split.seed ?? config.seed };
}

/** What tells the repeats of one experiment apart: the seed and the validation images; two groups are paired on it. */
function repeatKey(config: ExperimentConfig): string {
  return canonicalJson({ seed: config.seed, ...validationOf(config) });
}
/** the configuration paths repeatKey reads: they vary within a group, so they do not name one */
const REPEAT_PATHS = new Set(['seed', 'data.split.fold', 'data.split.seed']);

/** A run folder, or an ensemble folder (a finished `train { ensemble N }` run or trial, or `r2u ensemble`'s output). */
async function loadRunOrEnsemble(dir: string, name: string, at: EpochChoice, finished: boolean): Promise<RunResult> {
  // an ensemble has no epochs of its own
  const ensemble = existsSync(join(dir, RUN_FILES.metrics)) ? undefined : await loadEnsemble(dir, name);
  if (ensemble && at === 'heldout') {
    throw new UsageError(`${dir}: an ensemble has no epochs for its validation images to choose among (its members are their runs' models); compare it --at model`);
  }
  return ensemble ?? loadRun(dir, name, at, finished);
}

async function loadRun(dir: string, name: string, at: EpochChoice, finished: boolean): Promise<RunResult> {
  const config = withNewerDefaults(JSON.parse(await readFile(join(dir, RUN_FILES.spec), 'utf8')) as ExperimentConfig);
  const text = await readFile(join(dir, RUN_FILES.metrics), 'utf8').catch(() => '');
  type Line = Record<string, number> & { val_images?: Record<string, Record<ImageMetric, number | null>> };
  const lines = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Line);
  // the history holds the epoch's figures; the per-image ones go with the scored epoch only
  const records = lines.map(({ val_images: _, ...figures }) => figures as Record<string, number>);
  const monitor = config.train.early_stop?.monitor ?? 'val_loss';
  const where = await trainedOn(dir);
  if (at === 'heldout') {
    const heldout = lines.length ? scoredHeldOut(dir, lines) : undefined;
    return { name, dir, config, finished, history: records, ...where, ...(heldout && { scored: { epoch: null, at, monitor, ...heldout } }) };
  }
  const sign = lowerIsBetter(monitor) ? -1 : 1;
  const best = records.reduce<Record<string, number> | undefined>((b, r) => (b === undefined || sign * r[monitor] > sign * b[monitor] ? r : b), undefined);
  const epoch = at === 'model' ? modelEpoch(config) : at;
  const scored = epoch === 'last' ? records.at(-1) : best;
  const images = scored && lines[records.indexOf(scored)].val_images;
  if (!scored) return { name, dir, config, finished, history: records, ...where };
  const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, scored[m]])) as Record<Metric, number>;
  return { name, dir, config, finished, history: records, ...where, scored: { epoch: scored.epoch, at: epoch, monitor, metrics, ...(images && { images }) } };
}

type ImageFigures = Readonly<Record<ImageMetric, number | null>>;

/**
 * A run scored at heldout: each validation image at the epoch with the best
 * mean Dice on the run's other validation images (the first such epoch), and
 * the run's figures as the means of its images' (as training's are), so that
 * no figure was chosen by the image it scores. The loss is not recorded per image.
 */
function scoredHeldOut(dir: string, lines: ReadonlyArray<Record<string, unknown> & { val_images?: Record<string, ImageFigures> }>): Pick<NonNullable<RunResult['scored']>, 'metrics' | 'images' | 'epochs'> {
  const ids = Object.keys(lines[0].val_images ?? {});
  if (ids.length < 2 || lines.some(({ val_images: scores }) => scores === undefined || ids.some((id) => !(id in scores)))) {
    throw new UsageError(
      `${join(dir, RUN_FILES.metrics)}: --at heldout scores each validation image at the epoch the others choose, and this run ` +
        (ids.length === 1 ? 'validated one image' : 'did not record every epoch’s per-image scores (val_images; runs trained before r2u recorded them)'),
    );
  }
  const images: Record<string, ImageFigures> = {};
  const epochs: Record<string, number> = {};
  for (const id of ids) {
    const others = ids.filter((o) => o !== id);
    const diceOfOthers = lines.map((l) => meanOfKnown(others.map((o) => l.val_images![o].dice)));
    // the first epoch with the best Dice of the others
    const chosen = lines[diceOfOthers.reduce((b, d, i) => (d > diceOfOthers[b] ? i : b), 0)];
    images[id] = chosen.val_images![id];
    epochs[id] = chosen.epoch as number;
  }
  // each figure an image records (the loss is not: NaN)
  const figureOf = (id: string, m: Metric): number | null => (images[id] as Readonly<Record<string, number | null>>)[shortMonitorName(m)] ?? null;
  const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, meanOfKnown(ids.map((id) => figureOf(id, m)))])) as Record<Metric, number>;
  return { metrics, images, epochs };
}

/** Where a run trained: run.json's machine and source lines and backend.json's description (an ensemble's machine and backend: where its first member trained). */
async function trainedOn(dir: string, manifest?: EnsembleManifest): Promise<{ machine?: string; backend?: string; source?: string }> {
  // each file read once; a missing or unreadable file records nothing
  const fields = async (file: string): Promise<Record<string, unknown>> =>
    readFile(join(dir, file), 'utf8')
      .then((t) => JSON.parse(t) as unknown)
      .then((v) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}))
      .catch(() => ({}));
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const [run, backend] = await Promise.all([fields(RUN_FILES.run), fields(RUN_FILES.backend)]);
  const first = manifest?.trained_on?.[0];
  return {
    machine: text(run.machine) ?? first?.machine ?? undefined,
    backend: text(backend.description) ?? first?.backend ?? undefined,
    source: text(run.source),
  };
}

/**
 * An ensemble folder as a run: its spec (a `train { ensemble N }` run's, or the
 * first member's) and the record of its validation as training scores an epoch
 * (validation.json, written by `r2u ensemble` or by training), so that it pairs
 * exactly with runs. Undefined when the folder is not an ensemble.
 */
async function loadEnsemble(dir: string, name: string): Promise<RunResult | undefined> {
  // read as plain files, as loadRun reads a run: `r2u diff` of two folders runs without the runtime
  if (!existsSync(join(dir, ENSEMBLE_FILES.manifest))) return undefined;
  const json = async <T>(file: string): Promise<T | undefined> => readFile(join(dir, file), 'utf8').then((t) => JSON.parse(t) as T).catch(() => undefined);
  type Record_ = Record<Metric, number | null> & { val_images?: Record<string, Record<ImageMetric, number | null>> };
  const record = await json<Record_>(ENSEMBLE_FILES.validation);
  if (record === undefined) {
    throw new UsageError(
      `${dir}: an ensemble is compared by its score on its members' validation images (${ENSEMBLE_FILES.validation}), and it has none; ` +
        'r2u ensemble writes it where the members share their validation images and the data is at hand',
    );
  }
  const manifest = await json<EnsembleManifest>(ENSEMBLE_FILES.manifest);
  const members = manifest?.members;
  const specs = Array.isArray(members) ? await Promise.all(members.map((m) => json<ExperimentConfig>(join(m, RUN_FILES.spec)))) : [];
  if (specs.length === 0 || specs.some((s) => s === undefined)) throw new UsageError(`${join(dir, ENSEMBLE_FILES.manifest)}: its members' specs (${ENSEMBLE_FILES.members}/<i>/${RUN_FILES.spec}) cannot be read`);
  const config = withNewerDefaults((await json<ExperimentConfig>(RUN_FILES.spec))!);
  // JSON writes a figure a record cannot have (NaN) as null
  const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, record[m] ?? Number.NaN])) as Record<Metric, number>;
  // its members are their runs' models, whichever epoch is asked of runs
  const scored = { epoch: null, at: 'model' as const, monitor: config.train.early_stop?.monitor ?? 'val_loss', metrics, ...(record.val_images && { images: record.val_images }) };
  return { name, dir, config, finished: true, history: [], ...(await trainedOn(dir, manifest)), ensemble: membersOf(specs as ExperimentConfig[]), scored };
}

/**
 * What an ensemble's members are: `3 seeds` when only their seeds differ, else
 * the settings that differ. Not which seeds, so that ensembles of other seeds
 * repeat one experiment (the seed column shows the first member's).
 */
function membersOf(specs: readonly ExperimentConfig[]): string {
  const [first, ...rest] = specs;
  const differ = [...new Set(rest.flatMap((s) => diffConfigs(first, s).map((c) => c.path)))].filter((p) => p !== 'name');
  if (differ.every((p) => p === 'seed')) return `${specs.length} seeds`;
  return `${specs.length} members (${differ.map(shortPath).join(', ')} differ)`;
}

export interface Comparison {
  readonly baseline: string;
  /** which epoch of each run is scored */
  readonly at: EpochChoice;
  /** configuration paths whose values differ between the runs */
  readonly params: readonly string[];
  readonly metrics: readonly Metric[];
  readonly runs: ReadonlyArray<{
    readonly name: string;
    readonly dir: string;
    readonly params: Readonly<Record<string, unknown>>;
    /** false for a sweep's trial still training or stopped part-way: not in `repeats` or `paired` */
    readonly finished: boolean;
    /** the scored epoch */
    readonly epoch: number | null;
    /** at heldout: the epoch each validation image was scored at */
    readonly epochs?: Readonly<Record<string, number>>;
    readonly metrics: Readonly<Record<string, number | null>>;
    /** against the baseline */
    readonly change: Readonly<Record<string, number | null>>;
  }>;
  /** the run with the best value of each metric */
  readonly best: Readonly<Record<string, string>>;
  /** runs that differ only in their seed or fold, summarised; `label` is what the group's runs share of the differing parameters */
  readonly repeats: ReadonlyArray<RepeatGroup>;
  /**
   * each other group of repeats against the baseline's group, pair by pair
   * (the runs of one seed and fold, or each side's mean over its seeds on a fold): the change of each metric, its range,
   * and in how many pairs it is better
   */
  readonly paired: ReadonlyArray<{
    readonly group: string;
    readonly against: string;
    readonly pairs: number;
    /** run by run, or fold by fold (each side's mean over its seeds) where the groups hold different seeds on a fold */
    readonly by: PairedBy;
    readonly change: Readonly<Record<string, { readonly mean: number; readonly std: number; readonly min: number; readonly max: number; readonly better: number }>>;
    /** the adoption rule's verdict on these pairs, when a rule is stated (--adopt-if, else the group's family, else the baseline's) */
    readonly verdict?: Verdict;
  }>;
  /**
   * the same pairs image by image, where both runs of a pair recorded their
   * validation images: which images a change helps and which it costs (for
   * two runs, the second against the first)
   */
  readonly images: ReadonlyArray<{ readonly group: string; readonly against: string; readonly rows: readonly ImageChange[] }>;
  /** the machines and backends the runs trained on, each with its runs: figures from two CPUs differ in their rounding too */
  readonly machines: ReadonlyArray<{ readonly machine: string | null; readonly backend: string | null; readonly runs: readonly string[] }>;
  /** the r2u sources the runs trained with, each with its runs: a family trained across commits ran different code */
  readonly sources: ReadonlyArray<{ readonly source: string | null; readonly runs: readonly string[] }>;
}

/** One validation image in a pair of runs: its figures in the baseline's run and the change in the other's. */
export interface ImageChange {
  readonly image: string;
  /** what tells the pair from the others: its fold, or its seed */
  readonly pair: string;
  readonly baseline: Readonly<Record<ImageMetric, number | null>>;
  readonly change: Readonly<Record<ImageMetric, number | null>>;
}

export interface RepeatGroup {
  readonly label: string;
  readonly runs: readonly string[];
  readonly mean: Record<string, number>;
  readonly std: Record<string, number>;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The mean of the figures an image recorded (null or NaN where it did not); NaN if none. */
function meanOfKnown(xs: ReadonlyArray<number | null>): number {
  const known = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return known.length ? sum(known) / known.length : Number.NaN;
}

/** Mean and sample standard deviation (n − 1) of repeated figures. */
export function meanAndStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = sum(xs) / xs.length;
  return { mean, std: xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0 };
}

export function compareRuns(runs: readonly RunResult[], baselineName?: string, rule?: StatedRule): Comparison {
  // by default the first finished run: a family's stopped trial listed first would leave nothing to pair with
  const base = baselineName === undefined ? (runs.find((r) => r.finished && r.scored) ?? runs[0]) : runs.find((r) => r.name === baselineName || r.dir === baselineName);
  if (!base) throw new UsageError(`--baseline ${baselineName} is not among the compared runs (${runs.map((r) => r.name).join(', ')})`);
  // an ensemble differs from a run in its members before anything its spec says
  const configParams = [...new Set(runs.flatMap((r) => diffConfigs(base.config, r.config).map((c) => c.path)))].filter((p) => p !== 'name');
  const params = runs.some((r) => r.ensemble) ? [ENSEMBLE_PARAM, ...configParams] : configParams;
  const valueOf = (r: RunResult, path: string): unknown =>
    path === ENSEMBLE_PARAM ? (r.ensemble ?? null) : path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], r.config);
  const finite = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);
  const rows = runs.map((r) => {
    const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, finite(r.scored?.metrics[m])]));
    const change = Object.fromEntries(COMPARED_METRICS.map((m) => [m, r.scored && base.scored ? finite(r.scored.metrics[m] - base.scored.metrics[m]) : null]));
    const epochs = r.scored?.epochs;
    return { name: r.name, dir: r.dir, params: Object.fromEntries(params.map((p) => [p, valueOf(r, p) ?? null])), finished: r.finished, epoch: r.scored?.epoch ?? null, ...(epochs && { epochs }), metrics, change };
  });
  const best: Record<string, string> = {};
  for (const m of COMPARED_METRICS) {
    const sign = lowerIsBetter(m) ? -1 : 1;
    const top = rows.filter((r) => r.metrics[m] !== null).sort((a, b) => sign * (b.metrics[m]! - a.metrics[m]!))[0];
    if (top) best[m] = top.name;
  }
  // an unfinished trial's best so far is not its result: means and pairs take finished runs only
  const groups = new Map<string, RunResult[]>();
  for (const r of runs.filter((run) => run.finished)) {
    const key = canonicalJson([repeatOf(r.config), r.ensemble ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const naming = params.filter((p) => !REPEAT_PATHS.has(p));
  const labelOf = (g: readonly RunResult[]) =>
    naming.length > 0 ? naming.map((p) => named(p, valueOf(g[0], p) ?? null)).join(' ') : g.map((r) => r.name).join(' ');
  const measured = [...groups.values()].filter((g) => g.length > 1 && g.every((r) => r.scored));
  const repeats: RepeatGroup[] = measured.map((g) => {
    const mean: Record<string, number> = {};
    const std: Record<string, number> = {};
    for (const m of COMPARED_METRICS) ({ mean: mean[m], std: std[m] } = meanAndStd(g.map((r) => r.scored!.metrics[m])));
    return { label: labelOf(g), runs: g.map((r) => r.name), mean, std };
  });
  // the runs' scored epoch where they agree (an ensemble, scored as its members' models, has none of its own)
  const ats = new Set(runs.filter((r) => r.scored && r.ensemble === undefined).map((r) => r.scored!.at));
  const at: EpochChoice = ats.size === 1 ? [...ats][0] : 'model';
  const baseGroup = measured.find((g) => g.includes(base));
  // each other group paired once with the baseline's: the paired change and the image table read the same pairs
  const pairings = baseGroup ? measured.filter((g) => g !== baseGroup).map((g) => ({ group: g, ...pairsOf(g, baseGroup) })) : [];
  const paired = pairings.flatMap(({ group: g, pairs, by }) =>
    pairedChange(pairs, by, labelOf(g), labelOf(baseGroup!)).map((p) => {
      const stated = rule ?? g.find((r) => r.adopt)?.adopt ?? baseGroup!.find((r) => r.adopt)?.adopt;
      return stated ? { ...p, verdict: judge(stated.rule, stated.from, p.pairs, expectedPairs(baseGroup!, p.by), (m) => p.change[monitorOfShortName(m)], at) } : p;
    }),
  );
  const comparedPairs = pairings.map(({ group: g, pairs }) => ({ group: labelOf(g), against: labelOf(baseGroup!), pairs }));
  const other = runs.length === 2 ? runs.find((r) => r !== base) : undefined;
  if (other && comparedPairs.length === 0) comparedPairs.push({ group: other.name, against: base.name, pairs: [[other, base]] });
  const images = comparedPairs.map((p) => ({ group: p.group, against: p.against, rows: imageChanges(p.pairs) })).filter((p) => p.rows.length > 0);
  const machines = namesBy(runs, (r) => ({ machine: r.machine ?? null, backend: r.backend ?? null })).map(([where, names]) => ({ ...where, runs: names }));
  const sources = namesBy(runs, (r) => r.source ?? null).map(([source, names]) => ({ source, runs: names }));
  return {
    baseline: base.name,
    at,
    params,
    metrics: [...COMPARED_METRICS],
    runs: rows,
    best,
    repeats,
    paired,
    images,
    machines,
    sources,
  };
}

/** The runs' names grouped by a key (compared as JSON), groups and names in the runs' order. */
function namesBy<K>(runs: readonly RunResult[], keyOf: (r: RunResult) => K): Array<[K, string[]]> {
  const groups = new Map<string, [K, string[]]>();
  for (const r of runs) {
    const key = keyOf(r);
    const id = canonicalJson(key);
    if (!groups.has(id)) groups.set(id, [key, []]);
    groups.get(id)![1].push(r.name);
  }
  return [...groups.values()];
}

type Pair = readonly [RunResult, RunResult];

/** How two groups pair: run by run (one seed and fold each), or fold by fold (each side's mean over its seeds on the fold). */
export type PairedBy = 'run' | 'fold';

/** A group's runs by their validation images (their fold, or the seed their split is drawn from), in the group's order. */
function byValidation(group: readonly RunResult[]): Map<string, RunResult[]> {
  const units = new Map<string, RunResult[]>();
  for (const r of group) {
    const key = canonicalJson(validationOf(r.config));
    units.set(key, [...(units.get(key) ?? []), r]);
  }
  return units;
}

/**
 * The runs of `group` and `against` paired on their validation images: run by
 * run where both hold the same seeds on every fold they share, else fold by
 * fold, each side's mean over its seeds there. A changed recipe trains a
 * different path from the same seed, so a candidate of one seed is judged
 * against a baseline of several by their mean rather than by the baseline's
 * run of its seed. None when fewer than two pairs, or a seed and fold repeat
 * within a group.
 */
function pairsOf(group: readonly RunResult[], against: readonly RunResult[]): { pairs: Pair[]; by: PairedBy } {
  const distinct = (g: readonly RunResult[]) => new Set(g.map((r) => repeatKey(r.config))).size === g.length;
  if (!distinct(group) || !distinct(against)) return { pairs: [], by: 'run' };
  const [mine, theirs] = [byValidation(group), byValidation(against)];
  const shared = [...mine.keys()].filter((k) => theirs.has(k));
  const seeds = (runs: readonly RunResult[]) => canonicalJson(runs.map((r) => r.config.seed).sort((a, b) => a - b));
  const by: PairedBy = shared.every((k) => seeds(mine.get(k)!) === seeds(theirs.get(k)!)) ? 'run' : 'fold';
  const pairs =
    by === 'run'
      ? shared.flatMap((k) => mine.get(k)!.map((r) => [r, theirs.get(k)!.find((t) => t.config.seed === r.config.seed)!] as const))
      : shared.map((k) => [meanOverSeeds(mine.get(k)!), meanOverSeeds(theirs.get(k)!)] as const);
  return { pairs: pairs.length < 2 ? [] : pairs, by };
}

/** The pairs a complete comparison of a group with `against` has: its runs, or its folds when paired fold by fold. */
const expectedPairs = (against: readonly RunResult[], by: PairedBy): number => (by === 'run' ? against.length : byValidation(against).size);

/** Runs of several seeds on one fold as one: each figure and each image's figure the mean over the seeds. */
function meanOverSeeds(runs: readonly RunResult[]): RunResult {
  const [first] = runs;
  if (runs.length === 1) return first;
  const scored = runs.map((r) => r.scored!);
  const metrics = Object.fromEntries(COMPARED_METRICS.map((m) => [m, sum(scored.map((s) => s.metrics[m])) / scored.length])) as Record<Metric, number>;
  // every image any seed scored: seeds of one fold share their images by construction, but a record may lack one
  const ids = [...new Set(scored.flatMap((s) => Object.keys(s.images ?? {})))];
  const images = scored.every((s) => s.images)
    ? Object.fromEntries(
        ids.map((id) => [
          id,
          Object.fromEntries(IMAGE_METRICS.map((m) => [m, ((x) => (Number.isFinite(x) ? x : null))(meanOfKnown(scored.map((s) => s.images![id]?.[m] ?? null)))])) as Record<ImageMetric, number | null>,
        ]),
      )
    : undefined;
  return { ...first, name: runs.map((r) => r.name).join(' + '), scored: { ...scored[0], epoch: null, epochs: undefined, metrics, images } };
}

/** Each validation image that both runs of a pair scored: the baseline's figures and the change, sorted by image. */
function imageChanges(pairs: readonly Pair[]): ImageChange[] {
  // a figure an image could not have (NaN, written as null) or a record lacks has no change
  const figures = (s: Readonly<Record<string, number | null>>) => Object.fromEntries(IMAGE_METRICS.map((m) => [m, s[m] ?? null])) as Record<ImageMetric, number | null>;
  const rows: ImageChange[] = [];
  for (const [mine, theirs] of pairs) {
    const [a, b] = [mine.scored?.images, theirs.scored?.images];
    if (!a || !b) continue;
    const { kind } = mine.config.data.split;
    const pair = kind === 'kfold' ? `fold=${mine.config.data.split.fold}` : `seed=${mine.config.seed}`;
    for (const image of Object.keys(b).filter((id) => id in a)) {
      const [x, y] = [figures(a[image]), figures(b[image])];
      const change = Object.fromEntries(IMAGE_METRICS.map((m) => [m, x[m] === null || y[m] === null ? null : x[m] - y[m]]));
      rows.push({ image, pair, baseline: y, change: change as Record<ImageMetric, number | null> });
    }
  }
  return rows.sort((x, y) => x.image.localeCompare(y.image, 'en', { numeric: true }));
}

/** A group against the baseline's, over their pairs (see pairsOf) */
function pairedChange(pairs: readonly Pair[], by: PairedBy, group: string, against: string): Comparison['paired'] {
  if (pairs.length === 0) return [];
  const change: Record<string, { mean: number; std: number; min: number; max: number; better: number }> = {};
  for (const m of COMPARED_METRICS) {
    const d = pairs.map(([a, b]) => a.scored!.metrics[m] - b.scored!.metrics[m]);
    const sign = lowerIsBetter(m) ? -1 : 1;
    change[m] = { ...meanAndStd(d), min: Math.min(...d), max: Math.max(...d), better: d.filter((x) => sign * x > 0).length };
  }
  return [{ group, against, pairs: pairs.length, by, change }];
}

// a figure a run does not have (an ensemble's loss) is NaN in means and changes
const num = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(4));
const signed = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : signedFixed(x));
const shortMetric = shortMonitorName;
// a setting a run does not have (a single run's ensemble, a split without its own seed) shows as a dash, as a missing figure does
const param = (v: unknown): string => (v === null || v === undefined ? '—' : isOp(v) ? showValue('', v) : typeof v === 'object' ? canonicalJson(v) : String(v));
/** A parameter's short name: its last field, or with its parent where the field is an index (`preprocess.2`) or reads as the experiment's own (`split.seed`). */
const shortPath = (path: string): string => {
  const fields = path.split('.');
  const last = fields.at(-1)!;
  return fields.slice(/^\d+$/.test(last) || (fields.length > 1 && (last === 'seed' || last === 'name')) ? -2 : -1).join('.');
};
/** A parameter in a group's name: `lr=0.0005`; a preprocessing op names itself, `clahe(tiles: 8 x 8, clip: 3)`. */
const named = (path: string, v: unknown): string => (isOp(v) ? param(v) : `${shortPath(path)}=${param(v)}`);

/** The scored epoch's column: `best epoch`, or at heldout `heldout epochs` (each image's, in the run's order). */
const epochHeader = (c: Comparison): string => (c.at === 'heldout' ? 'heldout epochs' : `${c.at} epoch`);
const epochShown = (r: Comparison['runs'][number]): string => (r.epochs ? Object.values(r.epochs).join('/') : String(r.epoch ?? '—'));

/**
 * Two runs, old and new: the scored epoch and each metric with old, new and
 * change columns, after one row per differing parameter when `params`.
 */
export function metricDeltas(c: Comparison, params: boolean): Table {
  const [a, b] = c.runs;
  const rows = [
    ...(params ? c.params.map((p) => [p, param(a.params[p]), param(b.params[p]), '']) : []),
    [epochHeader(c), epochShown(a), epochShown(b), ''],
    ...c.metrics.map((m) => [shortMetric(m), num(a.metrics[m]), num(b.metrics[m]), a.name === c.baseline ? signed(b.change[m]) : signed(a.change[m])]),
  ];
  const shown = (r: Comparison['runs'][number]) => `${r.name}${r.finished ? '' : ', unfinished'}`;
  return { headers: ['', `old (${shown(a)})`, `new (${shown(b)})`, 'change'], rows, right: new Set([1, 2, 3]) };
}

/**
 * Two runs: one row per differing parameter and per metric, with old, new and
 * change columns. More: one row per run, each metric with its change against
 * the baseline, the best value marked `*`, then a mean ± std row per group of repeats (seeds, folds),
 * and for each other group the paired change against the baseline's group.
 */
export function comparisonTables(c: Comparison): Table[] {
  if (c.runs.length === 2) return [metricDeltas(c, true), ...imageTables(c), ...machinesTable(c), ...sourcesTable(c)];
  const headers = ['run', ...c.params.map(shortPath), epochHeader(c), ...c.metrics.flatMap((m) => [shortMetric(m), 'Δ'])];
  const right = new Set(headers.map((_, i) => i).filter((i) => i > c.params.length));
  const rows = c.runs.map((r) => [
    `${r.name}${r.name === c.baseline ? ' (baseline)' : ''}${r.finished ? '' : ' (unfinished)'}`,
    ...c.params.map((p) => param(r.params[p])),
    epochShown(r),
    ...c.metrics.flatMap((m) => [num(r.metrics[m]) + (c.best[m] === r.name ? '*' : ''), r.name === c.baseline ? '' : signed(r.change[m])]),
  ]);
  const tables: Table[] = [{ headers, rows, right }];
  if (c.repeats.length) {
    tables.push({
      headers: ['repeats (seeds, folds)', 'n', ...c.metrics.map(shortMetric)],
      rows: c.repeats.map((g) => [g.label, String(g.runs.length), ...c.metrics.map((m) => (Number.isFinite(g.mean[m]) ? `${num(g.mean[m])} ± ${num(g.std[m])}` : '—'))]),
      right: new Set(c.metrics.map((_, i) => i + 1)),
    });
  }
  for (const p of c.paired) {
    tables.push({
      headers: [`paired against ${p.against}${p.by === 'fold' ? " (fold by fold: each side's mean over its seeds)" : ''}`, 'pairs', ...c.metrics.map(shortMetric)],
      rows: [
        [p.group, String(p.pairs), ...c.metrics.map((m) => (Number.isFinite(p.change[m].mean) ? `${signed(p.change[m].mean)} ± ${num(p.change[m].std)}` : '—'))],
        ['range', '', ...c.metrics.map((m) => (Number.isFinite(p.change[m].mean) ? `${signed(p.change[m].min)} … ${signed(p.change[m].max)}` : '—'))],
        ['better in', '', ...c.metrics.map((m) => (Number.isFinite(p.change[m].mean) ? `${p.change[m].better}/${p.pairs}` : '—'))],
      ],
      right: new Set(c.metrics.map((_, i) => i + 1)),
    });
    if (p.verdict) tables.push(verdictTable(p.group, p.verdict));
  }
  return [...tables, ...imageTables(c), ...machinesTable(c), ...sourcesTable(c)];
}

/** Image by image: the baseline's Dice and AUC, and each figure's change in the other run of the pair. */
function imageTables(c: Comparison): Table[] {
  return c.images.map((g) => ({
    headers: [`image (${g.group} against ${g.against})`, 'pair', 'dice', 'Δ dice', 'auc', 'Δ auc', 'Δ sens', 'Δ spec'],
    rows: g.rows.map((r) => [r.image, r.pair, num(r.baseline.dice), signed(r.change.dice), num(r.baseline.auc), signed(r.change.auc), signed(r.change.sensitivity), signed(r.change.specificity)]),
    right: new Set([2, 3, 4, 5, 6, 7]),
  }));
}

const HOLDS: Record<string, string> = { true: 'yes', false: 'no', 'so far': 'yes so far', 'not so far': 'not yet', cannot: 'cannot tell' };

/** One row per clause of the adoption rule, then the decision and why. */
function verdictTable(group: string, v: Verdict): Table {
  return {
    headers: [`adopt ${group} if (${v.from})`, 'measured', 'holds'],
    rows: [...v.clauses.map((c) => [c.text, c.measured, HOLDS[String(c.holds)]]), [`decision: ${v.decision.toUpperCase()}`, v.reason, '']],
  };
}

/** Where the runs trained, shown only when they did not all train on one machine and backend. */
function machinesTable(c: Comparison): Table[] {
  if (c.machines.length < 2) return [];
  return [{ headers: ['trained on (machine; backend)', 'runs'], rows: c.machines.map((m) => [`${m.machine ?? 'machine not recorded'}; ${m.backend ?? 'backend not recorded'}`, m.runs.join(', ')]) }];
}

/** Which r2u sources the runs trained with, shown only when they did not all train with the same. */
function sourcesTable(c: Comparison): Table[] {
  if (c.sources.length < 2) return [];
  return [{ headers: ['trained with (r2u sources)', 'runs'], rows: c.sources.map((s) => [s.source ?? 'not recorded', s.runs.join(', ')]) }];
}

/** The column that names an ensemble's members (`ensemble=3 seeds`) */
const ENSEMBLE_PARAM = 'ensemble';

/** The page shows the panels of this many best runs, and at most this many panels of each. */
const PANEL_RUNS = 3;
const PANELS_PER_RUN = 3;

/** What `r2u compare --html` draws: the same tables, each run's curves, and the best runs' panels (as data: URIs). */
export async function comparisonPageData(c: Comparison, runs: readonly RunResult[], title: string): Promise<ComparisonPageData> {
  const monitor = runs.find((r) => r.scored)?.scored!.monitor ?? 'val_loss';
  // the scored figures hold the monitor at whatever epoch (or epochs, at heldout) was scored
  const value = (r: RunResult): number | null => {
    const v = r.scored?.metrics[monitor as Metric];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const sign = lowerIsBetter(monitor) ? -1 : 1;
  const ranked = runs.filter((r) => value(r) !== null).sort((a, b) => sign * (value(b)! - value(a)!));
  const panels = [];
  for (const r of ranked.slice(0, PANEL_RUNS)) {
    const files = (await readdir(join(r.dir, 'panels')).catch(() => [])).filter((f) => f.endsWith('.png')).sort().slice(0, PANELS_PER_RUN);
    const images = await Promise.all(files.map(async (f) => ({ name: f, src: `data:image/png;base64,${(await readFile(join(r.dir, 'panels', f))).toString('base64')}` })));
    if (images.length) panels.push({ run: r.name, value: value(r)!, images });
  }
  const recorded = new Set(runs.flatMap((r) => r.history.flatMap((h) => Object.keys(h))));
  return {
    title,
    baseline: c.baseline,
    monitor,
    at: c.at,
    tables: comparisonTables(c).map((t) => ({ headers: t.headers, rows: t.rows, right: [...(t.right ?? [])] })),
    params: c.params,
    curves: [...new Set([monitor, 'val_dice', 'val_loss', 'val_auc'])].filter((m) => recorded.has(m)),
    runs: runs.map((r, i) => ({ name: r.name, params: c.runs[i].params, value: value(r), history: r.history })),
    panels,
  };
}
