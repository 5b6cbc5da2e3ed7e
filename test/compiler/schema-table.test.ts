// The statement table (language.ts) and the JSON Schema (schema.ts) describe the
// same configuration twice, once for the language and once for tools; this
// test proves they agree on every field of every variant: its type, its range,
// its allowed values. It also proves that `--set` reaches every field.
import { describe, expect, it } from 'vitest';
import { loadExperimentSync } from '../../src/compiler/load.js';
import type { SlotType } from '../../src/compiler/language.js';
import { EXPERIMENT_SCHEMA } from '../../src/compiler/schema.js';
import { findSetting, slotTypeOf } from '../../src/compiler/settings.js';

type Schema = Record<string, unknown>;

/** Experiments that between them use every variant of every statement. */
const VARIANT_SETS: readonly (readonly string[])[] = [
  [],
  ['train.loss=weighted_bce', 'train.optimizer=adamw', 'train.schedule=step', 'data.dataset=drive', 'data.split=kfold 5 fold 1, seed 42', 'train.early_stop=val_dice'],
  ['train.loss=dice', 'train.optimizer=sgd', 'train.schedule=cosine', 'data.dataset=stare', 'data.split=images "21", "22"'],
  ['train.loss=bce_dice', 'train.schedule=plateau', 'data.dataset=chase_db1', 'data.split.seed=3'],
  ['train.loss=focal', 'train.ensemble=3'],
];

const EVERY_OP = `experiment all_ops {
  data {
    preprocess { crop center 64 x 64; crop box at 1 2 size 32 x 32; grayscale green; normalize per_image; clahe tiles 4 x 4, clip 2; gamma 1.2; resize 32 x 32; pad multiple 8 }
    patches 16 x 16
  }
  model r2unet { depth 2 }
}`;

function experiments(): Array<{ label: string; config: Record<string, unknown> }> {
  return VARIANT_SETS.flatMap((sets) => {
    const loaded = loadExperimentSync('all-ops.r2u', { text: EVERY_OP, sets });
    expect(loaded.diagnostics, sets.join(' ')).toEqual([]);
    return [{ label: sets.join(' ') || 'defaults', config: loaded.config as unknown as Record<string, unknown> }];
  });
}

/** Leaf paths of a configuration; arrays of scalars are leaves. */
function leaves(value: unknown, path: string[] = []): string[][] {
  if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object'))) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [path];
}

/** The schema of `path` in `config`, choosing among `oneOf` branches by the object's tag (`kind`, `op`, `mode`). */
function schemaAt(schema: Schema, config: unknown, path: readonly string[]): Schema {
  let node = schema;
  let value = config;
  for (const seg of path) {
    node = branch(node, value);
    if (node.type === 'array') node = (node.items as Schema | undefined) ?? {};
    else node = (node.properties as Record<string, Schema>)[seg];
    expect(node, `schema has no ${path.join('.')}`).toBeDefined();
    value = (value as Record<string, unknown>)[seg];
  }
  return branch(node, value);
}

function branch(node: Schema, value: unknown): Schema {
  const options = node.oneOf as Schema[] | undefined;
  if (!options) return node;
  const fits = options.filter((o) => {
    if (value === null || o.type === 'null') return value === null && o.type === 'null';
    const props = (o.properties ?? {}) as Record<string, Schema>;
    return Object.entries(props).every(([k, p]) => p.const === undefined || (value as Record<string, unknown>)[k] === p.const);
  });
  expect(fits, `one branch for ${JSON.stringify(value)}`).toHaveLength(1);
  return fits[0];
}

/** The slot type the schema node describes, in the table's terms. */
function asSlot(node: Schema): SlotType | undefined {
  if (node.enum) return { t: 'enum', values: node.enum as string[] };
  if (node.type === 'integer') return { t: 'int', min: node.minimum as number | undefined, max: node.maximum as number | undefined };
  if (node.type === 'number') {
    const exclusive = node.exclusiveMinimum !== undefined;
    return { t: 'number', min: (node.exclusiveMinimum ?? node.minimum) as number | undefined, max: node.maximum as number | undefined, exclusiveMin: exclusive };
  }
  if (node.type === 'boolean') return { t: 'bool' };
  if (node.type === 'string') return { t: 'string' };
  if (node.type === 'array' && node.prefixItems) return { t: 'dims', min: ((node.prefixItems as Schema[])[0].minimum as number) ?? 1 };
  return undefined;
}

const normalise = (t: SlotType): SlotType => (t.t === 'number' ? { ...t, exclusiveMin: t.exclusiveMin ?? false } : t);

describe('the statement table and the JSON Schema', () => {
  const all = experiments();

  it('agree on the type, range and values of every field of every variant', () => {
    let checked = 0;
    for (const { label, config } of all) {
      for (const path of leaves(config)) {
        const last = path.at(-1)!;
        // the experiment's name is its header, and an op's name is its statement
        if (path.join('.') === 'name' || last === 'op') continue;
        const setting = findSetting(config, path);
        expect(setting.kind, `${label}: ${path.join('.')} is settable`).not.toBe('unknown');
        if (setting.kind === 'unknown') continue;
        const node = schemaAt(EXPERIMENT_SCHEMA, config, path);
        if (setting.kind === 'tag' || (setting.kind === 'statement' && setting.def.form === 'variant')) {
          // a tag: the variants of the table are the branches of the schema
          expect(node.const, `${label}: ${path.join('.')}`).toBe(path.reduce<unknown>((v, s) => (v as Record<string, unknown>)[s], config));
          continue;
        }
        const table = slotTypeOf(setting);
        const list = setting.kind === 'statement' ? setting.def.form === 'list' : setting.kind === 'slot' && setting.list;
        const schemaSlot = asSlot(list ? ((node.items as Schema | undefined) ?? {}) : node);
        expect(table && normalise(table), `${label}: ${path.join('.')}`).toEqual(schemaSlot && normalise(schemaSlot));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('agree on the variants of every tagged union', () => {
    const variantsOf = (node: Schema, tag: string) => ((node.oneOf as Schema[]) ?? []).map((o) => ((o.properties as Record<string, Schema>)[tag]?.const)).filter(Boolean);
    const { config } = all[0];
    for (const [path, tag] of [['train.loss', 'kind'], ['train.optimizer', 'kind'], ['train.schedule', 'kind'], ['data.dataset', 'kind'], ['data.split', 'kind']] as const) {
      const setting = findSetting(config, [...path.split('.'), tag]);
      const names =
        setting.kind === 'statement' && setting.def.form === 'variant' ? Object.keys(setting.def.variants) : setting.kind === 'tag' ? Object.keys(setting.variants) : [];
      const parent = path.split('.');
      const node = schemaAt(EXPERIMENT_SCHEMA, config, parent.slice(0, -1));
      expect(variantsOf((node.properties as Record<string, Schema>)[parent.at(-1)!], tag).sort(), path).toEqual([...names].sort());
    }
  });
});
