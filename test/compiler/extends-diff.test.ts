import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffConfigs, formatChanges } from '../../src/compiler/diff.js';
import { loadExperimentSync } from '../../src/compiler/index.js';

const dir = mkdtempSync(join(tmpdir(), 'r2u-extends-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('extends and sweeps', () => {
  // a k-fold parent: the family and its rule, which a candidate should not have to restate
  write(
    'kfold.r2u',
    'experiment kfold {\n  data { split kfold 5 fold 0 }\n  model r2unet { filters 8 }\n  sweep {\n    vary "data.split.fold" 0, 1, 2\n    adopt if mean dice above 0\n  }\n}\n',
  );

  it('inherits the parent’s sweep whole, planned over the child’s experiment', () => {
    const child = write('wide.r2u', 'extends "kfold.r2u"\nexperiment wide {\n  model r2unet { filters 16 }\n}\n');
    const r = loadExperimentSync(child);
    expect(r.diagnostics).toEqual([]);
    expect(r.sweep?.trials.map((t) => t.alias)).toEqual(['fold=0', 'fold=1', 'fold=2']);
    expect(r.sweep?.trials.map((t) => [t.config.name, t.config.model.filters, t.config.data.split])).toEqual(
      [0, 1, 2].map((fold) => ['wide', 16, expect.objectContaining({ kind: 'kfold', fold })]),
    );
    expect(r.sweep?.adopt?.text).toBe('mean dice above 0');
    expect(r.sweep?.statedIn).toMatch(/kfold\.r2u$/);
    // the trials are the child's: another experiment, other ids than the parent's
    const parentIds = loadExperimentSync(join(dir, 'kfold.r2u')).sweep?.trials.map((t) => t.id);
    expect(r.sweep?.trials.map((t) => t.id)).not.toEqual(parentIds);
  });

  it('inherits through a parent that states no sweep, from the nearest one that does', () => {
    write('middle.r2u', 'extends "kfold.r2u"\nexperiment middle {\n  train { batch 16 }\n}\n');
    const r = loadExperimentSync(write('leaf.r2u', 'extends "middle.r2u"\nexperiment leaf {}\n'));
    expect(r.sweep?.trials).toHaveLength(3);
    expect(r.sweep?.trials[0].config.train.batch).toBe(16);
    expect(r.sweep?.statedIn).toMatch(/kfold\.r2u$/);
  });

  it('replaces the inherited sweep with the child’s own, rule included', () => {
    const child = write('seeds.r2u', 'extends "kfold.r2u"\nexperiment seeds {\n  sweep {\n    seeds 1, 2\n  }\n}\n');
    const r = loadExperimentSync(child);
    expect(r.sweep?.varying).toEqual(['seed']);
    expect(r.sweep?.trials).toHaveLength(2);
    expect(r.sweep?.adopt).toBeUndefined();
    expect(r.sweep?.statedIn).toMatch(/seeds\.r2u$/);
  });

  it('drops it with `sweep none`, also for the specs that extend that one', () => {
    const none = write('single.r2u', 'extends "kfold.r2u"\nexperiment single {\n  sweep none\n}\n');
    const r = loadExperimentSync(none);
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.data.split).toMatchObject({ kind: 'kfold', fold: 0 });
    expect(r.sweep).toBeUndefined();
    expect(loadExperimentSync(write('below-none.r2u', 'extends "single.r2u"\nexperiment b {}\n')).sweep).toBeUndefined();
  });

  it('reports an inherited sweep that does not fit the child in the parent’s file, with the failing trial', () => {
    const child = write('ratio.r2u', 'extends "kfold.r2u"\nexperiment ratio {\n  data { split train 0.8, val 0.2 }\n}\n');
    const r = loadExperimentSync(child);
    expect(r.config).toBeUndefined();
    const e = r.diagnostics.find((d) => d.severity === 'error');
    expect(e?.span?.file).toMatch(/kfold\.r2u$/);
    expect(e?.span?.line).toBeGreaterThanOrEqual(4);
  });

  it('refuses `sweep none` with a block and any other word', () => {
    const withBlock = loadExperimentSync(write('none-block.r2u', 'experiment n {\n  sweep none {\n    seeds 1, 2\n  }\n}\n')).diagnostics;
    expect(withBlock.map((d) => d.message)).toContain("'sweep none' states that there is no family; it takes no block");
    const other = loadExperimentSync(write('sweep-word.r2u', 'experiment n {\n  sweep all\n}\n')).diagnostics;
    expect(other.map((d) => [d.message, d.span?.line, d.span?.column])).toContainEqual(["'sweep' takes a block, or 'none' to drop an inherited sweep", 2, 9]);
  });
});

describe('extends', () => {
  const base = write('base.r2u', 'experiment base {\n  train { loss focal(gamma: 3); batch 16 }\n  data { preprocess { grayscale green; normalize per_image } }\n}\n');

  it('inherits every setting and overrides only the stated ones', () => {
    const child = write('child.r2u', 'extends "base.r2u"\nexperiment child {\n  train { batch 64 }\n}\n');
    const r = loadExperimentSync(child);
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.name).toBe('child');
    expect(r.config?.train.batch).toBe(64);
    expect(r.config?.train.loss).toEqual({ kind: 'focal', gamma: 3, alpha: 0.25 });
    expect(r.sources.map((s) => s.endsWith('base.r2u') || s.endsWith('child.r2u'))).toEqual([true, true]);
  });

  it('keeps the parent’s variant parameters when the child names the same variant', () => {
    const child = write('same-variant.r2u', 'extends "base.r2u"\nexperiment c {\n  train { loss focal(alpha: 0.5) }\n}\n');
    expect(loadExperimentSync(child).config?.train.loss).toEqual({ kind: 'focal', gamma: 3, alpha: 0.5 });
  });

  it('replaces the preprocessing list as a whole', () => {
    const child = write('ops.r2u', 'extends "base.r2u"\nexperiment c {\n  data { preprocess { grayscale luminance } }\n}\n');
    expect(loadExperimentSync(child).config?.data.preprocess).toEqual([{ op: 'grayscale', mode: 'luminance' }]);
  });

  it('applies --set after the chain', () => {
    const r = loadExperimentSync(base, { sets: ['train.batch=8', 'train.loss.gamma=1.5'] });
    expect(r.config?.train).toMatchObject({ batch: 8, loss: { kind: 'focal', gamma: 1.5 } });
  });

  it('reports a missing parent at the extends clause', () => {
    const child = write('orphan.r2u', 'extends "nowhere.r2u"\nexperiment c {}\n');
    const d = loadExperimentSync(child).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'extends', span: { line: 1, column: 9 } });
    expect(d[0].message).toContain('no such file');
  });

  it('reports a cycle with its path', () => {
    write('a.r2u', 'extends "b.r2u"\nexperiment a {}\n');
    const b = write('b.r2u', 'extends "a.r2u"\nexperiment b {}\n');
    const d = loadExperimentSync(b).diagnostics;
    expect(d.some((x) => x.code === 'extends' && /cycle: .*b\.r2u → .*a\.r2u → .*b\.r2u/.test(x.message))).toBe(true);
  });

  it('reports errors inside the parent in the parent file', () => {
    write('bad-parent.r2u', 'experiment p { seed x }\n');
    const child = write('bad-child.r2u', 'extends "bad-parent.r2u"\nexperiment c {}\n');
    const d = loadExperimentSync(child).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0].span?.file).toMatch(/bad-parent\.r2u$/);
  });
});

describe('r2u diff', () => {
  it('prints exactly the changed fields of an experiment that extends the reference', () => {
    const a = loadExperimentSync('specs/drive-r2unet-single.r2u').config!;
    const b = loadExperimentSync('specs/drive-attention-r2unet.r2u').config!;
    expect(formatChanges(diffConfigs(a, b))).toBe(
      [
        '~ name: drive_r2unet → drive_attention_r2unet',
        '~ data.augment.rotate: 0 → 15',
        '~ data.augment.elastic.alpha: 0 → 34',
        '~ model.arch: r2unet → attention_r2unet',
      ].join('\n'),
    );
  });

  it('shows variant switches as a changed kind plus added and removed parameters', () => {
    const a = loadExperimentSync('specs/drive-r2unet-single.r2u').config!;
    const b = loadExperimentSync('specs/drive-r2unet-single.r2u', { sets: ['train.loss=focal'] }).config!;
    expect(formatChanges(diffConfigs(a, b))).toBe(
      ['~ train.loss.kind: bce_dice → focal', '- train.loss.dice_weight: 1', '- train.loss.smooth: 1', '+ train.loss.gamma: 2', '+ train.loss.alpha: 0.25'].join('\n'),
    );
  });

  it('finds no difference between layouts of the same experiment', () => {
    const p = write('relaid.r2u', 'experiment drive_r2unet{seed 42;data{dataset drive("data/DRIVE")}}');
    const q = write('relaid2.r2u', '// same\nexperiment drive_r2unet {\n  data {\n    dataset drive(root: "data/DRIVE")  // named\n  }\n  seed 42\n}\n');
    expect(diffConfigs(loadExperimentSync(p).config!, loadExperimentSync(q).config!)).toEqual([]);
  });
});
