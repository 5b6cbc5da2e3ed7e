// Canonical JSON and the content hash of a resolved experiment. The hash is
// what `r2u compile --check` and run directories use to tell experiments apart,
// so it must not depend on key order or on the machine.
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and no whitespace. `known` holds
 * the text of objects already written (see knownParts), for many values that
 * share unchanged parts, like the trials of a sweep.
 */
export function canonicalJson(value: unknown, known?: ReadonlyMap<object, string>): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
    return JSON.stringify(value);
  }
  const text = known?.get(value);
  if (text !== undefined) return text;
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, known)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k], known)}`).join(',')}}`;
}

/** The canonical JSON of every object within `value`; they must not change while it is in use. */
export function knownParts(value: unknown, into = new Map<object, string>()): Map<object, string> {
  if (value === null || typeof value !== 'object') return into;
  for (const v of Object.values(value)) knownParts(v, into);
  into.set(value, canonicalJson(value, into));
  return into;
}

/** `sha256:<hex>` of the canonical JSON (see canonicalJson for `known`). */
export function contentHash(value: unknown, known?: ReadonlyMap<object, string>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value, known)).digest('hex')}`;
}
