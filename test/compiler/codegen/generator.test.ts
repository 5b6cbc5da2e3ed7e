// The generator on its own: canonical output, one-field locality, template
// line maps, and type errors reported at the template line that caused them.
import { describe, expect, it } from 'vitest';
import { Generator, markTemplate, readTemplates, TemplateError, unmark } from '../../../src/compiler/codegen/generator.js';
import { Compiler, DEFAULT_OUT_DIR, srcSpecifier } from '../../../src/compiler/codegen/index.js';
import { canonicalJson, contentHash } from '../../../src/spec/content-hash.js';
import { GeneratedTypeError } from '../../../src/compiler/codegen/report.js';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';

const META = { source: 'specs/x.r2u', outFile: 'generated/x.ts', src: '../src' };

/** A deep copy with every object's keys in reverse order. */
function reverseKeys<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(reverseKeys) as T;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) as T;
}

/** Sets a dotted path in a deep copy. */
function withField(config: ExperimentConfig, path: string, value: unknown): ExperimentConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const parts = path.split('.');
  let node = copy;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
  return copy as unknown as ExperimentConfig;
}

const RICH: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  name: 'rich',
  data: {
    ...DEFAULT_EXPERIMENT.data,
    dataset: { kind: 'drive', root: 'data/DRIVE' },
    preprocess: [
      { op: 'grayscale', mode: 'green' },
      { op: 'clahe', tiles: [8, 8], clip: 2 },
      { op: 'gamma', value: 1.2 },
      { op: 'normalize', mode: 'dataset' },
    ],
    split: { kind: 'list', val: ['21', "it's"] },
  },
  train: {
    ...DEFAULT_EXPERIMENT.train,
    loss: { kind: 'bce_dice', dice_weight: 0.5, smooth: 1 },
    optimizer: { kind: 'adamw', lr: 3e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 1e-4 },
    schedule: { kind: 'cosine', min_lr: 1e-6, warmup: 2 },
    early_stop: { monitor: 'val_dice', patience: 10, restore_best: true },
  },
};

describe('canonical JSON and hash', () => {
  it('ignores key order', () => {
    expect(canonicalJson(reverseKeys(RICH))).toBe(canonicalJson(RICH));
    expect(contentHash(reverseKeys(RICH))).toBe(contentHash(RICH));
    expect(contentHash(RICH)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  it('changes with any field', () => {
    expect(contentHash(withField(RICH, 'model.t', 3))).not.toBe(contentHash(RICH));
  });
});

describe('generator', () => {
  const gen = new Generator();

  it('is deterministic and independent of the key order of the config', () => {
    const a = gen.generate(RICH, META).text;
    expect(gen.generate(RICH, META).text).toBe(a);
    expect(new Generator().generate(reverseKeys(RICH), META).text).toBe(a);
  });

  it('has no machine-specific content', () => {
    const { text } = gen.generate(RICH, META);
    expect(text).not.toMatch(/[A-Za-z]:\\|\/work\/|\/home\/|\/tmp\/|\r/);
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
  });

  it('states the header and every field', () => {
    const { text, hash } = gen.generate(RICH, { ...META, parents: ['specs/base.r2u'] });
    expect(text).toContain(`// spec:     specs/x.r2u\n// extends:  specs/base.r2u\n`);
    expect(text).toContain(`// hash:     ${hash}\n`);
    expect(text).toContain('DO NOT EDIT');
    expect(text).toContain("split: {\n      kind: 'list',\n      val: ['21', 'it\\'s'], // ids of the validation images\n    },");
    expect(text).toContain("      { op: 'clahe', tiles: [8, 8], clip: 2 },\n");
    expect(text).toContain('      lr: 0.0003, // initial learning rate\n');
    expect(text).toContain('} as const satisfies ExperimentConfig;\n');
  });

  it('trains through the runtime entry point, which reads `ensemble` from the config it is given', () => {
    const one = gen.generate(RICH, META).text;
    expect(one).not.toContain('ensemble:');
    const three = gen.generate(withField(RICH, 'train.ensemble', 3), META).text;
    expect(three).toContain('    ensemble: 3, // members with seeds seed, seed + 1');
    for (const text of [one, three]) {
      expect(text).toContain("import { train } from '../src/runtime/train/train.js';");
      expect(text).toContain('=> train(config, options)');
      expect(text).not.toMatch(/trainExperiment|trainEnsemble/);
    }
  });

  it('maps every non-blank line to a template line', () => {
    const { text, lineMap } = gen.generate(RICH, META);
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() !== '') expect(lineMap[i], `line ${i + 1}: ${line}`).toBeDefined();
    });
    const templates = readTemplates();
    const depth = lines.findIndex((l) => l.trimStart().startsWith('depth:'));
    const loc = lineMap[depth]!;
    expect(loc.template).toBe('experiment.hbs');
    expect(templates[loc.template].split('\n')[loc.line - 1]).toContain("{{{v 'model.depth'}}}");
  });

  // the reason fields are one per line: a reviewer sees exactly what changed
  it.each([
    ['seed', 7],
    ['model.depth', 4],
    ['model.norm', 'batch'],
    ['data.patches.size', [64, 64]],
    ['data.augment.elastic.sigma', 6],
    ['train.optimizer.lr', 0.01],
    ['train.loss.dice_weight', 2],
    ['train.early_stop.patience', 3],
    ['eval.stride', [8, 8]],
    ['runtime.workers', 2],
  ])('changing %s changes only its line and the hash', (path, value) => {
    const before = gen.generate(RICH, META).text.split('\n');
    const after = gen.generate(withField(RICH, path, value), META).text.split('\n');
    expect(after.length).toBe(before.length);
    const changed = before.map((l, i) => [l, after[i]] as const).filter(([a, b]) => a !== b);
    const hashLines = changed.filter(([a]) => a.includes('sha256:'));
    const fieldLines = changed.filter(([a]) => !a.includes('sha256:'));
    expect(hashLines.length).toBe(2); // header and `origin`
    expect(fieldLines.length).toBe(1);
    const key = path.split('.').pop()!;
    expect(fieldLines[0][1].trimStart().startsWith(`${key}: `)).toBe(true);
  });

  it('changing one preprocessing op changes one line', () => {
    const ops = [...RICH.data.preprocess];
    ops[1] = { op: 'clahe', tiles: [8, 8], clip: 3 };
    const before = gen.generate(RICH, META).text.split('\n');
    const after = gen.generate(withField(RICH, 'data.preprocess', ops), META).text.split('\n');
    const changed = before.filter((l, i) => l !== after[i] && !l.includes('sha256:'));
    expect(changed).toEqual(["      { op: 'clahe', tiles: [8, 8], clip: 2 },"]);
  });

  it('refuses a config field that no template renders', () => {
    const extra = { ...RICH, model: { ...RICH.model, extra_field: 1 } } as ExperimentConfig;
    expect(() => gen.generate(extra, META)).toThrow(/do not render `model\.extra_field`/);
  });

  it('refuses a template that names a field the config lacks', () => {
    const templates = readTemplates();
    templates['experiment.hbs'] = templates['experiment.hbs'].replace("{{{v 'model.depth'}}}", "{{{v 'model.dpth'}}}");
    const line = templates['experiment.hbs'].split('\n').findIndex((l) => l.includes("'model.dpth'")) + 1;
    expect(() => new Generator(templates).generate(RICH, META)).toThrow(TemplateError);
    expect(() => new Generator(templates).generate(RICH, META)).toThrow(`experiment.hbs:${line}: the config has no field \`model.dpth\``);
  });
});

describe('template markers', () => {
  it('survive block helpers and partial indentation', () => {
    const marked = markTemplate('t.hbs', 'a\n{{#each xs}}\n  x{{this}}\n{{/each}}\nb');
    expect(marked.split('\n')[1]).toBe('{{#each xs}}');
    const { text, lineMap } = unmark(marked.replace('{{#each xs}}\n', '').replace('{{/each}}\n', ''));
    expect(text).toBe('a\n  x{{this}}\nb');
    expect(lineMap.map((l) => l?.line)).toEqual([1, 3, 5]);
  });
});

describe('paths', () => {
  it('imports the runtime relative to the output folder, posix', () => {
    expect(srcSpecifier(DEFAULT_OUT_DIR)).toBe('../src');
  });
});

describe('typecheck', () => {
  // only the experiment constant, so this test needs no runtime beyond config.ts
  const MINIMAL_MODULE = "import type { ExperimentConfig } from '{{src}}/spec/config.js';\n\n{{> experiment}}\n";

  it('accepts well-typed output', async () => {
    const templates: Record<string, string> = { ...readTemplates(), 'module.hbs': MINIMAL_MODULE };
    const compiler = new Compiler({ templates });
    const m = compiler.compileConfig(RICH, 'specs/minimal.r2u');
    expect(await compiler.typecheck([m])).toEqual([]);
  });

  it('reports a generator bug at the template line that made it', async () => {
    const templates: Record<string, string> = { ...readTemplates(), 'module.hbs': MINIMAL_MODULE };
    // a planted bug: depth rendered as a string
    templates['experiment.hbs'] = templates['experiment.hbs'].replace("depth: {{{v 'model.depth'}}},", "depth: '{{{v 'model.depth'}}}',");
    const bugLine = templates['experiment.hbs'].split('\n').findIndex((l) => l.includes("depth: '{{{v")) + 1;
    const compiler = new Compiler({ templates });
    const m = compiler.compileConfig(RICH, 'specs/minimal.r2u');
    const diags = await compiler.typecheck([m]);
    expect(diags.length).toBeGreaterThan(0);
    expect(diags[0].template).toEqual({ template: 'experiment.hbs', line: bugLine });
    expect(diags[0].code).toContain("depth: '3'");
    await expect(compiler.assertWellTyped([m])).rejects.toThrow(GeneratedTypeError);
    await expect(compiler.assertWellTyped([m])).rejects.toThrow(new RegExp(`experiment\\.hbs:${bugLine}: .*not assignable`));
  });

  it('checks the calls into the runtime against its real types', async () => {
    const templates = readTemplates();
    // a planted bug: the model config where the runtime wants the data config
    templates['module.hbs'] = templates['module.hbs'].replace('inputChannels(config.data)', 'inputChannels(config.model)');
    const bugLine = templates['module.hbs'].split('\n').findIndex((l) => l.includes('inputChannels(config.model)')) + 1;
    const compiler = new Compiler({ templates });
    const diags = await compiler.typecheck([compiler.compileConfig(RICH, 'specs/planted.r2u')]);
    expect(diags.map((d) => d.template)).toEqual([{ template: 'module.hbs', line: bugLine }]);
    expect(diags[0].message).toMatch(/ModelConfig.*DataConfig|not assignable/);
  });

  it('reports unformatted output at its template line', async () => {
    const templates: Record<string, string> = { ...readTemplates(), 'module.hbs': MINIMAL_MODULE };
    templates['experiment.hbs'] = templates['experiment.hbs'].replace('    t: {{{v', '    t:   {{{v');
    const compiler = new Compiler({ templates });
    const diags = await compiler.typecheck([compiler.compileConfig(RICH, 'specs/minimal.r2u')]);
    expect(diags).toHaveLength(1);
    expect(diags[0].message).toMatch(/not formatted/);
    expect(diags[0].template?.template).toBe('experiment.hbs');
  });
});
