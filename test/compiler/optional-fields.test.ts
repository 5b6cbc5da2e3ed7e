// Optional fields: a split's own seed (`split kfold 5 fold 1, seed 42`) and
// `train { ensemble N }` are absent from a resolved experiment unless stated,
// so experiments that do not state them resolve, and hash, as before.
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/compiler/index.js';
import { loadText, spec } from './helpers.js';

const split = (body: string, sets?: string[]) => {
  const r = loadText(spec(body), { sets });
  expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
  return r.config!.data.split;
};

describe('split seed', () => {
  it('is absent unless stated, so the resolved experiment is unchanged', () => {
    expect(split('  data { split kfold 5 fold 1 }')).toEqual({ kind: 'kfold', k: 5, fold: 1 });
    expect(split('')).toEqual({ kind: 'ratio', train: 0.9, val: 0.1 });
  });

  it('is set by a phrase in any order, and by --set', () => {
    expect(split('  data { split kfold 5 fold 1, seed 42 }')).toEqual({ kind: 'kfold', k: 5, fold: 1, seed: 42 });
    // the kind is switched before any field is set, so a seed written first is kept
    expect(split('  data { split seed 7, kfold 5 fold 1 }')).toEqual({ kind: 'kfold', k: 5, fold: 1, seed: 7 });
    expect(split('  data { split train 0.8, val 0.2, seed 3 }')).toEqual({ kind: 'ratio', train: 0.8, val: 0.2, seed: 3 });
    expect(split('  data { split kfold 5 fold 1 }', ['data.split.seed=42', 'data.split.fold=2'])).toEqual({ kind: 'kfold', k: 5, fold: 2, seed: 42 });
  });

  it('is kept by a change of fold and dropped with a change of kind', () => {
    expect(split('  data { split kfold 5 fold 1, seed 42 }', ['data.split=kfold 5 fold 3'])).toEqual({ kind: 'kfold', k: 5, fold: 3, seed: 42 });
    expect(split('  data { split kfold 5 fold 1, seed 42 }', ['data.split=images "21"'])).toEqual({ kind: 'list', val: ['21'] });
  });

  it('refuses a seed on a named list, at the seed, and phrases of two kinds, at the second', () => {
    const list = loadText(spec('  data { split images "21", seed 4 }')).diagnostics;
    expect(list.map((d) => [d.code, d.message, d.span?.line, d.span?.column])).toEqual([['schema', "data.split (list) has no field 'seed'", 2, 34]]);
    const mixed = loadText(spec('  data { split train 0.8, kfold 5 fold 1 }')).diagnostics;
    expect(mixed.map((d) => [d.code, d.message, d.span?.column])).toEqual([
      ['bad-value', "'kfold <k> fold <fold>' and 'train <train>' belong to different kinds of 'split' (kfold, ratio)", 27],
    ]);
  });
});

describe('train ensemble', () => {
  it('is absent unless stated, and set by the statement or --set', () => {
    const train = (body: string, sets?: string[]) => {
      const r = loadText(spec(body), { sets });
      expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
      return r.config!.train;
    };
    expect('ensemble' in train('')).toBe(false);
    expect(train('  train { ensemble 3 }').ensemble).toBe(3);
    expect(train('', ['train.ensemble=2']).ensemble).toBe(2);
  });

  it('takes 1 to 16 members', () => {
    const d = loadText(spec('  train { ensemble 0 }')).diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([['bad-value', "'ensemble' is out of range: 0"]]);
  });
});

describe('data extra_training', () => {
  const data = (body: string, sets?: string[]) => {
    const r = loadText(spec(body), { sets });
    expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
    return r.config!.data;
  };

  it('is absent unless stated, and set by the statement or --set', () => {
    expect('extra_training' in data('  data { dataset drive("d") }')).toBe(false);
    expect(data('  data { dataset drive("d"); extra_training chase_db1("c", test: 8) }').extra_training).toEqual({ kind: 'chase_db1', root: 'c', test: 8 });
    expect(data('  data { dataset drive("d") }', ['data.extra_training=stare("s")']).extra_training).toEqual({ kind: 'stare', root: 's', test: 0 });
    expect(data('  data { extra_training chase_db1("c") }', ['data.extra_training.test=8']).extra_training).toEqual({ kind: 'chase_db1', root: 'c', test: 8 });
  });

  it('`none` removes it again: the experiment resolves as if it had never been stated', () => {
    const removed = data('  data { dataset drive("d"); extra_training chase_db1("c", test: 8) }', ['data.extra_training=none']);
    expect('extra_training' in removed).toBe(false);
    const plain = loadText(spec('  data { dataset drive("d") }')).config!;
    const viaNone = loadText(spec('  data { dataset drive("d"); extra_training none }')).config!;
    expect(viaNone).toEqual(plain);
  });

  it('refuses the main dataset itself, at the statement, and a dataset that has no labelled images to add', () => {
    const same = loadText(spec('  data {\n    dataset drive("d")\n    extra_training drive("d")\n  }')).diagnostics;
    expect(same.map((d) => [d.code, d.span?.line, d.span?.column])).toEqual([['rule', 4, 20]]);
    expect(same[0].message).toMatch(/reads the main dataset again .*its validation images would be trained on/);
    const synthetic = loadText(spec('  data { extra_training synthetic }')).diagnostics;
    expect(synthetic.map((d) => [d.code, d.message])).toEqual([['unknown-value', "unknown extra_training 'synthetic'"]]);
  });
});

describe('data patches extra_share', () => {
  it('is absent unless stated, and needs extra_training', () => {
    const r = loadText(spec('  data { extra_training chase_db1("c"); patches 48 x 48, extra_share 0.3 }'));
    expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
    expect(r.config!.data.patches).toMatchObject({ size: [48, 48], extra_share: 0.3 });
    expect('extra_share' in loadText(spec('  data { extra_training chase_db1("c") }')).config!.data.patches).toBe(false);
    const alone = loadText(spec('  data { patches 48 x 48, extra_share 0.3 }')).diagnostics;
    expect(alone.map((d) => [d.code, d.message, d.span?.column])).toEqual([['rule', "extra_share concerns extra_training's images, and the experiment has none", 39]]);
    const epochs = loadText(spec('  data { extra_training chase_db1("c"); patches 48 x 48, extra_share 0.5, extra_epochs 6 }'));
    expect(epochs.config!.data.patches).toMatchObject({ extra_share: 0.5, extra_epochs: 6 });
    expect(loadText(spec('  data { patches extra_epochs 6 }')).diagnostics.map((d) => d.message)).toEqual(["extra_epochs concerns extra_training's images, and the experiment has none"]);
  });
});

describe('data patches extra_ignore_edge', () => {
  it('is absent unless stated, takes 1 to 8 pixels, and needs extra_training', () => {
    const r = loadText(spec('  data { extra_training chase_db1("c"); patches 48 x 48, extra_ignore_edge 1 }'));
    expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
    expect(r.config!.data.patches).toMatchObject({ extra_ignore_edge: 1 });
    expect('extra_ignore_edge' in loadText(spec('  data { extra_training chase_db1("c") }')).config!.data.patches).toBe(false);
    expect(loadText(spec('  data { patches extra_ignore_edge 2 }')).diagnostics.map((d) => d.message)).toEqual(["extra_ignore_edge concerns extra_training's images, and the experiment has none"]);
    const zero = loadText(spec('  data { extra_training chase_db1("c"); patches extra_ignore_edge 0 }')).diagnostics;
    expect(zero.length).toBe(1);
    expect(zero[0].message).toMatch(/out of range: 0/);
    expect(zero[0].span?.line).toBe(2);
  });
});

describe('data extra_scale', () => {
  it('is absent unless stated, takes 0.25 to 4, and needs extra_training', () => {
    const r = loadText(spec('  data { extra_training chase_db1("c"); extra_scale 0.86 }'));
    expect(r.diagnostics, formatDiagnostics(r.diagnostics)).toEqual([]);
    expect(r.config!.data.extra_scale).toBe(0.86);
    expect('extra_scale' in loadText(spec('  data { extra_training chase_db1("c") }')).config!.data).toBe(false);
    expect(loadText(spec('  data { extra_scale 0.86 }')).diagnostics.map((d) => d.message)).toEqual(["extra_scale concerns extra_training's images, and the experiment has none"]);
    expect(loadText(spec('  data { extra_training chase_db1("c"); extra_scale 5 }')).diagnostics.map((d) => d.message)).toEqual(["'extra_scale' is out of range: 5"]);
  });
});
