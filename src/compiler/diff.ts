// `r2u diff`: a semantic diff of two resolved experiments, field by field, so
// a review sees what an experiment changes and nothing about its layout.
import type { ExperimentConfig } from '../spec/config.js';
import { SIZE_FIELDS } from './settings.js';

export interface Change {
  readonly kind: 'changed' | 'added' | 'removed';
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

const isSize = (path: string, v: unknown) =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number') && SIZE_FIELDS.has(path.split('.').at(-1)!);

/** Leaves of a configuration, in document order: path → value. Arrays of scalars are leaves. */
export function flatten(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (isOp(value)) {
    // a preprocessing op reads best whole: `clahe(tiles: 8 x 8, clip: 2)`
    out.set(path, value);
    return out;
  }
  if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object'))) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out.set(path, value);
    for (const [k, v] of entries) flatten(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, value);
  return out;
}

export function diffConfigs(a: ExperimentConfig, b: ExperimentConfig): Change[] {
  const fa = flatten(a);
  const fb = flatten(b);
  // document order: b's paths, with a's removed paths placed after their predecessor in a
  const order: string[] = [...fb.keys()];
  let last = -1;
  for (const p of fa.keys()) {
    const at = order.indexOf(p);
    if (at >= 0) last = at;
    else order.splice(++last, 0, p);
  }
  const changes: Change[] = [];
  for (const p of order) {
    const inA = fa.has(p);
    const inB = fb.has(p);
    if (inA && inB) {
      if (JSON.stringify(fa.get(p)) !== JSON.stringify(fb.get(p))) changes.push({ kind: 'changed', path: p, before: fa.get(p), after: fb.get(p) });
    } else if (inB) changes.push({ kind: 'added', path: p, after: fb.get(p) });
    else changes.push({ kind: 'removed', path: p, before: fa.get(p) });
  }
  return changes;
}

/** A preprocessing op (`{ op: 'clahe', … }`): shown whole, as the spec writes it. */
export const isOp = (v: unknown): v is Record<string, unknown> & { op: string } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { op?: unknown }).op === 'string';

export function showValue(path: string, v: unknown): string {
  if (v === null) return 'off';
  if (isOp(v)) {
    const params = Object.entries(v).filter(([k]) => k !== 'op');
    return `${v.op}(${params.map(([k, x]) => `${k}: ${showValue(k, x)}`).join(', ')})`;
  }
  if (isSize(path, v)) return `${(v as number[])[0]} x ${(v as number[])[1]}`;
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : '(none)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function formatChanges(changes: readonly Change[]): string {
  return changes
    .map((c) =>
      c.kind === 'changed'
        ? `~ ${c.path}: ${showValue(c.path, c.before)} → ${showValue(c.path, c.after)}`
        : c.kind === 'added'
          ? `+ ${c.path}: ${showValue(c.path, c.after)}`
          : `- ${c.path}: ${showValue(c.path, c.before)}`,
    )
    .join('\n');
}
