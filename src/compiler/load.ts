// The front end's driver: read a spec (and the specs it extends), parse,
// resolve, apply defaults and --set overrides, validate. Never throws for a
// user mistake: every outcome is a configuration and/or diagnostics.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve as resolvePath } from 'node:path';
import type { ExperimentConfig } from '../spec/config.js';
import type { SpecAst } from './ast.js';
import { DEFAULT_EXPERIMENT } from '../spec/defaults.js';
import { error, hasErrors, type Diagnostic } from './diagnostics.js';
import { parseOverrides } from './overrides.js';
import { parseSource } from './parse.js';
import { applyAssignments, resolveBlock, type Assignment } from './resolve.js';
import { SourceFile, type Span } from './source.js';
import { isSweepNone, planSweep, SWEEP_KEY, type SweepPlan } from './sweep.js';
import type { Statement } from './ast.js';
import { validateConfig, type SpanMap } from './validate.js';

/** Specs larger than this are refused before parsing (a spec is a page of text). */
export const MAX_SPEC_BYTES = 1 << 20;
/** Deeper block nesting than this is refused before parsing (the language needs 4). */
export const MAX_NESTING = 32;

export interface LoadOptions {
  /** `--set path=value` overrides, applied after the file and its parents */
  sets?: readonly string[];
  /** the text of a parent spec (by absolute path) when it is not the file's, e.g. an editor's unsaved buffer */
  parentText?: (absolutePath: string) => string | undefined;
}

export interface LoadedExperiment {
  /** present when there are no errors */
  config?: ExperimentConfig;
  diagnostics: Diagnostic[];
  /** every spec file read, the given one first, then its parents */
  sources: string[];
  /** where each configuration path was set */
  spans: SpanMap;
  /** the syntax tree of the given file, when it could be read */
  ast?: SpecAst;
  /**
   * the family of trials: the given file's `sweep`, else the nearest parent's
   * (planned over this file's experiment); `sweep none` states there is none
   */
  sweep?: SweepPlan;
}

export type ReadResult = { source: SourceFile } | { diagnostic: Diagnostic };

/** Reads a spec file as UTF-8, with a clear diagnostic for each way that can fail. */
export function readSpec(path: string): ReadResult {
  const display = displayPath(path);
  const fail = (message: string, code: Diagnostic['code'] = 'io') => ({ diagnostic: error(code, message, undefined, { file: display }) });
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fail(`${display} is a directory, not a spec file`);
    if (st.size > MAX_SPEC_BYTES) return fail(`${display} is ${st.size} bytes; specs are limited to ${MAX_SPEC_BYTES} bytes`);
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`${display}: no such file`);
    if (code === 'EACCES') return fail(`${display}: permission denied`);
    return fail(`${display}: cannot read (${code ?? String(e)})`);
  }
  return decodeSpec(display, bytes);
}

export function decodeSpec(display: string, bytes: Uint8Array): ReadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { diagnostic: error('encoding', `${display} is not valid UTF-8 (first bad byte at offset ${at})`, undefined, { file: display }) };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { source: new SourceFile(display, text) };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 1; i <= bytes.length; i++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, i), { stream: false });
    } catch {
      // a prefix ending mid-character also fails; only report when the next byte cannot continue it
      if (i === bytes.length || (bytes[i] & 0xc0) !== 0x80) return i - 1;
    }
  }
  return 0;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return (rel && !rel.startsWith('..') ? rel : path).split('\\').join('/');
}

interface Chain {
  assignments: Assignment[];
  diagnostics: Diagnostic[];
  sources: string[];
  ast?: SpecAst;
  /** the sweep in force: the file's own, else inherited (`sweep none` clears it) */
  sweep?: Statement;
}

/** Parses and resolves one file of the extends chain, its parents first. */
function loadChain(path: string, stack: string[], source?: SourceFile, parentText?: LoadOptions['parentText']): Chain {
  const abs = resolvePath(path);
  const given = source ? undefined : parentText?.(abs);
  const read: ReadResult = source ? { source } : given !== undefined ? decodeSpec(displayPath(abs), new TextEncoder().encode(given)) : readSpec(path);
  if ('diagnostic' in read) return { assignments: [], diagnostics: [read.diagnostic], sources: [] };
  const src = read.source;
  const nesting = maxNesting(src.text);
  if (nesting > MAX_NESTING) {
    return { assignments: [], diagnostics: [error('syntax', `blocks are nested ${nesting} deep; the limit is ${MAX_NESTING}`, undefined, { file: src.path })], sources: [src.path] };
  }
  const { ast, diagnostics, blank } = parseSource(src);
  if (blank) {
    return { assignments: [], diagnostics: [error('missing', `${src.path} is empty`, undefined, { file: src.path, expected: 'experiment NAME { … }' })], sources: [src.path] };
  }
  const chain: Chain = { assignments: [], diagnostics, sources: [src.path], ast };
  if (ast.extends) {
    const parentPath = resolvePath(dirname(abs), ast.extends.path);
    if (stack.includes(parentPath) || parentPath === abs) {
      const cycle = [...stack, abs, parentPath].slice(stack.indexOf(parentPath) >= 0 ? stack.indexOf(parentPath) : 0).map(displayPath);
      diagnostics.push(error('extends', `extends cycle: ${cycle.join(' → ')}`, ast.extends.span));
    } else {
      const parent = loadChain(parentPath, [...stack, abs], undefined, parentText);
      chain.sweep = parent.sweep;
      chain.sources.push(...parent.sources);
      chain.assignments.push(...parent.assignments);
      if (parent.diagnostics.some((d) => d.code === 'io' || d.code === 'encoding') && parent.sources.length === 0) {
        diagnostics.push(error('extends', `cannot extend '${ast.extends.path}': ${parent.diagnostics[0].message}`, ast.extends.span));
      } else diagnostics.push(...parent.diagnostics);
    }
  }
  if (ast.name) chain.assignments.push({ op: 'set', path: ['name'], value: ast.name.text, span: ast.name.span });
  if (ast.body) {
    // the sweep states a family around the experiment, not a setting of it
    const sweeps = ast.body.statements.filter((st) => st.key.text === SWEEP_KEY);
    for (const extra of sweeps.slice(1)) diagnostics.push(error('duplicate-key', `'${SWEEP_KEY}' is given twice`, extra.key.span, { note: `first given on line ${sweeps[0].span.line}` }));
    // a file's own sweep replaces the inherited one as a whole
    if (sweeps[0]) chain.sweep = isSweepNone(sweeps[0]) ? undefined : sweeps[0];
    const r = resolveBlock({ ...ast.body, statements: ast.body.statements.filter((st) => st.key.text !== SWEEP_KEY) });
    chain.assignments.push(...r.assignments);
    diagnostics.push(...r.diagnostics);
  }
  return chain;
}

/** Deepest `{`/`(` nesting outside strings and comments, found without recursion. */
function maxNesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '(') max = Math.max(max, ++depth);
    else if (c === '}' || c === ')') depth = Math.max(0, depth - 1);
  }
  return max;
}

/** Loads a spec from a file, or from text given as `source` (used by tests and editors). */
export function loadExperimentSync(path: string, opts: LoadOptions & { text?: string } = {}): LoadedExperiment {
  const given = opts.text !== undefined ? decodeSpec(displayPath(path), new TextEncoder().encode(opts.text)) : undefined;
  if (given && 'diagnostic' in given) return { diagnostics: [given.diagnostic], sources: [], spans: new Map() };
  const chain = loadChain(path, [], given?.source, opts.parentText);
  const diagnostics = chain.diagnostics;
  const config = structuredClone(DEFAULT_EXPERIMENT) as unknown as Record<string, unknown>;
  applyAssignments(config, chain.assignments);
  const overrides = parseOverrides(config, opts.sets ?? []);
  diagnostics.push(...overrides.diagnostics);
  applyAssignments(config, overrides.assignments);
  const spans = new Map<string, Span>();
  for (const a of [...chain.assignments, ...overrides.assignments]) spans.set(a.path.join('.'), a.span);
  const readable = chain.sources.length > 0;
  if (readable && !hasErrors(diagnostics)) diagnostics.push(...validateConfig(config, spans, chain.sources[0]));
  else if (readable && !diagnostics.some((d) => d.code === 'syntax' || d.code === 'lex')) {
    // still report rule violations among the statements that did resolve, but
    // not those inside a region that already has an error (likely consequences)
    const errorSpans = diagnostics.flatMap((d) => (d.severity === 'error' && d.span ? [d.span] : []));
    const covers = (outer: Span, inner: Span) => outer.file === inner.file && outer.offset <= inner.offset && inner.offset < outer.offset + outer.length;
    diagnostics.push(
      ...validateConfig(config, spans, chain.sources[0]).filter((d) => d.code === 'rule' && !(d.span && errorSpans.some((e) => covers(d.span!, e)))),
    );
  }
  let sweep: SweepPlan | undefined;
  if (chain.sweep && readable && !hasErrors(diagnostics)) {
    const planned = planSweep(chain.sweep, config as unknown as ExperimentConfig, chain.sources[0]);
    diagnostics.push(...planned.diagnostics);
    sweep = planned.plan;
  }
  diagnostics.sort(byPlace);
  const ok = readable && !hasErrors(diagnostics);
  return { config: ok ? (config as unknown as ExperimentConfig) : undefined, diagnostics, sources: chain.sources, spans, ast: chain.ast, sweep: ok ? sweep : undefined };
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


export async function loadExperiment(path: string, opts: LoadOptions = {}): Promise<LoadedExperiment> {
  return loadExperimentSync(path, opts);
}

/** Orders diagnostics by file (in the order read) and position; unlocated ones first. */
function byPlace(a: Diagnostic, b: Diagnostic): number {
  const fa = a.span?.file ?? a.file ?? '';
  const fb = b.span?.file ?? b.file ?? '';
  if (fa !== fb) return 0;
  return (a.span?.offset ?? -1) - (b.span?.offset ?? -1);
}
