// Renders configuration values as TypeScript literals. Objects are laid out one
// field per line so that changing one field of a spec changes one line of the
// generated module (reviewable diffs); tuples, string lists and preprocessing
// ops stay on one line each because they are read as one value.
import { fieldDoc } from '../../spec/field-docs.js';
import { DEFAULT_EXPERIMENT, LOSS_DEFAULTS, OPTIMIZER_DEFAULTS, SCHEDULE_DEFAULTS } from '../../spec/defaults.js';

// Key order: discriminants first, then the order of the defaults (which follow
// config.ts) at the same path, then a fixed order for keys no default shows,
// then alphabetical. Never the order the spec stated them in: output is canonical.
const PATH_RANK = new Map<string, number>();
const collectKeys = (v: unknown, path: string): void => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
  const scope = variantScope(v, path);
  for (const [k, child] of Object.entries(v)) {
    for (const p of [`${scope}.${k}`, `${path}.${k}`]) if (!PATH_RANK.has(p)) PATH_RANK.set(p, PATH_RANK.size);
    collectKeys(child, path ? `${path}.${k}` : k);
  }
};
collectKeys(DEFAULT_EXPERIMENT, '');
for (const [path, table] of [
  ['train.loss', LOSS_DEFAULTS],
  ['train.optimizer', OPTIMIZER_DEFAULTS],
  ['train.schedule', SCHEDULE_DEFAULTS],
] as const) {
  for (const variant of Object.values(table)) collectKeys(variant, path);
}
const KEY_RANK = new Map(
  ['kind', 'op', 'mode', 'x', 'y', 'size', 'tiles', 'clip', 'value', 'multiple', 'root', 'k', 'fold', 'train', 'val'].map((k, i) => [k, i]),
);

/**
 * `train.loss#bce_dice` for a variant of a tagged union, else the path itself:
 * variants of one union share a path but not their fields' order or meaning.
 */
export function variantScope(obj: object, path: string): string {
  const kind = (obj as { kind?: unknown }).kind;
  return typeof kind === 'string' ? `${path}#${kind}` : path;
}

/** The keys of an object found at `path` (dotted, `''` when unknown), in rendering order. */
export function orderedKeys(obj: object, path = ''): string[] {
  const scope = variantScope(obj, path);
  const rank = (k: string): [number, number] => {
    const discriminant = k === 'kind' || k === 'op' || k === 'mode' ? 0 : 1;
    const known = PATH_RANK.get(`${scope}.${k}`) ?? PATH_RANK.get(`${path}.${k}`);
    return [discriminant, known ?? PATH_RANK.size + (KEY_RANK.get(k) ?? KEY_RANK.size)];
  };
  return Object.keys(obj)
    .filter((k) => (obj as Record<string, unknown>)[k] !== undefined)
    .sort((a, b) => {
      const [da, ra] = rank(a);
      const [db, rb] = rank(b);
      return da - db || ra - rb || (a < b ? -1 : a > b ? 1 : 0);
    });
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function propertyKey(k: string): string {
  return IDENT.test(k) ? k : stringLiteral(k);
}

/** A single-quoted TS string literal; escapes everything that could end it or a line. */
export function stringLiteral(s: string): string {
  return `'${s.replace(/[\\'\u0000-\u001f\u2028\u2029\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === "'") return "\\'";
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  })}'`;
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot render non-finite number ${n}`);
  // JSON.stringify gives the shortest round-tripping form and turns -0 into 0
  const s = JSON.stringify(n);
  return n < 0 ? `-${s.slice(1)}` : s;
}

/** The value on one line: `[48, 48]`, `{ op: 'gamma', value: 1.2 }`. */
export function inline(value: unknown, path = ''): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'number':
      return numberLiteral(value);
    case 'string':
      return stringLiteral(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => inline(v)).join(', ')}]`;
      const keys = orderedKeys(value, path);
      if (keys.length === 0) return '{}';
      const field = (k: string) => `${propertyKey(k)}: ${inline((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k)}`;
      return `{ ${keys.map(field).join(', ')} }`;
    }
    default:
      throw new Error(`cannot render ${typeof value} as a configuration literal`);
  }
}

/**
 * The value laid out over several lines when it is an object (one field per
 * line, nested objects as nested blocks) or a list of objects (one element per
 * line). The first line is not indented: it follows `key: ` in the template;
 * `indent` is the indentation of the line holding the key.
 */
export function block(value: unknown, indent: number, path = ''): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.some((v) => v !== null && typeof v === 'object')) return inline(value);
    return `[\n${value.map((v) => `${pad}  ${inline(v)},\n`).join('')}${pad}]`;
  }
  if (value === null || typeof value !== 'object') return inline(value);
  const keys = orderedKeys(value, path);
  if (keys.length === 0) return '{}';
  const variant = (value as { kind?: unknown }).kind;
  const lines = keys.map((k) => {
    const child = (value as Record<string, unknown>)[k];
    const childPath = path ? `${path}.${k}` : k;
    const rendered = isTuple(child) ? inline(child) : block(child, indent + 2, childPath);
    return `${pad}  ${propertyKey(k)}: ${rendered},${trailingDoc(childPath, typeof variant === 'string' ? variant : undefined)}\n`;
  });
  return `{\n${lines.join('')}${pad}}`;
}

/** ` // <the field's doc>`, or nothing for a field without one. */
export function trailingDoc(path: string, variant?: string): string {
  const doc = fieldDoc(path, variant);
  return doc === undefined ? '' : ` // ${doc}`;
}

// Dims and other all-primitive arrays read best inline
function isTuple(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');
}

/** Every path to a non-object value (arrays count as values), for coverage checks. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return [prefix];
  return keys.flatMap((k) => leafPaths((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
}
