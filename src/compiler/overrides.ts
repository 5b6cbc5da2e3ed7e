// `--set path=value`: command-line overrides of the resolved configuration.
// The path is looked up in the statement table (settings.ts) and the value is
// lexed and checked as the language does, so a mistake reads, with the same
// code and caret, as it would in a spec file. The whole configuration is then
// validated again exactly like a file.
import type { Block, Statement } from './ast.js';
import { error, type Diagnostic } from './diagnostics.js';
import { parseArguments } from './parse.js';
import { applyAssignments, checkAtom, resolveBlock, type Assignment } from './resolve.js';
import { findSetting, type Setting } from './settings.js';
import { SourceFile, type Span } from './source.js';
import { suggest } from './suggest.js';

/**
 * Turns `--set` arguments into assignments against `config` (the configuration
 * they will apply to). Each argument is its own source `--set #n`, so that
 * diagnostics show it with a caret.
 */
export function parseOverrides(config: unknown, sets: readonly string[]): { assignments: Assignment[]; diagnostics: Diagnostic[] } {
  const assignments: Assignment[] = [];
  const diagnostics: Diagnostic[] = [];
  // each --set sees the ones before it: `--set train.optimizer=adamw --set train.optimizer.weight_decay=0.05`
  const working = structuredClone(config) as Record<string, unknown>;
  sets.forEach((arg, n) => {
    const result = readOverride(working, new SourceFile(`--set #${n + 1}`, arg));
    applyAssignments(working, result.assignments);
    assignments.push(...result.assignments);
    diagnostics.push(...result.diagnostics);
  });
  return { assignments, diagnostics };
}

export type Read = { assignments: Assignment[]; diagnostics: Diagnostic[] };
const failed = (...diagnostics: Diagnostic[]): Read => ({ assignments: [], diagnostics });

function readOverride(config: unknown, src: SourceFile): Read {
  const arg = src.text;
  const eq = arg.indexOf('=');
  if (eq <= 0) return failed(error('override', `expected path=value, found '${arg}'`, src.span(0, Math.max(1, arg.length)), { expected: 'e.g. train.optimizer.lr=5e-4' }));
  const segments = arg.slice(0, eq).split('.');
  const setting = findSetting(config, segments.map((s) => s.trim()));
  if (setting.kind === 'unknown') {
    const offset = segments.slice(0, setting.at).reduce((n, s) => n + s.length + 1, 0);
    const seg = segments[setting.at] ?? '';
    const named = segments.slice(0, setting.at + 1).join('.');
    return failed(
      error('unknown-key', seg === '' ? `'${named.replace(/\.$/, '')}' needs a field` : `unknown setting '${named}'`, src.span(Math.min(offset, eq - 1), Math.max(1, seg.length)), {
        expected: setting.expected.length ? `one of ${setting.expected.join(', ')}` : undefined,
        suggestion: suggest(seg, setting.expected),
        note: setting.note,
      }),
    );
  }
  return readValue(setting, src, eq + 1);
}

/** Reads the text after `=` as the setting's value. */
function readValue(setting: Setting, src: SourceFile, offset: number): Read {
  const text = src.text.slice(offset).trim();
  const span = src.span(offset, Math.max(1, src.text.length - offset));
  if (setting.kind === 'slot' && setting.type.t === 'string' && !setting.list) {
    // a path or an id as the shell passes it: quotes optional
    return { assignments: [...ensure(setting, span), { op: 'set', path: setting.path, value: text.replace(/^"(.*)"$/, '$1'), span }], diagnostics: [] };
  }
  const parsed = parseArguments(src, offset);
  if (parsed.diagnostics.length > 0) return failed(...parsed.diagnostics);
  return readPhrases(setting, parsed.phrases, span);
}

/**
 * Reads already-parsed phrases as the setting's value: what `--set` does after
 * lexing, and what a sweep does with each value it states (so both report
 * mistakes with the language's codes, at the value's own place).
 */
export function readPhrases(setting: Setting, phrases: Statement['args'], span: Span): Read {
  const atoms = phrases.flatMap((p) => p.atoms);
  if (setting.kind === 'statement') return resolveAsStatement(setting, phrases, span);
  if (atoms.length === 0) return failed(error('missing', `'${describePath(setting.path)}' needs a value`, span));
  if (setting.kind === 'tag') {
    const names = Object.keys(setting.variants);
    const [a] = atoms;
    if (atoms.length > 1 || a.kind !== 'ident') return failed(error('bad-value', `'${setting.field}' expects one of ${names.join(', ')}`, span, { expected: `one of ${names.join(', ')}` }));
    if (!names.includes(a.text)) return failed(error('unknown-value', `unknown ${setting.field} '${a.text}'`, a.span, { expected: `one of ${names.join(', ')}`, suggestion: suggest(a.text, names) }));
    return { assignments: [{ op: 'switch', path: setting.path, field: setting.field, value: a.text, defaults: setting.variants[a.text], span }], diagnostics: [] };
  }
  const what = String(setting.path.at(-1));
  if (!setting.list && atoms.length > 1) return failed(error('bad-value', `'${what}' takes one value`, span));
  const values: unknown[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const a of atoms) {
    const checked = checkAtom(a, setting.type, what);
    diagnostics.push(...checked.diagnostics);
    if (checked.value !== undefined) values.push(checked.value);
  }
  if (diagnostics.length > 0) return failed(...diagnostics);
  return { assignments: [...ensure(setting, span), { op: 'set', path: setting.path, value: setting.list ? values : values[0], span }], diagnostics: [] };
}

/** A field of an object that may be off (`train.early_stop.patience` while early stopping is off) switches it on first. */
function ensure(setting: Extract<Setting, { kind: 'slot' }>, span: Span): Assignment[] {
  return setting.create ? [{ op: 'ensure', path: setting.path.slice(0, -1), defaults: setting.create, span }] : [];
}

/** Resolves the value as the arguments of the statement that sets the path, as if it were written in the spec. */
function resolveAsStatement(setting: Extract<Setting, { kind: 'statement' }>, phrases: Statement['args'], span: Span): Read {
  const statement: Statement = { key: { text: setting.key, span }, args: phrases, span, endLine: span.line, leading: [], trailing: [], blankBefore: false };
  const block: Block = { statements: [statement], span, dangling: [] };
  const resolved = resolveBlock(block, { [setting.key]: setting.def }, setting.base);
  return { assignments: resolved.diagnostics.length > 0 ? [] : resolved.assignments, diagnostics: resolved.diagnostics };
}

const describePath = (path: readonly (string | number)[]): string => path.join('.');
