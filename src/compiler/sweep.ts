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
//   }
import type { Atom, Phrase, Statement } from './ast.js';
import { error, hasErrors, type Diagnostic } from './diagnostics.js';
import { readPhrases } from './overrides.js';
import { applyAssignments } from './resolve.js';
import { findSetting } from './settings.js';
import { joinSpans, type Span } from './source.js';
import { suggest } from './suggest.js';
import { validateConfig } from './validate.js';
import { contentHash } from '../spec/content-hash.js';
import type { ExperimentConfig } from '../spec/config.js';

/** The statement that states a sweep inside `experiment NAME { … }`. */
export const SWEEP_KEY = 'sweep';

/** One value of an axis: its phrase as written (or a number a range made), and the `--set` text it stands for. */
interface AxisValue {
  readonly phrase: Phrase;
  readonly text: string;
}

interface Axis {
  readonly path: string;
  readonly pathSpan: Span;
  readonly values: readonly AxisValue[];
}

/** A grid's factor: one axis, or several zipped ones; row i sets each axis to its i-th value. */
interface Factor {
  readonly axes: readonly Axis[];
  readonly rows: number;
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
  readonly config: ExperimentConfig;
}

export interface SweepPlan {
  /** the paths that vary across the family, in the order the sweep states them */
  readonly varying: readonly string[];
  readonly trials: readonly Trial[];
  /** combinations that stated an experiment already in the plan (e.g. overlapping grids) */
  readonly duplicates: number;
}

/** Refuses plans larger than this (a typo in a range should not enumerate millions). */
export const MAX_TRIALS = 100_000;

export const RANGE_CALLS = ['range', 'logrange'];
export const SWEEP_STATEMENTS = ['vary', 'zip', 'grid', 'seeds'];

/** Expands the sweep statement over `base` (the resolved experiment it belongs to) and checks every trial. */
export function planSweep(statement: Statement, base: ExperimentConfig, file: string): { plan?: SweepPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (statement.args.length) diagnostics.push(error('bad-value', "'sweep' takes no arguments, only a block", statement.args[0].span, { expected: 'sweep { vary "path" values… }' }));
  if (!statement.block) return { diagnostics: [...diagnostics, error('missing', "'sweep' needs a block", statement.key.span, { expected: 'sweep { vary "path" values… }' })] };
  const shared: Factor[] = [];
  const grids: Factor[][] = [];
  let seeds: Axis | undefined;
  for (const s of statement.block.statements) {
    if (s.key.text === 'grid') {
      if (s.args.length) diagnostics.push(error('bad-value', "'grid' takes no arguments, only a block", s.args[0].span));
      grids.push(factorsOf(s.block?.statements ?? [], diagnostics, false));
    } else if (s.key.text === 'seeds') {
      if (seeds) diagnostics.push(error('duplicate-key', "'seeds' is given twice in the sweep", s.key.span));
      seeds = axisOf(s, diagnostics, 'seed', s.args);
    } else shared.push(...factorsOf([s], diagnostics, true));
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  const families = (grids.length ? grids : [[]]).map((g) => [...shared, ...g, ...(seeds ? [{ axes: [seeds], rows: seeds.values.length }] : [])]);
  if (families.every((f) => f.length === 0)) return { diagnostics: [error('missing', 'the sweep varies nothing', statement.key.span, { expected: 'vary "path" values…, zip NAME { … }, grid { … } or seeds …' })] };
  const count = families.reduce((n, f) => n + f.reduce((m, x) => m * x.rows, 1), 0);
  if (count > MAX_TRIALS) return { diagnostics: [error('bad-value', `the sweep states ${count} trials; the limit is ${MAX_TRIALS}`, statement.key.span)] };
  const varying = [...new Set(families.flatMap((f) => f.flatMap((x) => x.axes.map((a) => a.path))))];
  return expand(families, varying, base, file, count, statement.key.span);
}

/** The factors of a block of `vary` and `zip` statements. */
function factorsOf(statements: readonly Statement[], diagnostics: Diagnostic[], topLevel: boolean): Factor[] {
  const factors: Factor[] = [];
  for (const s of statements) {
    if (s.key.text === 'vary') {
      const axis = axisOf(s, diagnostics);
      if (axis) factors.push({ axes: [axis], rows: axis.values.length });
    } else if (s.key.text === 'zip') {
      const name = s.args[0]?.atoms[0];
      if (!name || name.kind !== 'ident' || s.args.length > 1 || s.args[0].atoms.length > 1) {
        diagnostics.push(error('bad-value', "'zip' takes a name, then a block of 'vary' statements", s.args[0]?.span ?? s.key.span, { expected: 'zip NAME { vary "path" values… }' }));
        continue;
      }
      const inner = s.block?.statements ?? [];
      const axes: Axis[] = [];
      for (const v of inner) {
        if (v.key.text !== 'vary') diagnostics.push(error('unknown-key', `a zip holds only 'vary' statements, not '${v.key.text}'`, v.key.span));
        else {
          const axis = axisOf(v, diagnostics);
          if (axis) axes.push(axis);
        }
      }
      if (axes.length === 0) {
        diagnostics.push(error('missing', `zip '${name.text}' varies nothing`, s.key.span, { expected: 'zip NAME { vary "path" values… }' }));
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
      const allowed = topLevel ? SWEEP_STATEMENTS : ['vary', 'zip'];
      diagnostics.push(error('unknown-key', `unknown statement '${s.key.text}' in '${topLevel ? 'sweep' : 'grid'}'`, s.key.span, { expected: `one of ${allowed.join(', ')}`, suggestion: suggest(s.key.text, allowed) }));
    }
  }
  return factors;
}

/**
 * `vary "path" v, v, …` (or `seeds n, n, …` for the path `seed`). Each
 * comma-separated phrase is one value, so a whole statement's arguments can be
 * a value (`vary "train.early_stop" val_dice patience 3, val_auc patience 5`).
 */
function axisOf(s: Statement, diagnostics: Diagnostic[], fixedPath?: string, args: readonly Phrase[] = s.args): Axis | undefined {
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
    if (phrase.atoms.length === 1 && atom.kind === 'call' && RANGE_CALLS.includes(atom.name)) values.push(...rangeValues(atom, diagnostics));
    else values.push({ phrase, text: sourceText(phrase.span) });
  }
  return { path, pathSpan, values };
}

const sourceText = (span: Span): string => span.source.text.slice(span.offset, span.offset + span.length);

/** `range(start, stop, step: s)` and `logrange(start, stop, count: n)`, both ends included. */
function rangeValues(call: Extract<Atom, { kind: 'call' }>, diagnostics: Diagnostic[]): AxisValue[] {
  const log = call.name === 'logrange';
  const third = log ? 'count' : 'step';
  const expected = log ? 'logrange(start, stop, count: n)' : 'range(start, stop, step: s)';
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
  if (missing.length) {
    if (!diagnostics.some((d) => d.span && d.span.offset >= call.span.offset && d.span.offset < call.span.offset + call.span.length)) {
      diagnostics.push(error('missing', `${call.name} needs ${missing.join(' and ')}`, call.span, { expected }));
    }
    return [];
  }
  const { start, stop } = numbers;
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
  return points.map((x) => {
    const value = Number(x.toPrecision(12));
    const text = String(value);
    return { phrase: { atoms: [{ kind: 'number', text, value, span: call.span }], span: call.span }, text };
  });
}

/** Every combination of every grid, each applied to the base and validated; duplicates dropped. */
function expand(families: Factor[][], varying: readonly string[], base: ExperimentConfig, file: string, count: number, sweepSpan: Span): { plan?: SweepPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const reported = new Map<string, { diagnostic: Diagnostic; more: number }>();
  const trials: Trial[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let position = 0;
  const names = shortNames(varying);
  for (const factors of families) {
    const rows = factors.reduce((n, f) => n * f.rows, 1);
    for (let r = 0; r < rows; r++) {
      position++;
      // row r of the product, the last factor varying fastest
      const chosen: Array<{ axis: Axis; value: AxisValue }> = [];
      let rest = r;
      const picks = factors.map(() => 0);
      for (let f = factors.length - 1; f >= 0; f--) {
        picks[f] = rest % factors[f].rows;
        rest = Math.floor(rest / factors[f].rows);
      }
      factors.forEach((f, i) => f.axes.forEach((axis) => chosen.push({ axis, value: axis.values[picks[i]] })));
      const combination = chosen.map((c) => `${c.axis.path}=${c.value.text}`).join(', ');
      const note = `in trial ${position} of ${count}: ${combination}`;
      const trialDiagnostics: Diagnostic[] = [];
      const working = structuredClone(base) as unknown as Record<string, unknown>;
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
        applyAssignments(working, read.assignments);
        for (const a of read.assignments) spans.set(a.path.join('.'), value.phrase.span);
      }
      // the base's own warnings were reported with it; keep only those a sweep value causes
      const fromSweep = (d: Diagnostic) => d.severity === 'error' || [...spans.values()].some((s) => s === d.span);
      if (!hasErrors(trialDiagnostics)) {
        // a rule broken by the combination, at a place no sweep value sets, is shown at the sweep
        const sweepValues = new Set(spans.values());
        const located = (d: Diagnostic): Diagnostic => (d.span && sweepValues.has(d.span) ? d : { ...d, span: sweepSpan });
        trialDiagnostics.push(...validateConfig(working, spans, file).filter(fromSweep).map(located));
      }
      for (const d of trialDiagnostics) {
        const key = `${d.span?.offset}:${d.code}:${d.message}`;
        const known = reported.get(key);
        if (known) known.more++;
        else reported.set(key, { diagnostic: d, more: 0 });
      }
      if (hasErrors(trialDiagnostics)) {
        for (const d of trialDiagnostics) {
          const entry = reported.get(`${d.span?.offset}:${d.code}:${d.message}`)!;
          if (entry.more === 0) entry.diagnostic = { ...d, note: d.note ? `${d.note}; ${note}` : note };
        }
        continue;
      }
      const config = working as unknown as ExperimentConfig;
      const id = contentHash(config).slice('sha256:'.length, 'sha256:'.length + 12);
      if (seen.has(id)) {
        duplicates++;
        continue;
      }
      seen.add(id);
      const values = Object.fromEntries(chosen.map((c) => [c.axis.path, c.value.text]));
      const alias = varying.filter((p) => p in values).map((p) => `${names.get(p)}=${values[p]}`).join(',').replace(/[^A-Za-z0-9._=,+-]/g, '-');
      trials.push({ index: trials.length + 1, id, alias, sets: chosen.map((c) => `${c.axis.path}=${c.value.text}`), values, config });
    }
  }
  for (const { diagnostic, more } of reported.values()) {
    diagnostics.push(more > 0 && diagnostic.severity === 'error' ? { ...diagnostic, note: `${diagnostic.note ?? ''} (and ${more} more trial${more > 1 ? 's' : ''})` } : diagnostic);
  }
  return hasErrors(diagnostics) ? { diagnostics } : { plan: { varying, trials, duplicates }, diagnostics };
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
