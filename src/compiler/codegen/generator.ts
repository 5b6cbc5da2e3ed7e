// Lowers a resolved, validated experiment to the text of a TypeScript module
// with Handlebars templates (templates/*.hbs). Every generated line is mapped
// back to the template line that produced it, so that a type error in the
// output (typecheck.ts) names the template line to fix rather than the output.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { ExperimentConfig } from '../../spec/config.js';
import { VERSION } from '../../version.js';
import { contentHash } from '../../spec/content-hash.js';
import { BACKENDS, valuesOf } from '../../spec/vocabulary.js';
import { block, inline, leafPaths, propertyKey, stringLiteral, trailingDoc } from './literal.js';
import { diffConfigs } from '../diff.js';
import type { SweepPlan } from '../sweep.js';

export const TEMPLATE_DIR = fileURLToPath(new URL('./templates/', import.meta.url));
/** The template rendered for a module; the others are partials named by their stem. */
export const ENTRY_TEMPLATE = 'module.hbs';

/** Where the module goes and what it says about its origin; all paths posix and repo-relative. */
export interface ModuleMeta {
  /** the spec, e.g. `specs/drive-r2unet.r2u` */
  readonly source: string;
  /** specs it extends, nearest first */
  readonly parents?: readonly string[];
  /** the module itself, e.g. `generated/drive-r2unet.ts` */
  readonly outFile: string;
  /** import specifier of src/ seen from the module's folder, e.g. `../src` */
  readonly src: string;
  /** the family, when the spec states a sweep: the module then exports its trials */
  readonly sweep?: SweepPlan;
  /** the parent whose sweep the spec inherits, when it states none of its own */
  readonly sweepParent?: string;
}

export interface TemplateLocation {
  readonly template: string;
  readonly line: number;
}

export interface GeneratedModule {
  readonly text: string;
  readonly hash: string;
  /** lineMap[i] is the template line that produced line i + 1 of `text` */
  readonly lineMap: readonly (TemplateLocation | undefined)[];
}

/** A template that cannot be rendered for this config (unknown path, missing field). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

// Private-use characters delimit the location markers woven into templates.
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARK = /\uE000([^\uE001]*)\uE001/g;
// A line holding only a block statement or partial is removed by Handlebars
// ("standalone"); a marker would keep it, so such lines carry none.
const STANDALONE = /^\s*\{\{~?\s*(?:[#^/!>]|else\b)[^]*\}\}\s*$/;

/** Prefixes each template line with `name:line` so rendered lines can be traced back. */
export function markTemplate(name: string, source: string): string {
  return source
    .split('\n')
    .map((line, i) => (STANDALONE.test(line) || line === '' ? line : `${MARK_OPEN}${name}:${i + 1}${MARK_CLOSE}${line}`))
    .join('\n');
}

/** Strips the markers, remembering for every output line the last marker seen. */
export function unmark(rendered: string): { text: string; lineMap: (TemplateLocation | undefined)[] } {
  const lineMap: (TemplateLocation | undefined)[] = [];
  let current: TemplateLocation | undefined;
  const lines = rendered.split('\n').map((line) => {
    let first: TemplateLocation | undefined;
    const text = line.replace(MARK, (_, loc: string) => {
      const at = loc.lastIndexOf(':');
      first ??= { template: loc.slice(0, at), line: Number(loc.slice(at + 1)) };
      return '';
    });
    // an unmarked line (blank, or a helper's continuation) belongs to the line above
    current = first ?? (text.trim() === '' ? undefined : current);
    lineMap.push(current);
    return text;
  });
  return { text: lines.join('\n'), lineMap };
}

/** Paths go into `//` comments: a line terminator in a file name must not end one. */
function commentSafe(s: string): string {
  return s.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What module.hbs shows of a sweep: each trial as its id, alias and the changes (TS text) that make it from `base`. */
function familyContext(base: ExperimentConfig, plan: SweepPlan) {
  const inlineChanges = (changes: Array<[string, unknown]>) => (changes.length ? `{ ${changes.map(([path, value]) => `${propertyKey(path)}: ${inline(value, path)}`).join(', ')} }` : '{}');
  return {
    count: plan.trials.length,
    varying: plan.varying.join(', '),
    random: plan.random ? `random ${plan.random.count} seed ${plan.random.seed}` : '',
    trials: plan.trials.map((t) => ({
      id: t.id,
      alias: t.alias,
      changes: inlineChanges(trialChanges(base, t.config)),
    })),
  };
}

/**
 * The leaves in which `trial` differs from `base`, by dotted path. Where a
 * field is gone (a variant switch, a shorter list), its whole object is given
 * instead, so that setting each path on a copy of the base gives the trial.
 */
export function trialChanges(base: ExperimentConfig, trial: ExperimentConfig): Array<[string, unknown]> {
  const changes = diffConfigs(base, trial);
  const parent = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('.')));
  const wholes = [...new Set(changes.filter((c) => c.kind === 'removed').map((c) => parent(c.path)))];
  const under = (p: string, q: string) => p === q || p.startsWith(`${q}.`) || q === '';
  const outer = wholes.filter((w) => !wholes.some((o) => o !== w && under(w, o)));
  const valueAt = (p: string) => p.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], trial);
  const out: Array<[string, unknown]> = [];
  for (const c of changes) {
    const whole = outer.find((w) => under(c.path, w));
    if (whole === undefined) out.push([c.path, c.after]);
    else if (!out.some(([p]) => p === whole)) out.push([whole, valueAt(whole)]);
  }
  return out;
}

const NO_FIELD = Symbol('no field');

/** The value at a dotted config path, or NO_FIELD where the config has none (an optional field left out). */
function fieldAt(config: unknown, path: string): unknown {
  let value = config;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) return NO_FIELD;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Reads the templates of a folder: `{ 'module.hbs': '...', 'experiment.hbs': '...' }`. */
export function readTemplates(dir = TEMPLATE_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.hbs')) out[f] = readFileSync(dir + f, 'utf8');
  return out;
}

interface RenderState {
  config: ExperimentConfig;
  covered: Set<string>;
}

export class Generator {
  private readonly render: (ctx: object) => string;
  private state: RenderState | undefined;

  /** `templates` replaces the shipped ones (tests use it to plant generator bugs). */
  constructor(templates: Record<string, string> = readTemplates()) {
    const hb = Handlebars.create();
    for (const [name, source] of Object.entries(templates)) {
      if (name !== ENTRY_TEMPLATE) hb.registerPartial(name.replace(/\.hbs$/, ''), markTemplate(name, source));
    }
    const entry = templates[ENTRY_TEMPLATE];
    if (entry === undefined) throw new TemplateError(`no ${ENTRY_TEMPLATE} among the templates`);
    // Handlebars passes helpers the line of their mustache (its typings omit
    // it) but not the template's name: take the template holding the path there
    const where = (path: unknown, options: Handlebars.HelperOptions) => {
      const line = (options as { loc?: { start: { line: number } } }).loc?.start.line;
      if (line === undefined) return 'a template';
      const name = Object.keys(templates).find((n) => templates[n].split('\n')[line - 1]?.includes(String(path)));
      return name === undefined ? `template line ${line}` : `${name}:${line}`;
    };
    const lookup = (path: unknown, options: Handlebars.HelperOptions): unknown => {
      const state = this.state!;
      if (typeof path !== 'string') throw new TemplateError(`${where(path, options)}: a config path must be a string`);
      const value = fieldAt(state.config, path);
      if (value === NO_FIELD) throw new TemplateError(`${where(path, options)}: the config has no field \`${path}\``);
      state.covered.add(path);
      return value;
    };
    // {{{v 'model.depth'}}}: a field on one line
    hb.registerHelper('v', (path: unknown, options: Handlebars.HelperOptions) => inline(lookup(path, options), path as string));
    // {{{block 'train.optimizer' 4}}}: an object, one field per line, 4 = indentation of its key
    hb.registerHelper('block', (path: unknown, indent: unknown, options: Handlebars.HelperOptions) =>
      block(lookup(path, options), typeof indent === 'number' ? indent : 0, path as string),
    );
    // {{#present 'data.extra_training'}}…{{else}}…{{/present}}: rendered only when the optional field is there (else the other part)
    const current = () => this.state!;
    hb.registerHelper('present', function (this: unknown, path: unknown, options: Handlebars.HelperOptions) {
      return fieldAt(current().config, String(path)) === NO_FIELD ? options.inverse(this) : options.fn(this);
    });
    // {{{doc 'train.batch'}}}: ` // <the field's doc>` (src/spec/field-docs.ts), or nothing
    hb.registerHelper('doc', (path: unknown) => trailingDoc(String(path)));
    // {{{str x}}}: any string as a TS literal
    hb.registerHelper('str', (s: unknown) => stringLiteral(String(s)));
    // noEscape: the output is TS, not HTML; strict: a misspelt variable is an error, not ''
    this.render = hb.compile(markTemplate(ENTRY_TEMPLATE, entry), { noEscape: true, strict: true });
  }

  generate(config: ExperimentConfig, meta: ModuleMeta): GeneratedModule {
    const hash = contentHash(config);
    const state: RenderState = { config, covered: new Set() };
    this.state = state;
    let rendered: string;
    try {
      rendered = this.render({
        source: commentSafe(meta.source),
        parents: (meta.parents ?? []).map(commentSafe),
        outFile: commentSafe(meta.outFile),
        // goes inside '...' import specifiers
        src: stringLiteral(meta.src).slice(1, -1),
        backends: valuesOf(BACKENDS).join('|'),
        hash,
        version: VERSION,
        family: meta.sweep ? { ...familyContext(config, meta.sweep), parent: meta.sweepParent ? commentSafe(meta.sweepParent) : '' } : false,
      });
    } finally {
      this.state = undefined;
    }
    // a field the templates forget would silently vanish from the experiment
    const missing = leafPaths(config).filter((p) => ![...state.covered].some((c) => p === c || p.startsWith(`${c}.`)));
    if (missing.length > 0) throw new TemplateError(`the templates do not render ${missing.map((p) => `\`${p}\``).join(', ')}`);
    const { text, lineMap } = unmark(rendered);
    return { text: text.endsWith('\n') ? text : `${text}\n`, hash, lineMap };
  }
}
