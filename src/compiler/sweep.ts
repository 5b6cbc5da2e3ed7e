// `sweep { … }`: a family of experiments stated inside one. A trial is exactly
// a list of `--set` assignments on the experiment, so every path is found in
// the statement table and every value read by its slot, as `--set` does
// (settings.ts, overrides.ts); each expanded trial is then validated as a whole
// experiment, and a mistake is reported at the sweep line with the failing
// combination.
//
//   sweep {
//     vary "train.optimizer.lr" 1e-3, 3e-3          a grid axis: crossed with the others
//     vary "model.filters" range(4, 16, step: 4)     4, 8, 12, 16 (both ends included)
//     vary "train.optimizer.lr" logrange(1e-4, 1e-2, count: 3)
//     zip width {                                    paths that vary together (equal lengths)
//       vary "model.filters" 4, 8
//       vary "train.batch" 16, 32
//     }
//     grid { vary … ; zip … { … } }                  several grids: the family is their union,
//                                                    each crossed with the statements outside them
//     seeds 1, 2                                     every point repeated once per seed
//     random 20 seed 7                               draw 20 points of the space instead of all;
//                                                    range(a, b) / logrange(a, b) without a step
//                                                    or count is then sampled continuously
//     adopt if mean dice above 0, dice better in 4 of 5
//                                                    the rule `r2u compare` judges the family by against
//                                                    a baseline family (adoption.ts)
//   }
//
// SWEEP_WORDS below is the one statement table of the sweep: the checks here,
// the language reference, the TextMate grammar and completion read it.
import { ADOPT_FORM, readAdoptStatement, RULE_METRICS, type AdoptionRule } from './adoption.js';
import type { Atom, Phrase, Statement } from './ast.js';
import { error, hasErrors, type Diagnostic } from './diagnostics.js';
import { readPhrases } from './overrides.js';
import { applyAssignments } from './resolve.js';
import { findSetting } from './settings.js';
import { joinSpans, type Span } from './source.js';
import { suggest } from './suggest.js';
import { validateConfig } from './validate.js';
import { contentHash, knownParts } from '../spec/content-hash.js';
import type { ExperimentConfig } from '../spec/config.js';

/** The statement that states a sweep inside `experiment NAME { … }`. */
export const SWEEP_KEY = 'sweep';

/** A statement of the sweep language: where it may stand, how it is written, what it does. */
export interface SweepWord {
  readonly word: string;
  /** how it is written, for messages and the reference */
  readonly form: string;
  /** the blocks it may stand in */
  readonly within: ReadonlyArray<'sweep' | 'grid' | 'zip'>;
  /** it opens a block of its own */
  readonly block: boolean;
  readonly doc: string;
}

export const SWEEP_WORDS: readonly SweepWord[] = [
  {
    word: 'vary',
    form: 'vary "PATH" VALUE, VALUE, …',
    within: ['sweep', 'grid', 'zip'],
    block: false,
    doc: 'A grid axis: the configuration path (as `--set` names it) takes each value in turn, crossed with the other axes. A value is read as the statement at that path would read it, so `vary "train.early_stop" val_dice patience 2, val_auc patience 3` works; `range(…)` and `logrange(…)` stand for their values.',
  },
  {
    word: 'zip',
    form: 'zip NAME { vary … }',
    within: ['sweep', 'grid'],
    block: true,
    doc: 'Paths that vary together: the i-th trial of the zip sets every path to its i-th value, so all need the same number of values. The zip is crossed with the rest.',
  },
  {
    word: 'grid',
    form: 'grid { vary … ; zip … }',
    within: ['sweep'],
    block: true,
    doc: 'One grid of several: the family is the union of the grids, each crossed with the `vary` and `zip` statements outside them; a combination two grids share is planned once.',
  },
  {
    word: 'seeds',
    form: 'seeds N, N, …',
    within: ['sweep'],
    block: false,
    doc: 'Repeats every point of the family once per seed (the experiment\'s `seed`), for mean ± std in `r2u compare`.',
  },
  {
    word: 'random',
    form: 'random N seed S',
    within: ['sweep'],
    block: false,
    doc: 'Draws N distinct points of the space the other statements state, with the seeded generator S (the same N and S give the same trials), instead of all of them; `seeds` still repeats each point. Each draw takes a grid (weighted by its number of combinations), a value of each axis and a row of each zip; `range(a, b)` without a step is sampled uniformly between its ends and `logrange(a, b)` without a count log-uniformly (to 4 significant digits). N larger than a finite space is an error.',
  },
  {
    word: 'adopt',
    form: ADOPT_FORM,
    within: ['sweep'],
    block: false,
    doc: "The rule by which this family replaces a baseline family, stated before any trial trains and recorded in the family's `sweep.json`. `r2u compare BASELINE FAMILY` judges it on the pairs (runs of the same seed and fold): `mean METRIC above X` (or `below`) on the mean paired change, `METRIC better in N of M` on the number of better pairs (the loss is better lower). The verdict is adopt, reject, or undecided while pairs are missing; a family is rejected early once a `better in` clause can no longer hold. METRIC is one of " + RULE_METRICS.join(', ') + '.',
  },
];

/** The calls that stand for a list of numbers in a `vary` or `seeds` statement. */
export const RANGE_FORMS: ReadonlyArray<{ readonly call: string; readonly form: string; readonly doc: string }> = [
  { call: 'range', form: 'range(START, STOP, step: S)', doc: 'START, START + S, … up to STOP, both ends included. Without `step`, under `random` only: any number between the ends, drawn uniformly.' },
  { call: 'logrange', form: 'logrange(START, STOP, count: N)', doc: 'N numbers from START to STOP, evenly spaced on a log scale, both ends included. Without `count`, under `random` only: drawn log-uniformly between the (positive) ends.' },
];

export const RANGE_CALLS = RANGE_FORMS.map((r) => r.call);
/** The statements a sweep block holds directly. */
export const SWEEP_STATEMENTS = SWEEP_WORDS.filter((w) => w.within.includes('sweep')).map((w) => w.word);
const GRID_STATEMENTS = SWEEP_WORDS.filter((w) => w.within.includes('grid')).map((w) => w.word);
const formOf = (word: string) => SWEEP_WORDS.find((w) => w.word === word)!.form;

/** One value of an axis: its phrase as written (or a number a range made), and the `--set` text it stands for. */
interface AxisValue {
  readonly phrase: Phrase;
  readonly text: string;
}

interface Axis {
  readonly path: string;
  readonly pathSpan: Span;
  readonly values: readonly AxisValue[];
  /** `range(a, b)` / `logrange(a, b)` under `random`: a value drawn between the ends at each draw */
  readonly continuous?: { readonly low: number; readonly high: number; readonly log: boolean; readonly span: Span };
}

/** A grid's factor: one axis, or several zipped ones; row i sets each axis to its i-th value. */
interface Factor {
  readonly axes: readonly Axis[];
  /** a continuous axis counts as one row */
  readonly rows: number;
}

/** `random N seed S` */
interface Draw {
  readonly count: number;
  readonly seed: number;
  readonly span: Span;
}

export interface Trial {
  /** 1-based position in the plan */
  readonly index: number;
  /** first 12 hex digits of the resolved experiment's content hash */
  readonly id: string;
  /** readable name from the varying values, also the trial's folder name: `lr=1e-3,filters=4,seed=1` */
  readonly alias: string;
  /** the trial as `--set` arguments on the spec, in order */
  readonly sets: readonly string[];
  /** the varying values, by path, as written */
  readonly values: Readonly<Record<string, string>>;
  /** shares the parts no sweep value sets with the base experiment and the other trials: read only */
  readonly config: ExperimentConfig;
}

export interface SweepPlan {
  /** the paths that vary across the family, in the order the sweep states them */
  readonly varying: readonly string[];
  readonly trials: readonly Trial[];
  /** combinations that stated an experiment already in the plan (e.g. overlapping grids, or a repeated draw) */
  readonly duplicates: number;
  /** `random N seed S`, when the trials were drawn */
  readonly random?: { readonly count: number; readonly seed: number };
  /** `adopt if …`: the rule `r2u compare` judges the family by against a baseline */
  readonly adopt?: AdoptionRule;
  /** the spec file whose `sweep` block this is: the experiment's own, or a parent's it inherits */
  readonly statedIn: string;
  /** the block is a parent's (statedIn is not the experiment's own file) */
  readonly inherited: boolean;
}

/** The statement names `none` (`sweep none`), with or without a block after it. */
const namesNone = (st: Statement): boolean => st.args.length === 1 && st.args[0].atoms.length === 1 && st.args[0].atoms[0].kind === 'ident' && st.args[0].atoms[0].text === 'none';

/** `sweep none`: the spec states that it has no family, not even an inherited one. */
export const isSweepNone = (st: Statement): boolean => namesNone(st) && !st.block;

/** Refuses plans larger than this (a typo in a range should not enumerate millions). */
export const MAX_TRIALS = 100_000;

/**
 * Expands the sweep statement over `base` (the resolved experiment of the spec
 * `file`) and checks every trial. A statement of another file is a parent's,
 * inherited: its mistakes are reported where it stands, noting who inherits it.
 */
export function planSweep(statement: Statement, base: ExperimentConfig, file: string): { plan?: SweepPlan; diagnostics: Diagnostic[] } {
  const inherited = statement.span.file !== file;
  const planned = expandSweep(statement, base, file);
  if (!inherited) return planned;
  const note = `${file} inherits this sweep`;
  return { ...planned, diagnostics: planned.diagnostics.map((d) => ({ ...d, note: d.note ? `${d.note}; ${note}` : note })) };
}

function expandSweep(statement: Statement, base: ExperimentConfig, file: string): { plan?: SweepPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const expected = 'sweep { vary "path" values… }';
  if (statement.args.length) {
    const message = namesNone(statement) ? "'sweep none' states that there is no family; it takes no block" : "'sweep' takes a block, or 'none' to drop an inherited sweep";
    diagnostics.push(error('bad-value', message, statement.args[0].span, { expected: `${expected} or sweep none` }));
  }
  if (!statement.block) return { diagnostics: [...diagnostics, error('missing', "'sweep' needs a block", statement.key.span, { expected })] };
  const random = onlyOnce(statement.block.statements, 'random', diagnostics);
  const draw = random && drawOf(random, diagnostics);
  const adoptStatement = onlyOnce(statement.block.statements, 'adopt', diagnostics);
  const adopt = adoptStatement && readAdoptStatement(adoptStatement.args, adoptStatement.key.span);
  if (adopt) diagnostics.push(...adopt.diagnostics);
  if (adoptStatement?.block) diagnostics.push(error('bad-value', "'adopt' takes no block", adoptStatement.block.span, { expected: ADOPT_FORM }));
  const sampling = random !== undefined;
  const shared: Factor[] = [];
  const grids: Factor[][] = [];
  let seeds: Axis | undefined;
  for (const s of statement.block.statements) {
    if (s.key.text === 'random' || s.key.text === 'adopt') continue;
    if (s.key.text === 'grid') {
      if (s.args.length) diagnostics.push(error('bad-value', "'grid' takes no arguments, only a block", s.args[0].span));
      grids.push(factorsOf(s.block?.statements ?? [], diagnostics, 'grid', sampling));
    } else if (s.key.text === 'seeds') {
      if (seeds) diagnostics.push(error('duplicate-key', "'seeds' is given twice in the sweep", s.key.span));
      seeds = axisOf(s, diagnostics, false, 'seed', s.args);
    } else shared.push(...factorsOf([s], diagnostics, 'sweep', sampling));
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  const families = (grids.length ? grids : [[]]).map((g) => [...shared, ...g]);
  if (families.every((f) => f.length === 0) && !seeds) return { diagnostics: [error('missing', 'the sweep varies nothing', statement.key.span, { expected: 'vary "path" values…, zip NAME { … }, grid { … } or seeds …' })] };
  const points = families.reduce((n, f) => n + f.reduce((m, x) => m * x.rows, 1), 0);
  const repeats = seeds?.values.length ?? 1;
  const varying = [...new Set([...families.flatMap((f) => f.flatMap((x) => x.axes.map((a) => a.path))), ...(seeds ? [seeds.path] : [])])];
  const planner = new Planner(base, file, statement.key.span, varying);
  if (draw) {
    const finite = families.every((f) => f.every((x) => x.axes.every((a) => !a.continuous)));
    if (finite && draw.count > points) {
      return { diagnostics: [error('bad-value', `random ${draw.count} draws more points than the ${points} the sweep states`, draw.span, { expected: `random N seed S with N ≤ ${points}, or no 'random' to plan all ${points}` })] };
    }
    if (draw.count * repeats > MAX_TRIALS) return { diagnostics: [error('bad-value', `random ${draw.count} × ${repeats} seeds states ${draw.count * repeats} trials; the limit is ${MAX_TRIALS}`, draw.span)] };
    drawPoints(families, seeds, draw, planner);
  } else {
    const count = points * repeats;
    if (count > MAX_TRIALS) return { diagnostics: [error('bad-value', `the sweep states ${count} trials; the limit is ${MAX_TRIALS}`, statement.key.span)] };
    let position = 0;
    for (const factors of families) {
      const rows = factors.reduce((n, f) => n * f.rows, 1);
      for (let r = 0; r < rows; r++) {
        // row r of the product, the last factor varying fastest, then the seeds
        const picks = factors.map(() => 0);
        for (let f = factors.length - 1, rest = r; f >= 0; f--) {
          picks[f] = rest % factors[f].rows;
          rest = Math.floor(rest / factors[f].rows);
        }
        const chosen = factors.flatMap((f, i) => f.axes.map((axis) => ({ axis, value: axis.values[picks[i]] })));
        for (const seed of seeds?.values ?? [undefined]) {
          const all = seed ? [...chosen, { axis: seeds!, value: seed }] : chosen;
          planner.add(all, `in trial ${++position} of ${count}`);
        }
      }
    }
  }
  const result = planner.finish();
  if (!result.plan) return { diagnostics: result.diagnostics };
  const drawn = draw && { count: draw.count, seed: draw.seed };
  return { ...result, plan: { ...result.plan, statedIn: statement.span.file, inherited: statement.span.file !== file, ...(drawn && { random: drawn }), ...(adopt?.rule && { adopt: adopt.rule }) } };
}

/** The statement `word` of the sweep, which may stand once; each repeat is reported at its key. */
function onlyOnce(statements: readonly Statement[], word: string, diagnostics: Diagnostic[]): Statement | undefined {
  const given = statements.filter((s) => s.key.text === word);
  for (const extra of given.slice(1)) diagnostics.push(error('duplicate-key', `'${word}' is given twice in the sweep`, extra.key.span, { note: `first given on line ${given[0].span.line}` }));
  return given[0];
}

/** `random N seed S`: N a whole number of at least 1, S a whole number. */
function drawOf(s: Statement, diagnostics: Diagnostic[]): Draw | undefined {
  const expected = formOf('random');
  const atoms = s.args.length === 1 ? s.args[0].atoms : [];
  const [n, word, seed] = atoms;
  if (s.block || atoms.length !== 3 || n.kind !== 'number' || word.kind !== 'ident' || word.text !== 'seed' || seed.kind !== 'number') {
    diagnostics.push(error('bad-value', "'random' takes a number of draws and a seed", s.args[0]?.span ?? s.key.span, { expected: `${expected}, e.g. random 20 seed 7` }));
    return undefined;
  }
  if (!Number.isInteger(n.value) || n.value < 1) diagnostics.push(error('bad-value', `random needs a whole number of draws of at least 1, not ${n.text}`, n.span, { expected }));
  if (!Number.isSafeInteger(seed.value) || seed.value < 0) diagnostics.push(error('bad-value', `random's seed must be a whole number of at least 0, not ${seed.text}`, seed.span, { expected }));
  return hasErrors(diagnostics) ? undefined : { count: n.value, seed: seed.value, span: s.span };
}

/**
 * Draws distinct points until there are `draw.count` of them (a repeated draw
 * is drawn again), each repeated per seed. A finite space never runs out (its
 * size was checked); a mostly repeating one gives up after 20 draws per point.
 */
function drawPoints(families: Factor[][], seeds: Axis | undefined, draw: Draw, planner: Planner): void {
  const next = seededRandom(draw.seed);
  const weights = families.map((f) => f.reduce((m, x) => m * x.rows, 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const tried = new Set<string>();
  const limit = 20 * draw.count + 100;
  let points = 0;
  let draws = 0;
  while (points < draw.count && draws < limit) {
    draws++;
    let k = Math.floor(next() * total);
    let g = 0;
    while (k >= weights[g]) k -= weights[g++];
    const chosen = families[g].flatMap((f) => {
      const row = Math.floor(next() * f.rows);
      return f.axes.map((axis) => ({ axis, value: axis.continuous ? sampled(axis.continuous, next()) : axis.values[row] }));
    });
    const key = `${g}:${chosen.map((c) => c.value.text).join('\u0000')}`;
    if (tried.has(key)) continue;
    tried.add(key);
    let fresh = false;
    for (const seed of seeds?.values ?? [undefined]) {
      if (planner.add(seed ? [...chosen, { axis: seeds!, value: seed }] : chosen, `in draw ${draws} of random ${draw.count} seed ${draw.seed}`) !== 'duplicate') fresh = true;
    }
    if (fresh) points++;
  }
  if (points < draw.count) planner.fail(error('bad-value', `random ${draw.count} found only ${points} distinct points in ${draws} draws`, draw.span, { expected: 'fewer draws, or more values to draw from' }));
}

/** A value between the ends of a continuous range, to 4 significant digits. */
function sampled(range: NonNullable<Axis['continuous']>, u: number): AxisValue {
  const { low, high, log } = range;
  const x = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
  return numberValue(Math.min(high, Math.max(low, Number(x.toPrecision(4)))), range.span);
}

/**
 * mulberry32: a seeded generator of numbers in [0, 1). Math.random cannot be
 * seeded, and four lines that give the same draws on every machine and Node
 * version are simpler than a dependency.
 */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The factors of a block of `vary` and `zip` statements. */
function factorsOf(statements: readonly Statement[], diagnostics: Diagnostic[], within: 'sweep' | 'grid', sampling: boolean): Factor[] {
  const factors: Factor[] = [];
  for (const s of statements) {
    if (s.key.text === 'vary') {
      const axis = axisOf(s, diagnostics, sampling);
      if (axis) factors.push({ axes: [axis], rows: axis.continuous ? 1 : axis.values.length });
    } else if (s.key.text === 'zip') {
      const name = s.args[0]?.atoms[0];
      if (!name || name.kind !== 'ident' || s.args.length > 1 || s.args[0].atoms.length > 1) {
        diagnostics.push(error('bad-value', "'zip' takes a name, then a block of 'vary' statements", s.args[0]?.span ?? s.key.span, { expected: formOf('zip') }));
        continue;
      }
      const inner = s.block?.statements ?? [];
      const axes: Axis[] = [];
      for (const v of inner) {
        if (v.key.text !== 'vary') diagnostics.push(error('unknown-key', `a zip holds only 'vary' statements, not '${v.key.text}'`, v.key.span));
        else {
          const axis = axisOf(v, diagnostics, false);
          if (axis) axes.push(axis);
        }
      }
      if (axes.length === 0) {
        diagnostics.push(error('missing', `zip '${name.text}' varies nothing`, s.key.span, { expected: formOf('zip') }));
        continue;
      }
      const lengths = axes.map((a) => a.values.length);
      if (new Set(lengths).size > 1) {
        diagnostics.push(
          error('bad-value', `the paths of zip '${name.text}' vary together, so they need equal numbers of values; found ${axes.map((a) => `${a.path}: ${a.values.length}`).join(', ')}`, s.key.span),
        );
        continue;
      }
      factors.push({ axes, rows: lengths[0] });
    } else {
      const allowed = within === 'sweep' ? SWEEP_STATEMENTS : GRID_STATEMENTS;
      diagnostics.push(error('unknown-key', `unknown statement '${s.key.text}' in '${within}'`, s.key.span, { expected: `one of ${allowed.join(', ')}`, suggestion: suggest(s.key.text, allowed) }));
    }
  }
  return factors;
}

/**
 * `vary "path" v, v, …` (or `seeds n, n, …` for the path `seed`). Each
 * comma-separated phrase is one value, so a whole statement's arguments can be
 * a value (`vary "train.early_stop" val_dice patience 3, val_auc patience 5`).
 * `sampling`: a range without its step or count is continuous (only a lone
 * `vary … range(a, b)` under `random`).
 */
function axisOf(s: Statement, diagnostics: Diagnostic[], sampling: boolean, fixedPath?: string, args: readonly Phrase[] = s.args): Axis | undefined {
  let path = fixedPath;
  let pathSpan = s.key.span;
  const phrases = [...args];
  if (path === undefined) {
    const first = phrases[0]?.atoms[0];
    if (!first || first.kind !== 'string') {
      diagnostics.push(error('missing', `'vary' needs a configuration path as a string, then its values`, first?.span ?? s.key.span, { expected: 'vary "train.optimizer.lr" 1e-3, 3e-3' }));
      return undefined;
    }
    path = first.value;
    pathSpan = first.span;
    const rest = phrases[0].atoms.slice(1);
    if (rest.length) phrases[0] = { atoms: rest, span: joinSpans(rest[0].span, rest.at(-1)!.span) };
    else phrases.shift();
  }
  if (phrases.length === 0) {
    diagnostics.push(error('missing', `'${path}' needs at least one value`, s.key.span, { expected: `${s.key.text}${fixedPath ? '' : ` "${path}"`} value, value, …` }));
    return undefined;
  }
  const values: AxisValue[] = [];
  for (const phrase of phrases) {
    const [atom] = phrase.atoms;
    if (phrase.atoms.length === 1 && atom.kind === 'call' && RANGE_CALLS.includes(atom.name)) {
      const range = rangeValues(atom, diagnostics, sampling && phrases.length === 1);
      if ('continuous' in range) return { path, pathSpan, values: [], continuous: range.continuous };
      values.push(...range);
    } else values.push({ phrase, text: sourceText(phrase.span) });
  }
  return { path, pathSpan, values };
}

const sourceText = (span: Span): string => span.source.text.slice(span.offset, span.offset + span.length);

/** A number as an axis value, shown at `span` (the range that made it). */
function numberValue(x: number, span: Span): AxisValue {
  const value = Number(x.toPrecision(12));
  const text = String(value);
  return { phrase: { atoms: [{ kind: 'number', text, value, span }], span }, text };
}

/**
 * `range(start, stop, step: s)` and `logrange(start, stop, count: n)`, both
 * ends included; without the step or count, when `continuous` is allowed, the
 * interval itself.
 */
function rangeValues(call: Extract<Atom, { kind: 'call' }>, diagnostics: Diagnostic[], continuous: boolean): AxisValue[] | { continuous: NonNullable<Axis['continuous']> } {
  const log = call.name === 'logrange';
  const third = log ? 'count' : 'step';
  const expected = RANGE_FORMS.find((r) => r.call === call.name)!.form;
  const numbers: Record<string, number> = {};
  const names = ['start', 'stop', third];
  call.args.forEach((arg, i) => {
    const name = arg.name?.text ?? names[i];
    const [a] = arg.atoms;
    if (!names.includes(name ?? '')) diagnostics.push(error('unknown-key', `${call.name} has no argument '${name ?? i + 1}'`, arg.span, { expected }));
    else if (arg.atoms.length !== 1 || a.kind !== 'number') diagnostics.push(error('bad-value', `${call.name}'s ${name} must be a number`, arg.span, { expected }));
    else numbers[name!] = a.value;
  });
  const missing = names.filter((n) => numbers[n] === undefined);
  const { start, stop } = numbers;
  if (continuous && missing.length === 1 && missing[0] === third) {
    if (log && (start <= 0 || stop <= 0)) diagnostics.push(error('bad-value', 'logrange needs positive ends', call.span, { expected }));
    else if (!(start < stop)) diagnostics.push(error('bad-value', `${call.name}(${start}, ${stop}) is empty: the start must be below the stop`, call.span, { expected }));
    else return { continuous: { low: start, high: stop, log, span: call.span } };
    return [];
  }
  if (missing.length) {
    if (!diagnostics.some((d) => d.span && d.span.offset >= call.span.offset && d.span.offset < call.span.offset + call.span.length)) {
      const why = missing.length === 1 && missing[0] === third ? `; without it, a ${call.name} is a continuous interval, which only 'random N seed S' can sample (alone in its 'vary', outside zips)` : '';
      diagnostics.push(error('missing', `${call.name} needs ${missing.join(' and ')}${why}`, call.span, { expected }));
    }
    return [];
  }
  const step = numbers[third];
  let points: number[] = [];
  if (log) {
    if (!Number.isInteger(step) || step < 2) diagnostics.push(error('bad-value', 'logrange needs a count of at least 2', call.span, { expected }));
    else if (start <= 0 || stop <= 0) diagnostics.push(error('bad-value', 'logrange needs positive ends', call.span, { expected }));
    else points = Array.from({ length: step }, (_, i) => start * (stop / start) ** (i / (step - 1)));
  } else if (step === 0 || Math.sign(stop - start) * Math.sign(step) < 0) {
    diagnostics.push(error('bad-value', `range step ${step} never reaches ${stop} from ${start}`, call.span, { expected }));
  } else {
    const n = Math.floor((stop - start) / step + 1e-9) + 1;
    if (n > MAX_TRIALS) diagnostics.push(error('bad-value', `range gives ${n} values; the limit is ${MAX_TRIALS}`, call.span));
    else points = Array.from({ length: n }, (_, i) => start + i * step);
  }
  return points.map((x) => numberValue(x, call.span));
}

type Chosen = ReadonlyArray<{ readonly axis: Axis; readonly value: AxisValue }>;

/**
 * Turns combinations into trials: each applied to the base and validated,
 * duplicates (by trial id) dropped, each distinct mistake reported once with
 * the first combination that made it.
 */
class Planner {
  private readonly reported = new Map<string, { diagnostic: Diagnostic; more: number }>();
  private readonly trials: Trial[] = [];
  private readonly seen = new Set<string>();
  private readonly failures: Diagnostic[] = [];
  private readonly names: Map<string, string>;
  // canonical JSON of the parts trials share with the base, written once
  private readonly shared: ReadonlyMap<object, string>;
  private duplicates = 0;

  constructor(
    private readonly base: ExperimentConfig,
    private readonly file: string,
    private readonly sweepSpan: Span,
    private readonly varying: readonly string[],
  ) {
    this.names = shortNames(varying);
    this.shared = knownParts(base);
  }

  add(chosen: Chosen, where: string): 'trial' | 'duplicate' | 'invalid' {
    const combination = chosen.map((c) => `${c.axis.path}=${c.value.text}`).join(', ');
    const note = `${where}: ${combination}`;
    const trialDiagnostics: Diagnostic[] = [];
    const working = { ...(this.base as unknown as Record<string, unknown>) };
    const owned = new Set<object>([working]);
    const spans = new Map<string, Span>();
    for (const { axis, value } of chosen) {
      const segments = axis.path.split('.');
      const setting = findSetting(working, segments);
      if (setting.kind === 'unknown') {
        const named = segments.slice(0, setting.at + 1).join('.');
        trialDiagnostics.push(
          error('unknown-key', `unknown setting '${named}'`, axis.pathSpan, {
            expected: setting.expected.length ? `one of ${setting.expected.join(', ')}` : undefined,
            suggestion: suggest(segments[setting.at] ?? '', setting.expected),
            note: setting.note,
          }),
        );
        continue;
      }
      const read = readPhrases(setting, [value.phrase], value.phrase.span);
      trialDiagnostics.push(...read.diagnostics);
      for (const a of read.assignments) ownPath(working, a.path, owned);
      applyAssignments(working, read.assignments);
      for (const a of read.assignments) spans.set(a.path.join('.'), value.phrase.span);
    }
    // the base's own warnings were reported with it; keep only those a sweep value causes
    const sweepValues = new Set(spans.values());
    const fromSweep = (d: Diagnostic) => d.severity === 'error' || (d.span !== undefined && sweepValues.has(d.span));
    if (!hasErrors(trialDiagnostics)) {
      // a rule broken by the combination, at a place no sweep value sets, is shown at the sweep
      const located = (d: Diagnostic): Diagnostic => (d.span && sweepValues.has(d.span) ? d : { ...d, span: this.sweepSpan });
      trialDiagnostics.push(...validateConfig(working, spans, this.file).filter(fromSweep).map(located));
    }
    for (const d of trialDiagnostics) {
      const key = `${d.span?.offset}:${d.code}:${d.message}`;
      const known = this.reported.get(key);
      if (known) known.more++;
      else this.reported.set(key, { diagnostic: d, more: 0 });
    }
    if (hasErrors(trialDiagnostics)) {
      for (const d of trialDiagnostics) {
        const entry = this.reported.get(`${d.span?.offset}:${d.code}:${d.message}`)!;
        if (entry.more === 0) entry.diagnostic = { ...d, note: d.note ? `${d.note}; ${note}` : note };
      }
      return 'invalid';
    }
    const config = working as unknown as ExperimentConfig;
    const id = contentHash(config, this.shared).slice('sha256:'.length, 'sha256:'.length + 12);
    if (this.seen.has(id)) {
      this.duplicates++;
      return 'duplicate';
    }
    this.seen.add(id);
    const values = Object.fromEntries(chosen.map((c) => [c.axis.path, c.value.text]));
    const alias = this.varying.filter((p) => p in values).map((p) => `${this.names.get(p)}=${values[p]}`).join(',').replace(/[^A-Za-z0-9._=,+-]/g, '-');
    this.trials.push({ index: this.trials.length + 1, id, alias, sets: chosen.map((c) => `${c.axis.path}=${c.value.text}`), values, config });
    return 'trial';
  }

  fail(diagnostic: Diagnostic): void {
    this.failures.push(diagnostic);
  }

  finish(): { plan?: Omit<SweepPlan, 'statedIn' | 'inherited'>; diagnostics: Diagnostic[] } {
    const diagnostics = [...this.failures];
    for (const { diagnostic, more } of this.reported.values()) {
      diagnostics.push(more > 0 && diagnostic.severity === 'error' ? { ...diagnostic, note: `${diagnostic.note ?? ''} (and ${more} more trial${more > 1 ? 's' : ''})` } : diagnostic);
    }
    return hasErrors(diagnostics) ? { diagnostics } : { plan: { varying: this.varying, trials: this.trials, duplicates: this.duplicates }, diagnostics };
  }
}

/**
 * Copies the objects and arrays along `path` that the trial still shares with
 * the base, so that assigning there changes the trial only. A trial copies what
 * its values touch instead of the whole experiment (a 1,000-trial plan spent
 * most of its time cloning).
 */
function ownPath(root: Record<string, unknown>, path: readonly (string | number)[], owned: Set<object>): void {
  let node: Record<string, unknown> = root;
  for (const key of path) {
    const child = node[key as string];
    if (child === null || typeof child !== 'object') return;
    if (!owned.has(child)) {
      const copy = Array.isArray(child) ? [...child] : { ...(child as Record<string, unknown>) };
      owned.add(copy);
      node[key as string] = copy;
      node = copy as Record<string, unknown>;
    } else node = child as Record<string, unknown>;
  }
}
/** The last segment of each path, or more of it where two paths would share a name. */
function shortNames(paths: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const p of paths) {
    const segs = p.split('.');
    let k = 1;
    const nameOf = (n: number) => segs.slice(-n).join('.');
    while (k < segs.length && paths.some((q) => q !== p && q.split('.').slice(-k).join('.') === nameOf(k))) k++;
    names.set(p, nameOf(k));
  }
  return names;
}
