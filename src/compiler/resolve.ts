// Stage 3: meaning. Walks the AST against the language table (language.ts)
// and turns each statement into assignments to configuration paths. Every
// problem is reported (unknown keys with suggestions, wrong types, ranges),
// and resolution continues past it, so one pass finds all of them.
import type { Atom, Block, Phrase, Statement } from './ast.js';
import { error, type Diagnostic } from './diagnostics.js';
import { EXPERIMENT, describeType, type BlockDef, type PhraseDef, type Slot, type SlotType, type StatementDef } from './language.js';
import { joinSpans, type Span } from './source.js';
import { suggest } from './suggest.js';

export type Path = readonly (string | number)[];

/** One change to the configuration, in the order the spec states it. */
export type Assignment =
  | { readonly op: 'set'; readonly path: Path; readonly value: unknown; readonly span: Span }
  /** append to an array; the first append of a statement clears it */
  | { readonly op: 'append'; readonly path: Path; readonly value: unknown; readonly span: Span; readonly first: boolean }
  /** replace the object at path by `defaults` unless its discriminator already equals `value` */
  | { readonly op: 'switch'; readonly path: Path; readonly field: string; readonly value: string; readonly defaults: object; readonly span: Span }
  /** create the object at path from `defaults` when it is null */
  | { readonly op: 'ensure'; readonly path: Path; readonly defaults: object; readonly span: Span }
  /** remove an optional field (a variant that stands for its absence, `extra_training none`) */
  | { readonly op: 'unset'; readonly path: Path; readonly span: Span };

export interface Resolved {
  readonly assignments: Assignment[];
  readonly diagnostics: Diagnostic[];
}

export function resolveBlock(block: Block, def: BlockDef = EXPERIMENT, base: Path = []): Resolved {
  const r = new Resolver();
  r.block(block, def, base);
  return { assignments: r.out, diagnostics: r.diagnostics };
}

/** Checks one value against a slot type, with the messages a spec file gets; `what` names the slot. */
export function checkAtom(atom: Atom, type: SlotType, what: string): { value?: unknown; diagnostics: Diagnostic[] } {
  const r = new Resolver();
  const value = r.check(atom, type, what);
  return { value, diagnostics: r.diagnostics };
}

/** Where else a key is valid, to say "`batch` belongs in `train { }`". */
const homes = new Map<string, string[]>();
(function index(def: BlockDef, where: string): void {
  for (const [key, s] of Object.entries(def)) {
    homes.set(key, [...(homes.get(key) ?? []), where]);
    if (s.form === 'block' || s.form === 'namedBlock') index(s.body, key);
    if (s.form === 'ops') index(s.ops, key);
  }
})(EXPERIMENT, 'experiment');

const join = (base: Path, rel: string): Path => (rel === '' ? base : [...base, ...rel.split('.')]);

const atomText = (a: Atom): string => (a.kind === 'call' ? `${a.name}(…)` : a.kind === 'ident' ? `'${a.text}'` : a.text);

class Resolver {
  readonly out: Assignment[] = [];
  readonly diagnostics: Diagnostic[] = [];

  private err(code: Diagnostic['code'], message: string, span: Span, extra: Partial<Diagnostic> = {}): void {
    this.diagnostics.push(error(code, message, span, extra));
  }

  block(block: Block, def: BlockDef, base: Path, blockName = 'experiment'): void {
    const seen = new Map<string, Statement>();
    const writers = new Map<string, Statement>();
    for (const st of block.statements) {
      const key = st.key.text;
      const sdef = def[key];
      if (!sdef) {
        const elsewhere = (homes.get(key) ?? []).filter((h) => h !== blockName);
        this.err('unknown-key', `unknown statement '${key}' in ${blockName === 'experiment' ? 'the experiment' : `'${blockName}'`}`, st.key.span, {
          expected: `one of ${Object.keys(def).join(', ')}`,
          suggestion: elsewhere.length ? undefined : suggest(key, Object.keys(def)),
          note: elsewhere.length ? `'${key}' belongs in ${elsewhere.map((h) => `'${h} { }'`).join(' or ')}` : undefined,
        });
        continue;
      }
      const first = seen.get(key);
      if (first) {
        this.err('duplicate-key', `'${key}' is given twice in this block`, st.key.span, {
          note: `first given at line ${first.key.span.line}; state each setting once`,
        });
        continue;
      }
      seen.set(key, st);
      const start = this.out.length;
      this.statement(st, sdef, base);
      this.claimFields(st, start, writers);
    }
  }

  /**
   * Records the fields `st` set (its assignments from `start` on) and refuses one that another
   * statement of the block set: `intensity none` and `gamma 0.1` would depend on their order.
   */
  private claimFields(st: Statement, start: number, writers: Map<string, Statement>): void {
    for (let i = start; i < this.out.length; i++) {
      const a = this.out[i];
      if (a.op !== 'set') continue;
      const field = a.path.join('.');
      const other = writers.get(field);
      if (other && other !== st) {
        return this.err('duplicate-key', `'${st.key.text}' sets ${field}, which '${other.key.text}' sets too`, st.key.span, {
          note: `'${other.key.text}' is at line ${other.key.span.line}; state each setting once`,
        });
      }
      writers.set(field, st);
    }
  }

  private statement(st: Statement, def: StatementDef, base: Path): void {
    const key = st.key.text;
    const target = join(base, def.target);
    const takesBlock = def.form === 'block' || def.form === 'namedBlock' || def.form === 'ops';
    if (st.block && !takesBlock) {
      this.err('bad-value', `'${key}' does not take a block`, st.block.span, { expected: `${def.example}` });
      return;
    }
    switch (def.form) {
      case 'value':
        return this.value(st, def.type, target, def.flag);
      case 'list':
        return this.list(st, def.type, target);
      case 'variant':
        return this.variant(st, def, target);
      case 'phrases':
        return this.phrases(st, def, target);
      case 'block':
        if (st.args.length) this.err('bad-value', `'${key}' takes a block, not values`, st.args[0].span, { expected: `${key} { … }` });
        if (!st.block) return this.err('missing', `'${key}' needs a block`, st.key.span, { expected: def.example });
        return this.block(st.block, def.body, target, key);
      case 'namedBlock': {
        if (st.args.length > 1 || (st.args[0] && st.args[0].atoms.length > 1)) {
          this.err('bad-value', `'${key}' takes one name before its block`, st.args[0].span, { expected: def.example });
        } else if (st.args[0]) {
          const a = st.args[0].atoms[0];
          const v = this.check(a, def.type, key);
          if (v !== undefined) this.out.push({ op: 'set', path: [...target, def.field], value: v, span: a.span });
        }
        if (st.block) this.block(st.block, def.body, target, key);
        return;
      }
      case 'ops':
        return this.ops(st, def.ops, target);
    }
  }

  private singleAtom(st: Statement): Atom | undefined {
    const atoms = st.args.flatMap((p) => p.atoms);
    if (atoms.length > 1) {
      this.err('bad-value', `'${st.key.text}' takes one value`, joinSpans(atoms[1].span, atoms.at(-1)!.span), {
        note: 'end the statement with a new line or `;` before the next one',
      });
    }
    return atoms[0];
  }

  private value(st: Statement, type: SlotType, target: Path, flag: unknown): void {
    const a = this.singleAtom(st);
    if (!a) {
      if (flag !== undefined) this.out.push({ op: 'set', path: target, value: flag, span: st.key.span });
      else this.err('missing', `'${st.key.text}' needs a value`, st.key.span, { expected: describeType(type) });
      return;
    }
    const v = this.check(a, type, st.key.text);
    if (v !== undefined) this.out.push({ op: 'set', path: target, value: v, span: a.span });
  }

  private list(st: Statement, type: SlotType, target: Path): void {
    if (!st.args.length) return this.err('missing', `'${st.key.text}' needs at least one value`, st.key.span, { expected: describeType(type) });
    const values: unknown[] = [];
    for (const p of st.args) {
      if (p.atoms.length > 1) this.err('bad-value', 'separate list items with commas', p.atoms[1].span);
      const v = this.check(p.atoms[0], type, st.key.text);
      if (v !== undefined) {
        if (values.includes(v)) this.err('duplicate-key', `'${String(v)}' is listed twice`, p.atoms[0].span);
        else values.push(v);
      }
    }
    this.out.push({ op: 'set', path: target, value: values, span: st.args[0].span });
  }

  private variant(st: Statement, def: Extract<StatementDef, { form: 'variant' }>, target: Path): void {
    const a = this.singleAtom(st);
    const names = Object.keys(def.variants);
    if (!a) return this.err('missing', `'${st.key.text}' needs a value`, st.key.span, { expected: `one of ${names.join(', ')}` });
    const name = a.kind === 'call' ? a.name : a.kind === 'ident' ? a.text : undefined;
    const nameSpan = a.kind === 'call' ? a.nameSpan : a.span;
    if (name === undefined) {
      return this.err('bad-value', `'${st.key.text}' expects a name, found ${atomText(a)}`, a.span, { expected: `one of ${names.join(', ')}` });
    }
    const v = def.variants[name];
    if (!v) {
      return this.err('unknown-value', `unknown ${st.key.text} '${name}'`, nameSpan, { expected: `one of ${names.join(', ')}`, suggestion: suggest(name, names) });
    }
    if (v.absent) this.out.push({ op: 'unset', path: target, span: a.span });
    else this.out.push({ op: 'switch', path: target, field: 'kind', value: name, defaults: v.defaults, span: a.span });
    if (a.kind !== 'call') return;
    const params = Object.keys(v.params);
    const given = new Set<string>();
    a.args.forEach((arg, i) => {
      const pname = arg.name?.text ?? params[i];
      const pspan = arg.name?.span ?? arg.span;
      if (pname === undefined) {
        return this.err('bad-value', `${name}() takes ${params.length ? `at most ${params.length} argument${params.length > 1 ? 's' : ''}` : 'no arguments'}`, arg.span, {
          expected: params.length ? params.join(', ') : undefined,
        });
      }
      const ptype = v.params[pname];
      if (!ptype) {
        return this.err('unknown-key', `${name}() has no parameter '${pname}'`, pspan, {
          expected: params.length ? `one of ${params.join(', ')}` : 'no parameters',
          suggestion: suggest(pname, params),
        });
      }
      if (given.has(pname)) return this.err('duplicate-key', `parameter '${pname}' is given twice`, pspan);
      given.add(pname);
      if (arg.atoms.length !== 1) return this.err('bad-value', `parameter '${pname}' takes one value`, arg.span, { expected: describeType(ptype) });
      const pv = this.check(arg.atoms[0], ptype, pname);
      if (pv !== undefined) this.out.push({ op: 'set', path: [...target, pname], value: pv, span: arg.atoms[0].span });
    });
  }

  private phrases(st: Statement, def: Extract<StatementDef, { form: 'phrases' }>, target: Path): void {
    const atoms = st.args.flatMap((p: Phrase) => p.atoms);
    if (def.nullable && atoms.length === 1 && atoms[0].kind === 'ident' && atoms[0].text === 'off') {
      this.out.push({ op: 'set', path: target, value: null, span: atoms[0].span });
      return;
    }
    if (!atoms.length) return this.err('missing', `'${st.key.text}' needs a value`, st.key.span, { expected: def.example.replace(`${st.key.text} `, '') });
    if (def.create) this.out.push({ op: 'ensure', path: target, defaults: def.create, span: st.key.span });
    const start = this.out.length;
    const used = new Set<PhraseDef>();
    const appended = new Set<string>();
    /** the variant each discriminator was switched to, and by which phrase */
    const chosen = new Map<string, { value: string; phrase: PhraseDef }>();
    let i = 0;
    while (i < atoms.length) {
      const match = bestMatch(def.phrases, atoms, i);
      if (!match) {
        const a = atoms[i];
        const partial = longestPartial(def.phrases, atoms, i);
        if (partial) {
          // a phrase that starts right but goes wrong: point at the first wrong word
          const bad = atoms[i + partial.progress];
          const want = partial.phrase.items[partial.progress];
          const wantText = typeof want === 'string' ? `'${want}'` : `<${want.slot.replace('[]', '')}> (${describeType(want.type)})`;
          this.err('bad-value', bad ? `expected ${wantText} in '${patternText(partial.phrase)}', found ${atomText(bad)}` : `'${patternText(partial.phrase)}' is incomplete`, (bad ?? atoms[i + partial.progress - 1]).span, {
            expected: patternText(partial.phrase),
            suggestion: bad?.kind === 'ident' && typeof want === 'string' ? suggest(bad.text, [want]) : undefined,
          });
          i += partial.progress + 1;
          continue;
        }
        const words = new Set<string>();
        for (const p of def.phrases) for (const it of p.items) typeof it === 'string' ? words.add(it) : it.type.t === 'enum' && it.type.values.forEach((w) => words.add(w));
        this.err('bad-value', `unexpected ${atomText(a)} in '${st.key.text}'`, a.span, {
          expected: def.phrases.map(patternText).join(' | '),
          suggestion: a.kind === 'ident' ? suggest(a.text, words) : undefined,
        });
        i++;
        continue;
      }
      const { phrase, length } = match;
      const span = joinSpans(atoms[i].span, atoms[i + length - 1].span);
      const appends = phrase.items.some((it) => typeof it !== 'string' && it.slot.endsWith('[]'));
      if (used.has(phrase) && !appends) this.err('duplicate-key', `'${patternText(phrase)}' is given twice in '${st.key.text}'`, span);
      used.add(phrase);
      for (const [field, value] of Object.entries(phrase.sets ?? {})) {
        const variant = typeof value === 'string' ? def.variants?.[value] : undefined;
        if (!variant) {
          this.out.push({ op: 'set', path: [...target, field], value, span });
          continue;
        }
        const before = chosen.get(field);
        if (before && before.value !== value) {
          this.err('bad-value', `'${patternText(phrase)}' and '${patternText(before.phrase)}' belong to different kinds of '${st.key.text}' (${value as string}, ${before.value})`, span, {
            expected: `the phrases of one kind, e.g. ${def.example.replace(`${st.key.text} `, '')}`,
          });
          continue;
        }
        chosen.set(field, { value: value as string, phrase });
        this.out.push({ op: 'switch', path: target, field, value: value as string, defaults: variant, span });
      }
      phrase.items.forEach((it, k) => {
        if (typeof it === 'string') return;
        const a = atoms[i + k];
        const v = this.check(a, it.type, it.slot.replace('[]', ''));
        if (v === undefined) return;
        if (it.slot.endsWith('[]')) {
          const field = it.slot.slice(0, -2);
          this.out.push({ op: 'append', path: [...target, field], value: v, span: a.span, first: !appended.has(field) });
          appended.add(field);
        } else this.out.push({ op: 'set', path: [...target, it.slot], value: v, span: a.span });
      });
      i += length;
    }
    // switch to the chosen variant before any field is set, so that a phrase written first (`seed 7, kfold 5 fold 1`) is not reset by it
    const mine = this.out.splice(start);
    this.out.push(...mine.filter((a) => a.op === 'switch'), ...mine.filter((a) => a.op !== 'switch'));
  }

  private ops(st: Statement, ops: BlockDef, target: Path): void {
    if (st.args.length) this.err('bad-value', `'${st.key.text}' takes a block of ops, not values`, st.args[0].span, { expected: `${st.key.text} { … }` });
    if (!st.block) return this.err('missing', `'${st.key.text}' needs a block`, st.key.span, { expected: `${st.key.text} { … }` });
    const list: unknown[] = [];
    st.block.statements.forEach((opSt) => {
      const key = opSt.key.text;
      const odef = ops[key];
      if (!odef) {
        return this.err('unknown-key', `unknown ${st.key.text} op '${key}'`, opSt.key.span, {
          expected: `one of ${Object.keys(ops).join(', ')}`,
          suggestion: suggest(key, Object.keys(ops)),
        });
      }
      // Resolve the op on its own, then fold its assignments into one element.
      const sub = new Resolver();
      sub.statement(opSt, odef, []);
      this.diagnostics.push(...sub.diagnostics);
      const element: Record<string, unknown> = { op: key, ...(odef.form === 'phrases' ? (odef.create ?? {}) : {}) };
      applyAssignments(element, sub.out);
      list.push(element);
    });
    this.out.push({ op: 'set', path: target, value: list, span: st.block.span });
  }

  /** Checks an atom against a slot type; returns the value, or undefined after reporting. */
  check(a: Atom, type: SlotType, what: string): unknown {
    const expected = describeType(type);
    const wrong = () => {
      this.err('bad-value', `'${what}' expects ${expected}, found ${atomText(a)}`, a.span, { expected });
      return undefined;
    };
    switch (type.t) {
      case 'int':
      case 'number': {
        if (a.kind !== 'number') return wrong();
        if (!Number.isFinite(a.value)) return wrong();
        if (type.t === 'int' && !Number.isInteger(a.value)) return wrong();
        const low = type.min !== undefined && (a.value < type.min || (type.t === 'number' && type.exclusiveMin && a.value === type.min));
        const high = type.max !== undefined && a.value > type.max;
        if (low || high) {
          this.err('bad-value', `'${what}' is out of range: ${a.text}`, a.span, { expected });
          return undefined;
        }
        return a.value;
      }
      case 'string':
        if (a.kind === 'string') return a.value;
        if (a.kind === 'number' || a.kind === 'ident') return a.text;
        return wrong();
      case 'bool':
        if (a.kind === 'ident' && ['true', 'on', 'yes'].includes(a.text)) return true;
        if (a.kind === 'ident' && ['false', 'off', 'no'].includes(a.text)) return false;
        return wrong();
      case 'dims':
        if (a.kind !== 'dims') {
          return a.kind === 'number'
            ? (this.err('bad-value', `'${what}' expects a size H x W, found ${a.text}`, a.span, { expected, note: `write ${a.text} x ${a.text} for a square` }), undefined)
            : wrong();
        }
        if (a.value.some((d) => d < (type.min ?? 1))) {
          this.err('bad-value', `'${what}' is out of range: ${a.text}`, a.span, { expected: `${expected}, each ≥ ${type.min ?? 1}` });
          return undefined;
        }
        return [...a.value];
      case 'enum':
        if (a.kind !== 'ident') return wrong();
        if (!type.values.includes(a.text)) {
          this.err('unknown-value', `unknown ${what} '${a.text}'`, a.span, { expected, suggestion: suggest(a.text, type.values) });
          return undefined;
        }
        return a.text;
    }
  }
}

/** Matches a phrase pattern at position i by shape only (ranges and enum values are checked after). */
function matchLength(p: PhraseDef, atoms: Atom[], i: number): number {
  let k = 0;
  for (const it of p.items) {
    const a = atoms[i + k];
    if (!a) return -1;
    if (!matchItem(it, a)) return -1;
    k++;
  }
  return k;
}

function fits(a: Atom, s: Slot): boolean {
  switch (s.type.t) {
    case 'int':
    case 'number':
      return a.kind === 'number';
    case 'dims':
      return a.kind === 'dims' || a.kind === 'number';
    case 'string':
      return a.kind === 'string' || a.kind === 'number';
    case 'bool':
      return a.kind === 'ident';
    case 'enum':
      return a.kind === 'ident';
  }
}

/** The literal-led phrase that matched the most items before failing, if any matched at least its first word. */
function longestPartial(phrases: readonly PhraseDef[], atoms: Atom[], i: number): { phrase: PhraseDef; progress: number } | undefined {
  let best: { phrase: PhraseDef; progress: number } | undefined;
  for (const p of phrases) {
    if (typeof p.items[0] !== 'string') continue;
    let k = 0;
    while (k < p.items.length && atoms[i + k] && matchItem(p.items[k], atoms[i + k])) k++;
    if (k > 0 && k < p.items.length && (!best || k > best.progress)) best = { phrase: p, progress: k };
  }
  return best;
}

function matchItem(it: string | Slot, a: Atom): boolean {
  return typeof it === 'string' ? a.kind === 'ident' && a.text === it : fits(a, it);
}

/** Prefer phrases that start with a literal word; among those, the longest. */
function bestMatch(phrases: readonly PhraseDef[], atoms: Atom[], i: number): { phrase: PhraseDef; length: number } | undefined {
  let best: { phrase: PhraseDef; length: number; literal: boolean } | undefined;
  for (const p of phrases) {
    const length = matchLength(p, atoms, i);
    if (length < 0) continue;
    const literal = typeof p.items[0] === 'string';
    if (!best || (literal && !best.literal) || (literal === best.literal && length > best.length)) best = { phrase: p, length, literal };
  }
  return best;
}

export function patternText(p: PhraseDef): string {
  return p.items.map((it) => (typeof it === 'string' ? it : `<${it.slot.replace('[]', '')}>`)).join(' ');
}

// ---------------------------------------------------------------- applying

function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const seg of path) cur = cur == null ? undefined : (cur as Record<string | number, unknown>)[seg];
  return cur;
}

function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  for (const seg of path.slice(0, -1)) {
    if (cur[seg] == null || typeof cur[seg] !== 'object') cur[seg] = {};
    cur = cur[seg] as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Applies assignments in order to a mutable configuration object. */
export function applyAssignments(root: Record<string, unknown>, assignments: readonly Assignment[]): void {
  for (const a of assignments) {
    switch (a.op) {
      case 'set':
        setAt(root, a.path, clone(a.value));
        break;
      case 'append': {
        const cur = getAt(root, a.path);
        const arr = a.first || !Array.isArray(cur) ? [] : cur;
        arr.push(clone(a.value));
        setAt(root, a.path, arr);
        break;
      }
      case 'switch': {
        const cur = (a.path.length ? getAt(root, a.path) : root) as Record<string, unknown> | null | undefined;
        if (!cur || cur[a.field] !== a.value) {
          const next = { ...clone(a.defaults), [a.field]: a.value };
          if (a.path.length) setAt(root, a.path, next);
          else {
            // a list element (a preprocessing op) keeps its `op` name
            for (const k of Object.keys(root)) if (k !== 'op') delete root[k];
            Object.assign(root, next);
          }
        }
        break;
      }
      case 'ensure':
        if (getAt(root, a.path) == null) setAt(root, a.path, clone(a.defaults));
        break;
      case 'unset': {
        const parent = getAt(root, a.path.slice(0, -1));
        if (parent !== null && typeof parent === 'object') delete (parent as Record<string | number, unknown>)[a.path[a.path.length - 1]];
        break;
      }
    }
  }
}
