// Completion by context, from the statement table. The context is read from
// the tokens before the cursor (not the syntax tree), so it works in a file
// that does not parse: which block the cursor is in, which statements that
// block already has, and how far the current statement has got (its key, its
// phrases, the argument list of a call). Chevrotain's computeContentAssist
// answers the one question that is purely syntactic: which keyword may start
// the file at the cursor (`extends`, `experiment`). Inside a block the grammar
// only knows "an identifier"; meaning is the table's.
import { readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { IToken } from 'chevrotain';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CompletionItemKind, type CompletionItem, type MarkupContent } from 'vscode-languageserver';
import { EXPERIMENT, nextClauseWords, patternText, specLexer, specParser, SWEEP_KEY, SWEEP_WORDS, type BlockDef, type PhraseDef, type Slot, type SlotType, type StatementDef } from '../compiler/index.js';
import { documentPath } from './analysis.js';
import { bodyOf } from './spec-tree.js';
import { paramDoc, statementDoc, valueDoc, variantDoc } from './statement-docs.js';

const md = (value: string | undefined): MarkupContent | undefined => (value ? { kind: 'markdown', value } : undefined);

interface Frame {
  readonly table?: BlockDef;
  /** the block's configuration path, for the defaults shown in docs */
  readonly path: string;
  readonly seen: Set<string>;
  /** ops (preprocessing) may repeat */
  readonly repeats: boolean;
  /** inside `sweep { … }` (or a grid or zip of it): the sweep's own statements, not the table's */
  readonly sweep?: 'sweep' | 'grid' | 'zip';
}

interface Call {
  readonly name: string;
  depth: number;
  /** tokens of the argument being written */
  current: IToken[];
  readonly given: Set<string>;
}

interface InStatement {
  readonly key: string;
  readonly def?: StatementDef;
  /** the configuration path of the block the statement belongs to */
  readonly base: string;
  readonly args: IToken[];
  call?: Call;
}

const kind = (t: IToken) => t.tokenType.name;
const WORD = new Set(['Identifier', 'Experiment', 'Extends']);

export function complete(doc: TextDocument, offset: number): CompletionItem[] {
  const text = doc.getText();
  const before = text.slice(0, offset);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  const extendsPath = /^\s*extends\s+"([^"]*)$/.exec(line);
  if (extendsPath) return pathItems(doc, extendsPath[1]);
  if (insideStringOrComment(line)) return [];

  if (/\/\*(?![\s\S]*\*\/)/.test(before.replace(/\/\*[\s\S]*?\*\//g, ''))) return []; // inside an unclosed block comment
  const all = specLexer.tokenize(text).tokens;
  const tokens = all.filter((t) => t.endOffset! + 1 <= offset);
  // the word being typed is replaced by the item: leave it out of the context
  const last = tokens.at(-1);
  if (last && WORD.has(kind(last)) && last.endOffset! + 1 === offset) tokens.pop();
  const after = all.filter((t) => t.startOffset >= offset);

  const frames: Frame[] = [];
  const top: IToken[] = [];
  let st: InStatement | undefined;
  let lastSignificant: IToken | undefined;
  for (const t of tokens) {
    const k = kind(t);
    const frame = frames.at(-1);
    if (!frame) {
      if (k === 'LCurly') frames.push({ table: EXPERIMENT, path: '', seen: new Set(), repeats: false });
      else top.push(t);
      continue;
    }
    // a brace inside a call means its `)` is missing: leave the call
    if (st?.call && (k === 'LCurly' || k === 'RCurly')) st.call = undefined;
    if (st?.call) {
      const call = st.call;
      if (k === 'LParen') call.depth++;
      else if (k === 'RParen' && --call.depth === 0) st.call = undefined;
      else if (call.depth === 1 && k === 'Comma') call.current = [];
      else if (call.depth === 1 && k !== 'Newline') {
        call.current.push(t);
        if (k === 'Colon' && call.current.length === 2) call.given.add(call.current[0].image);
      }
      continue;
    }
    switch (k) {
      case 'Newline':
      case 'Semicolon':
        // a comma at the end of a line continues the statement on the next
        if (!(k === 'Newline' && lastSignificant && kind(lastSignificant) === 'Comma')) st = undefined;
        break;
      case 'LCurly': {
        const within = sweepBlock(frame, st?.key);
        if (within) {
          frames.push({ path: '', seen: new Set(), repeats: false, sweep: within });
          st = undefined;
          break;
        }
        const def = st?.def;
        frames.push({ table: bodyOf(def), path: st && def ? [st.base, def.target].filter(Boolean).join('.') : '', seen: new Set(), repeats: def?.form === 'ops' });
        st = undefined;
        break;
      }
      case 'RCurly':
        frames.pop();
        st = undefined;
        break;
      case 'LParen': {
        const name = st?.args.at(-1);
        if (st && name && WORD.has(kind(name))) st.call = { name: name.image, depth: 1, current: [], given: new Set() };
        break;
      }
      default:
        if (!st && WORD.has(k)) {
          st = statementStart(frames, t.image);
          frame.seen.add(t.image);
        } else st?.args.push(t);
    }
    if (k !== 'Newline') lastSignificant = t;
  }

  const frame = frames.at(-1);
  if (!frame) return frames.length === 0 && !tokens.some((t) => kind(t) === 'LCurly') ? keywordItems(top) : [];
  if (!st) {
    for (const key of laterKeys(after)) frame.seen.add(key);
    return statementItems(frame);
  }
  if (frame.sweep === 'sweep' && st.key === 'adopt') return adoptItems(st.args);
  if (!st.def) return [];
  const path = [st.base, st.def.target].filter(Boolean).join('.');
  if (st.call) return callItems(st.key, st.def, st.call);
  return valueItems(st.key, st.def, st.args, path);
}

/**
 * A statement's entry in the table of its block; when the block lacks it but
 * an enclosing one has it, a `}` is probably missing, and that entry is meant.
 */
function statementStart(frames: readonly Frame[], key: string): InStatement {
  for (let i = frames.length - 1; i >= 0; i--) {
    const def = frames[i].table?.[key];
    if (def && (i === frames.length - 1 || bodyOf(def))) return { key, def, base: frames[i].path, args: [] };
  }
  return { key, base: frames.at(-1)!.path, args: [] };
}

/** The keys of the statements after the cursor in the same block (up to its `}`). */
function laterKeys(after: IToken[]): string[] {
  const keys: string[] = [];
  let depth = 0;
  let parens = 0;
  let atStart = false; // the statement at the cursor is the one being written
  let previous: IToken | undefined;
  for (const t of after) {
    const k = kind(t);
    if (k === 'LParen') parens++;
    else if (k === 'RParen') parens = Math.max(0, parens - 1);
    else if (k === 'LCurly') depth++;
    else if (k === 'RCurly') {
      if (depth === 0) break;
      if (--depth === 0) atStart = true;
    } else if (depth === 0 && parens === 0 && (k === 'Semicolon' || (k === 'Newline' && !(previous && kind(previous) === 'Comma')))) atStart = true;
    else if (depth === 0 && atStart && WORD.has(k)) {
      keys.push(t.image);
      atStart = false;
    }
    if (k !== 'Newline') previous = t;
  }
  return keys;
}

/** Inside a "string" or after // on the line typed so far. */
function insideStringOrComment(line: string): boolean {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && line[i + 1] === '/') return true;
  }
  return inString;
}

function keywordItems(top: IToken[]): CompletionItem[] {
  const next = specParser.computeContentAssist('spec', top).map((s) => s.nextTokenType.name);
  const items: CompletionItem[] = [];
  if (next.includes('Extends')) items.push({ label: 'extends', kind: CompletionItemKind.Keyword, documentation: md('`extends "parent.r2u"` — inherit every setting of another spec and override what this one states.') });
  if (next.includes('Experiment')) items.push({ label: 'experiment', kind: CompletionItemKind.Keyword, documentation: md('`experiment NAME { … }` — the experiment this file states.') });
  return items;
}

/** The sweep block a `{` opens after the statement `key` in `frame`, if it opens one. */
function sweepBlock(frame: Frame, key: string | undefined): Frame['sweep'] {
  if (key === SWEEP_KEY && frame.table === EXPERIMENT) return 'sweep';
  if (frame.sweep && (key === 'grid' || key === 'zip') && SWEEP_WORDS.find((w) => w.word === key)!.within.includes(frame.sweep)) return key;
  return undefined;
}

function statementItems(frame: Frame): CompletionItem[] {
  if (frame.sweep) {
    return SWEEP_WORDS.filter((w) => w.within.includes(frame.sweep!) && (w.word === 'vary' || w.word === 'zip' || w.word === 'grid' || !frame.seen.has(w.word))).map((w) => ({
      label: w.word,
      kind: w.block ? CompletionItemKind.Module : CompletionItemKind.Keyword,
      detail: w.form,
      documentation: md(`\`${w.form}\` — ${w.doc}`),
    }));
  }
  if (!frame.table) return [];
  const sweep: CompletionItem[] =
    frame.table === EXPERIMENT && !frame.seen.has(SWEEP_KEY)
      ? [{ label: SWEEP_KEY, kind: CompletionItemKind.Module, detail: 'sweep { vary "path" values… }', documentation: md("`sweep { … }` — a family of trials around this experiment: `r2u sweep plan` lists them, `r2u sweep run` trains them. A spec that extends another inherits the parent's sweep; its own replaces it, and `sweep none` drops it.") }]
      : [];
  return [...Object.entries(frame.table)
    .filter(([key]) => frame.repeats || !frame.seen.has(key))
    .map(([key, def]) => ({
      label: key,
      kind: bodyOf(def) ? CompletionItemKind.Module : CompletionItemKind.Property,
      detail: def.example,
      documentation: md(statementDoc(key, def, frame.repeats ? '' : [frame.path, def.target].filter(Boolean).join('.'))),
    })), ...sweep];
}

/** `adopt if …`: `if` first, then each clause's next word (adoption.ts says which). */
function adoptItems(args: readonly IToken[]): CompletionItem[] {
  const words = args.filter((t) => kind(t) !== 'Newline');
  if (words.length === 0) return [{ label: 'if', kind: CompletionItemKind.Keyword }];
  const lastComma = words.map(kind).lastIndexOf('Comma');
  const clause = words.slice(lastComma === -1 ? 1 : lastComma + 1).map((t) => t.image);
  return nextClauseWords(clause).map((w) => ({ label: w, kind: CompletionItemKind.Keyword }));
}

function enumItems(type: SlotType, exclude: ReadonlySet<string> = new Set()): CompletionItem[] {
  const values = type.t === 'enum' ? type.values : type.t === 'bool' ? ['true', 'false'] : [];
  return values.filter((v) => !exclude.has(v)).map((v) => ({ label: v, kind: CompletionItemKind.EnumMember, documentation: md(valueDoc(type, v)) }));
}

function valueItems(key: string, def: StatementDef, args: IToken[], path: string): CompletionItem[] {
  const atoms = args.filter((t) => kind(t) !== 'Comma' && kind(t) !== 'Newline');
  switch (def.form) {
    case 'value':
      return atoms.length === 0 && def.flag === undefined ? enumItems(def.type) : [];
    case 'namedBlock':
      return atoms.length === 0 ? enumItems(def.type) : [];
    case 'list': {
      const lastArg = args.at(-1);
      return atoms.length === 0 || (lastArg && kind(lastArg) === 'Comma') ? enumItems(def.type, new Set(atoms.map((a) => a.image))) : [];
    }
    case 'variant':
      return atoms.length === 0
        ? Object.keys(def.variants).map((name) => ({ label: name, kind: CompletionItemKind.Function, documentation: md(variantDoc(key, name, def)) }))
        : [];
    case 'phrases':
      return phraseItems(key, def, atoms, path);
    default:
      return [];
  }
}

/** Does a token fit a phrase item, by shape (as the resolver matches)? */
function fits(item: string | Slot, t: IToken): boolean {
  if (typeof item === 'string') return WORD.has(kind(t)) && t.image === item;
  switch (item.type.t) {
    case 'int':
    case 'number':
      return kind(t) === 'NumberLiteral';
    case 'dims':
      return kind(t) === 'DimsLiteral' || kind(t) === 'NumberLiteral';
    case 'string':
      return kind(t) === 'StringLiteral' || kind(t) === 'NumberLiteral';
    default:
      return WORD.has(kind(t));
  }
}

/** The words that may come next in a statement of phrases (`per`, `epoch`, `vessel_fraction`, …). */
function phraseItems(key: string, def: Extract<StatementDef, { form: 'phrases' }>, atoms: IToken[], path: string): CompletionItem[] {
  const used = new Set<PhraseDef>();
  let i = 0;
  // consume whole phrases first, literal-led ones preferred, as the resolver does
  for (;;) {
    const whole = def.phrases
      .filter((p) => p.items.length <= atoms.length - i && p.items.every((it, k) => fits(it, atoms[i + k])))
      .sort((a, b) => Number(typeof b.items[0] === 'string') - Number(typeof a.items[0] === 'string') || b.items.length - a.items.length)[0];
    if (!whole || i >= atoms.length) break;
    used.add(whole);
    i += whole.items.length;
  }
  const rest = atoms.slice(i);
  const next: { item: string | Slot; phrase: PhraseDef }[] = [];
  for (const p of def.phrases) {
    if (rest.length === 0 && used.has(p) && !p.items.some((it) => typeof it !== 'string' && it.slot.endsWith('[]'))) continue;
    if (rest.length < p.items.length && rest.every((t, k) => fits(p.items[k], t))) next.push({ item: p.items[rest.length], phrase: p });
  }
  const items = new Map<string, CompletionItem>();
  const doc = (p: PhraseDef) => md(`\`${key} ${patternText(p)}\`${p.doc ? ` — ${p.doc}` : ''}\n\n${statementDoc(key, def, path)}`);
  for (const { item, phrase } of next) {
    if (typeof item === 'string') items.set(item, { label: item, kind: CompletionItemKind.Keyword, documentation: doc(phrase) });
    else for (const e of enumItems(item.type)) if (!items.has(e.label)) items.set(e.label, e);
  }
  if (def.nullable && atoms.length === 0) items.set('off', { label: 'off', kind: CompletionItemKind.Keyword, documentation: md(`\`${key} off\` — disable it.`) });
  return [...items.values()];
}

/** Inside `name(…)`: the named arguments not yet given, or the values of the one being written. */
function callItems(key: string, def: StatementDef, call: Call): CompletionItem[] {
  if (def.form !== 'variant') return [];
  const variant = def.variants[call.name];
  if (!variant) return [];
  const cur = call.current;
  if (cur.length === 0) {
    return Object.keys(variant.params)
      .filter((p) => !call.given.has(p))
      .map((p) => ({ label: `${p}:`, insertText: `${p}: `, filterText: p, kind: CompletionItemKind.Field, documentation: md(paramDoc(call.name, p, def)) }));
  }
  if (cur.length === 2 && kind(cur[1]) === 'Colon') {
    const type = variant.params[cur[0].image];
    return type ? enumItems(type) : [];
  }
  return [];
}

/** After `extends "`: folders and other .r2u files relative to this one. */
function pathItems(doc: TextDocument, typed: string): CompletionItem[] {
  const self = documentPath(doc.uri);
  const folder = typed.includes('/') ? typed.slice(0, typed.lastIndexOf('/') + 1) : '';
  let entries;
  try {
    entries = readdirSync(resolve(dirname(self), folder), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') || (e.isFile() && e.name.endsWith('.r2u') && resolve(dirname(self), folder, e.name) !== self))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => (e.isDirectory() ? { label: `${e.name}/`, kind: CompletionItemKind.Folder } : { label: e.name, kind: CompletionItemKind.File, detail: basename(folder) ? `${folder}${e.name}` : e.name }));
}
