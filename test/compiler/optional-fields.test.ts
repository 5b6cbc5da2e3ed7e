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
