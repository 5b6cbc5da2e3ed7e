// The setting at a configuration path (`train.optimizer.lr`,
// `data.preprocess.0.clip`, `data.preprocess.clahe.clip`), found in the
// statement table: what `--set` reads a value as, what `r2u diff` shows a
// value as, and what the schema must agree with. Paths into variants and
// preprocessing ops depend on the configuration they point into (the current
// optimizer, the op at that index or of that name), so the walk is guided by it.
import { EXPERIMENT, type BlockDef, type PhraseDef, type SlotType, type StatementDef } from './language.js';
import type { Path } from './resolve.js';

export type Setting =
  /** a whole statement: a value is read as that statement's arguments (`early_stop val_dice patience 3`) */
  | { readonly kind: 'statement'; readonly key: string; readonly def: StatementDef; readonly base: Path }
  /** one slot of a statement: a variant's parameter, a phrase's field, an op's field */
  | { readonly kind: 'slot'; readonly path: Path; readonly type: SlotType; readonly list: boolean; readonly create?: object }
  /** the tag of a tagged object (`data.split.kind`, a crop's `mode`): switching it starts from that variant's defaults */
  | { readonly kind: 'tag'; readonly path: Path; readonly field: string; readonly variants: Readonly<Record<string, object>> };

export interface UnknownSetting {
  readonly kind: 'unknown';
  /** index of the first path segment that names nothing */
  readonly at: number;
  /** what may stand there */
  readonly expected: readonly string[];
  readonly note?: string;
}

/** The setting at `path` of `config`, or where and why the path names nothing. */
export function findSetting(config: unknown, path: readonly string[]): Setting | UnknownSetting {
  return inBlock(EXPERIMENT, [], path, config);
}

/** The slot type a setting reads a single value as, if it has one. */
export function slotTypeOf(setting: Setting): SlotType | undefined {
  if (setting.kind === 'slot') return setting.type;
  if (setting.kind === 'statement' && (setting.def.form === 'value' || setting.def.form === 'list')) return setting.def.type;
  return undefined;
}

const valueAt = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((cur, seg) => (cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined), root);

const keysAt = (root: unknown, path: Path): string[] => {
  const v = valueAt(root, path);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
};

const unknown = (at: number, expected: readonly string[], note?: string): UnknownSetting => ({ kind: 'unknown', at, expected, note });

function inBlock(block: BlockDef, base: Path, path: readonly string[], config: unknown): Setting | UnknownSetting {
  const seg = path[base.length];
  for (const [key, def] of Object.entries(block)) {
    if (def.target === seg) return inStatement(key, def, base, path, config);
    // statements that set fields of the block's own object: `flip horizontal`, `rotate 15 deg`
    if (def.target === '' && def.form === 'phrases' && path.length === base.length + 1) {
      const found = phraseField(def, base, seg, config);
      if (found) return found;
    }
  }
  return unknown(base.length, keysAt(config, base));
}

function inStatement(key: string, def: StatementDef, base: Path, path: readonly string[], config: unknown): Setting | UnknownSetting {
  const target = [...base, def.target];
  const rest = path.slice(target.length);
  if (rest.length === 0) {
    if (def.form === 'block' || def.form === 'namedBlock') return unknown(target.length, keysAt(config, target), `'${target.join('.')}' is a block: set a field inside it`);
    if (def.form === 'ops') return unknown(target.length, ['an op index or name'], 'set an op\'s field through its index or name (data.preprocess.2.clip=3, data.preprocess.clahe.clip=3); change the list itself in a spec');
    return { kind: 'statement', key, def, base };
  }
  switch (def.form) {
    case 'value':
    case 'list':
      return unknown(target.length, []);
    case 'block':
      return inBlock(def.body, target, path, config);
    case 'namedBlock':
      if (rest[0] === def.field && rest.length === 1) return { kind: 'slot', path: [...target, def.field], type: def.type, list: false };
      return inBlock(def.body, target, path, config);
    case 'variant': {
      if (rest.length > 1) return unknown(target.length + 1, []);
      if (rest[0] === 'kind') return { kind: 'statement', key, def, base };
      const current = valueAt(config, target) as { kind?: string } | undefined;
      const variant = current?.kind !== undefined ? def.variants[current.kind] : undefined;
      const type = variant?.params[rest[0]];
      if (type) return { kind: 'slot', path: [...target, rest[0]], type, list: false };
      const owners = Object.entries(def.variants).filter(([, v]) => rest[0] in v.params).map(([name]) => name);
      return unknown(target.length, ['kind', ...Object.keys(variant?.params ?? {})],
        owners.length ? `'${rest[0]}' is a parameter of ${owners.join(', ')}; switch first, e.g. --set ${target.join('.')}=${owners[0]}` : undefined);
    }
    case 'phrases': {
      if (rest.length > 1) return unknown(target.length + 1, []);
      return phraseField(def, target, rest[0], config) ?? unknown(target.length, keysAt(config, target));
    }
    case 'ops': {
      const list = valueAt(config, target);
      const ops = Array.isArray(list) ? list.map((o) => (o as { op: string }).op) : [];
      const index = opIndex(ops, rest[0], def.ops);
      if (typeof index !== 'number') {
        const names = [...new Set(ops)].filter((op) => ops.indexOf(op) === ops.lastIndexOf(op));
        return unknown(target.length, ops.length ? [`an index below ${ops.length}`, ...names] : ['an op index (the list is empty)'], index.note);
      }
      const element = [...target, index];
      const op = ops[index];
      const opDef = def.ops[op];
      if (rest.length !== 2 || rest[1] === 'op') return unknown(element.length, keysAt(config, element).filter((k) => k !== 'op'));
      if (opDef.form === 'value' && opDef.target === rest[1]) return { kind: 'slot', path: [...element, rest[1]], type: opDef.type, list: false };
      if (opDef.form === 'phrases') return phraseField(opDef, element, rest[1], config) ?? unknown(element.length + 1, keysAt(config, element).filter((k) => k !== 'op'));
      return unknown(element.length + 1, keysAt(config, element).filter((k) => k !== 'op'));
    }
  }
}

/**
 * The list index a path segment names: a number, or the name of an op the
 * list holds once (`clahe`), which reads as the researcher writes the list;
 * else why not, where a note helps (`known`: every op the language has).
 */
function opIndex(ops: readonly string[], seg: string, known: Readonly<Record<string, unknown>>): number | { note?: string } {
  if (/^\d+$/.test(seg)) return Number(seg) < ops.length ? Number(seg) : {};
  const at = ops.flatMap((op, i) => (op === seg ? [i] : []));
  if (at.length === 1) return at[0];
  if (at.length > 1) return { note: `the list holds ${at.length} '${seg}' ops; name one by its index (${at.join(' or ')})` };
  return seg in known ? { note: `this list has no '${seg}' op; add it in a spec (the list is replaced whole)` } : {};
}

/** A field of the object a phrases statement fills: a slot, a tag its phrases switch, or a flag they set. */
function phraseField(def: Extract<StatementDef, { form: 'phrases' }>, object: Path, field: string, config: unknown): Setting | undefined {
  const path = [...object, field];
  const create = def.create;
  const tags = def.variants && def.phrases.some((p: PhraseDef) => typeof p.sets?.[field] === 'string' && p.sets[field] in def.variants!);
  if (tags) return { kind: 'tag', path: object, field, variants: def.variants! };
  // a field may be a scalar slot in one variant and a list slot in another (`split val 0.1` vs `split "21", "22"`)
  const asList = Array.isArray(valueAt(config, path));
  const slots = def.phrases.flatMap((p) => p.items.flatMap((it) => (typeof it !== 'string' && it.slot.replace('[]', '') === field ? [it] : [])));
  const slot = slots.find((s) => s.slot.endsWith('[]') === asList) ?? slots[0];
  if (slot) return { kind: 'slot', path, type: slot.type, list: slot.slot.endsWith('[]'), create };
  if (def.phrases.some((p) => typeof p.sets?.[field] === 'boolean')) return { kind: 'slot', path, type: { t: 'bool' }, list: false, create };
  return undefined;
}

/** Names of the fields whose values are sizes `H x W` somewhere in the table (`size`, `tiles`, `stride`). */
export const SIZE_FIELDS: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const visit = (block: BlockDef): void => {
    for (const def of Object.values(block)) {
      if (def.form === 'value' && def.type.t === 'dims') names.add(def.target.split('.').at(-1)!);
      if (def.form === 'phrases') for (const p of def.phrases) for (const it of p.items) if (typeof it !== 'string' && it.type.t === 'dims') names.add(it.slot);
      if (def.form === 'variant') for (const v of Object.values(def.variants)) for (const [name, t] of Object.entries(v.params)) if (t.t === 'dims') names.add(name);
      if (def.form === 'block' || def.form === 'namedBlock') visit(def.body);
      if (def.form === 'ops') visit(def.ops);
    }
  };
  visit(EXPERIMENT);
  return names;
})();
