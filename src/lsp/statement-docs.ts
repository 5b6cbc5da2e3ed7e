// The Markdown shown for statements, values and arguments in completion and
// hover, all from the statement table and the vocabulary, like the reference.
import { DEFAULT_EXPERIMENT, describeType, usage, type SlotType, type StatementDef } from '../compiler/index.js';
import * as V from '../spec/vocabulary.js';

/** Every vocabulary of the language (value → meaning), to explain an enum's values. */
const vocabularies = (Object.values(V) as unknown[]).filter(
  (v): v is Readonly<Record<string, string>> => typeof v === 'object' && v !== null && Object.values(v).every((m) => typeof m === 'string'),
);

/** The meaning of one value of an enum slot, when a vocabulary defines it. */
export function valueMeaning(type: SlotType, value: string): string | undefined {
  if (type.t !== 'enum') return undefined;
  const vocabulary = vocabularies.find((voc) => type.values.every((v) => v in voc));
  return vocabulary?.[value];
}

/** The value at a configuration path of an object ('' is the object itself). */
export function valueAt(root: unknown, path: string): unknown {
  let cur = root;
  for (const seg of path ? path.split('.') : []) cur = cur == null ? undefined : (cur as Record<string, unknown>)[seg];
  return cur;
}

/** A configuration value as a spec would show it, e.g. `48 x 48`, `adam(lr: 0.001)`. */
export function showValue(value: unknown): string {
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return `${value[0]} x ${value[1]}`;
  if (value === null) return 'off';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'kind' in value) {
    const { kind, ...params } = value as Record<string, unknown>;
    const args = Object.entries(params).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : showValue(v)}`);
    return args.length ? `${String(kind)}(${args.join(', ')})` : String(kind);
  }
  return JSON.stringify(value);
}

const fence = (text: string) => '```r2u\n' + text + '\n```';

export function statementDoc(key: string, def: StatementDef, path: string): string {
  const parts = [fence(usage(key, def)), def.doc];
  const type = def.form === 'value' || def.form === 'list' ? def.type : def.form === 'namedBlock' ? def.type : undefined;
  if (type) parts.push(`**Type:** ${describeType(type)}${def.form === 'list' ? ', a list' : ''}`);
  if (def.form === 'variant') parts.push(`**One of:** ${Object.keys(def.variants).map((v) => `\`${v}\``).join(', ')}`);
  if (type?.t === 'enum') parts.push(type.values.map((v) => `- \`${v}\`${valueMeaning(type, v) ? ` — ${valueMeaning(type, v)}` : ''}`).join('\n'));
  const fallback = valueAt(DEFAULT_EXPERIMENT, path);
  if (path && fallback !== undefined && def.form !== 'block' && def.form !== 'ops') parts.push(`**Default:** \`${showValue(fallback)}\``);
  parts.push(`**Example:** \`${def.example}\`${path ? ` · config path \`${path}\`` : ''}`);
  return parts.join('\n\n');
}

export function valueDoc(type: SlotType, value: string): string | undefined {
  const meaning = valueMeaning(type, value);
  return meaning ? `\`${value}\` — ${meaning}` : undefined;
}

/** `adam(lr: number > 0 = 0.001, …)` with the variant's doc. */
export function variantDoc(key: string, name: string, def: StatementDef): string | undefined {
  if (def.form !== 'variant') return undefined;
  const v = def.variants[name];
  if (!v) return undefined;
  const params = Object.entries(v.params).map(([p, t]) => `- \`${p}\`: ${describeType(t)}, default \`${showValue(v.defaults[p])}\``);
  return [fence(`${key} ${name}${params.length ? `(${Object.keys(v.params).map((p) => `${p}: …`).join(', ')})` : ''}`), v.doc ?? '', params.length ? '**Parameters:**\n' + params.join('\n') : 'No parameters.']
    .filter(Boolean)
    .join('\n\n');
}

/** A named argument of a variant: its type and default. */
export function paramDoc(variant: string, param: string, def: StatementDef): string | undefined {
  if (def.form !== 'variant') return undefined;
  const v = def.variants[variant];
  const type = v?.params[param];
  if (!type) return undefined;
  return `\`${variant}(${param}: …)\` — ${describeType(type)}, default \`${showValue(v.defaults[param])}\``;
}
