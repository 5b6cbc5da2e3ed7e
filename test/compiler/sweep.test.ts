// The sweep statement: expansion (grid, zip, union of grids, ranges, seeds),
// and every mistake reported at the sweep line with the failing combination.
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/compiler/index.js';
import { formatSource } from '../../src/compiler/format.js';
import { SourceFile } from '../../src/compiler/source.js';
import { loadText, spec } from './helpers.js';

const sweep = (body: string, extra = '') => spec(`  train { epochs 4 }\n${extra}  sweep {\n${body}\n  }`);
const plan = (body: string, extra = '') => {
  const r = loadText(sweep(body, extra));
  return { ...r, text: formatDiagnostics(r.diagnostics), trials: r.sweep?.trials ?? [] };
};

describe('sweep expansion', () => {
  it('crosses grid axes, the last varying fastest, and each trial is the experiment with its --sets', () => {
    const r = plan('    vary "train.optimizer.lr" 1e-3, 3e-3\n    vary "model.filters" 4, 8, 16');
    expect(r.text).toBe('');
    expect(r.trials.map((t) => t.alias)).toEqual(['lr=1e-3,filters=4', 'lr=1e-3,filters=8', 'lr=1e-3,filters=16', 'lr=3e-3,filters=4', 'lr=3e-3,filters=8', 'lr=3e-3,filters=16']);
    expect(r.trials[4].config.train.optimizer.lr).toBe(3e-3);
    expect(r.trials[4].config.model.filters).toBe(8);
    expect(r.trials[4].sets).toEqual(['train.optimizer.lr=3e-3', 'model.filters=8']);
    expect(new Set(r.trials.map((t) => t.id)).size).toBe(6);
  });

  it('zips paths that vary together, crossed with seeds', () => {
    const r = plan('    zip width {\n      vary "model.filters" 4, 8\n      vary "train.batch" 16, 32\n    }\n    seeds 1, 2');
    expect(r.trials.map((t) => [t.config.model.filters, t.config.train.batch, t.config.seed])).toEqual([
      [4, 16, 1], [4, 16, 2], [8, 32, 1], [8, 32, 2],
    ]);
  });

  it('takes the union of grids, dropping combinations already planned', () => {
    const r = plan('    grid { vary "model.filters" 4, 8 }\n    grid { vary "model.filters" 8, 16 }');
    expect(r.trials.map((t) => t.config.model.filters)).toEqual([4, 8, 16]);
    expect(r.sweep?.duplicates).toBe(1);
  });

  it('expands range and logrange with both ends', () => {
    const r = plan('    vary "model.filters" range(4, 16, step: 4)\n    vary "train.optimizer.lr" logrange(1e-4, 1e-2, count: 3)');
    expect([...new Set(r.trials.map((t) => t.config.model.filters))]).toEqual([4, 8, 12, 16]);
    expect([...new Set(r.trials.map((t) => t.config.train.optimizer.lr))]).toEqual([1e-4, 1e-3, 1e-2]);
  });

  it('reads a whole statement as a value, and a variant switch before its parameter', () => {
    const r = plan('    vary "train.early_stop" val_dice patience 2, val_auc patience 3\n    zip opt {\n      vary "train.optimizer" adamw\n      vary "train.optimizer.weight_decay" 0.05\n    }');
    expect(r.text).toBe('');
    expect(r.trials.map((t) => t.config.train.early_stop)).toMatchObject([{ monitor: 'val_dice', patience: 2 }, { monitor: 'val_auc', patience: 3 }]);
    expect(r.trials[0].config.train.optimizer).toMatchObject({ kind: 'adamw', weight_decay: 0.05 });
  });

  it('plans a 1,000-trial grid (its speed is measured by npm run bench), each trial sharing what it does not change with the base', () => {
    const r = plan('    vary "model.filters" range(1, 10, step: 1)\n    vary "train.batch" range(1, 10, step: 1)\n    vary "seed" range(1, 10, step: 1)');
    expect(r.trials).toHaveLength(1000);
    expect(new Set(r.trials.map((t) => t.id)).size).toBe(1000);
    expect(r.trials[0].config.data).toBe(r.config!.data);
    expect(r.trials[0].config.model).not.toBe(r.config!.model);
    expect(r.config!.model.filters).not.toBe(1);
    expect(r.trials[999].config).toMatchObject({ seed: 10, model: { filters: 10 }, train: { batch: 10 } });
  });
});

describe('random N seed S', () => {
  const space = '    vary "train.optimizer.lr" logrange(1e-4, 1e-2)\n    vary "model.dropout" range(0, 0.5)\n    zip w {\n      vary "model.filters" 4, 8\n      vary "train.batch" 16, 32\n    }\n    seeds 1, 2\n';

  it('draws N points, each repeated per seed, continuous ranges sampled between their ends, the same for the same seed', () => {
    const r = plan(`${space}    random 5 seed 7`);
    expect(r.text).toBe('');
    expect(r.trials).toHaveLength(10);
    expect(r.sweep?.random).toEqual({ count: 5, seed: 7 });
    for (const t of r.trials) {
      const { lr } = t.config.train.optimizer;
      expect(lr).toBeGreaterThanOrEqual(1e-4);
      expect(lr).toBeLessThanOrEqual(1e-2);
      expect(t.config.model.dropout).toBeGreaterThanOrEqual(0);
      expect(t.config.model.dropout).toBeLessThanOrEqual(0.5);
      expect([[4, 16], [8, 32]]).toContainEqual([t.config.model.filters, t.config.train.batch]);
    }
    expect(r.trials.map((t) => t.config.seed)).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
    expect(new Set(r.trials.map((t) => t.config.train.optimizer.lr)).size).toBe(5);
    expect(plan(`${space}    random 5 seed 7`).trials.map((t) => t.id)).toEqual(r.trials.map((t) => t.id));
    expect(plan(`${space}    random 5 seed 8`).trials.map((t) => t.id)).not.toEqual(r.trials.map((t) => t.id));
  });

  it('samples a finite space without repeats, and all of it when N is its size', () => {
    const r = plan('    vary "model.filters" 4, 8, 12\n    vary "train.batch" 8, 16\n    random 6 seed 1');
    expect(r.text).toBe('');
    expect(new Set(r.trials.map((t) => `${t.config.model.filters}/${t.config.train.batch}`)).size).toBe(6);
    const some = plan('    vary "model.filters" 4, 8, 12\n    vary "train.batch" 8, 16\n    random 2 seed 1');
    expect(some.trials).toHaveLength(2);
  });

  it('rejects N above a finite space, a bad N or seed, a continuous range without random and inside a zip', () => {
    expect(plan('    vary "model.filters" 4, 8\n    random 3 seed 1').text).toMatch(/error\[bad-value\]: random 3 draws more points than the 2 the sweep states/);
    expect(plan('    vary "model.filters" 4, 8\n    random 0 seed 1').text).toMatch(/random needs a whole number of draws of at least 1, not 0/);
    expect(plan('    vary "model.filters" 4, 8\n    random 1.5 seed 1').text).toMatch(/not 1\.5/);
    expect(plan('    vary "model.filters" 4, 8\n    random 2').text).toMatch(/'random' takes a number of draws and a seed[\s\S]*random N seed S/);
    expect(plan('    vary "model.filters" 4, 8\n    random 2 seed -1').text).toMatch(/seed must be a whole number of at least 0/);
    expect(plan('    vary "model.dropout" range(0, 0.5)').text).toMatch(/range needs step; without it, a range is a continuous interval, which only 'random N seed S' can sample/);
    expect(plan('    zip z {\n      vary "model.dropout" range(0, 0.5)\n    }\n    random 2 seed 1').text).toMatch(/range needs step/);
    expect(plan('    vary "train.optimizer.lr" logrange(0, 1)\n    random 2 seed 1').text).toMatch(/logrange needs positive ends/);
    expect(plan('    vary "model.filters" 4, 8\n    random 1 seed 1\n    random 1 seed 2').text).toMatch(/'random' is given twice/);
    expect(plan('    grid {\n      random 1 seed 2\n    }').text).toMatch(/unknown statement 'random' in 'grid'/);
  });

  it('reports an invalid draw with its combination', () => {
    const r = plan('    vary "model.depth" 3, 5\n    vary "train.optimizer.lr" logrange(1e-4, 1e-2)\n    random 6 seed 3');
    expect(r.config).toBeUndefined();
    expect(r.text).toMatch(/patch size 48 x 48 is not divisible by 2\^depth = 32/);
    expect(r.text).toMatch(/in draw \d+ of random 6 seed 3: model\.depth=5, train\.optimizer\.lr=/);
  });

  it('is formatted like any statement, idempotently', () => {
    const messy = sweep('vary "model.filters"   4,8\n   random   2   seed  9');
    const once = formatSource(new SourceFile('t.r2u', messy)).text!;
    expect(once).toContain('    vary "model.filters" 4, 8\n    random 2 seed 9\n');
    expect(formatSource(new SourceFile('t.r2u', once)).text).toBe(once);
    expect(loadText(once).sweep?.trials).toHaveLength(2);
  });
});

describe('adopt if …', () => {
  const rule = '    vary "data.split.fold" 0, 1, 2, 3, 4\n    adopt if mean dice above 0, mean loss below -0.001, dice better in 4 of 5';
  const kfold = '  data { split kfold 5 fold 0 }\n';

  it('states the rule the family is judged by, recorded in the plan without changing its trials', () => {
    const r = plan(rule, kfold);
    expect(r.text).toBe('');
    expect(r.sweep?.adopt).toEqual({
      text: 'mean dice above 0, mean loss below -0.001, dice better in 4 of 5',
      clauses: [
        { kind: 'mean', metric: 'dice', op: 'above', value: 0, text: 'mean dice above 0' },
        { kind: 'mean', metric: 'loss', op: 'below', value: -0.001, text: 'mean loss below -0.001' },
        { kind: 'better', metric: 'dice', atLeast: 4, of: 5, text: 'dice better in 4 of 5' },
      ],
    });
    const without = plan('    vary "data.split.fold" 0, 1, 2, 3, 4', kfold);
    expect(without.sweep?.adopt).toBeUndefined();
    expect(r.trials.map((t) => t.id)).toEqual(without.trials.map((t) => t.id));
  });

  it('reports a bad rule at the clause, with the metrics it may name', () => {
    const fold = '    vary "data.split.fold" 0, 1\n';
    expect(plan(`${fold}    adopt mean dice above 0`, kfold).text).toMatch(/error\[missing\]: 'adopt' is followed by 'if' and its clauses/);
    expect(plan(`${fold}    adopt if`, kfold).text).toMatch(/the adoption rule states no clause/);
    const typo = plan(`${fold}    adopt if mean dise above 0`, kfold);
    expect(typo.text).toMatch(/:6:19: error\[unknown-value\]: unknown metric 'dise' in the adoption rule/);
    expect(typo.text).toMatch(/one of loss, dice, auc, accuracy, sensitivity, specificity[\s\S]*did you mean `dice`/);
    expect(plan(`${fold}    adopt if dice better in 5 of 4`, kfold).text).toMatch(/needs whole numbers with 1 ≤ N ≤ M, not 5 of 4/);
    expect(plan(`${fold}    adopt if dice up`, kfold).text).toMatch(/a clause of the adoption rule is `mean METRIC above X`/);
    expect(plan(`${fold}    adopt if mean dice above 0\n    adopt if mean auc above 0`, kfold).text).toMatch(/'adopt' is given twice in the sweep/);
    expect(plan('    grid {\n      adopt if mean dice above 0\n    }').text).toMatch(/unknown statement 'adopt' in 'grid'/);
  });

  it("may say which epoch of each run it judges: 'scored at heldout', once, with the choices it may name", () => {
    const r = plan('    vary "data.split.fold" 0, 1, 2, 3, 4\n    adopt if mean dice above 0, scored at heldout, dice better in 4 of 5', kfold);
    expect(r.text).toBe('');
    expect(r.sweep?.adopt?.at).toBe('heldout');
    expect(r.sweep?.adopt?.text).toBe('scored at heldout, mean dice above 0, dice better in 4 of 5');
    expect(r.sweep?.adopt?.clauses.map((c) => c.text)).toEqual(['mean dice above 0', 'dice better in 4 of 5']);
    const fold = '    vary "data.split.fold" 0, 1\n';
    const typo = plan(`${fold}    adopt if scored at heldot, mean dice above 0`, kfold);
    expect(typo.text).toMatch(/:6:24: error\[unknown-value\]: unknown epoch choice 'heldot' in the adoption rule/);
    expect(typo.text).toMatch(/one of model, best, last, heldout[\s\S]*did you mean `heldout`/);
    expect(plan(`${fold}    adopt if scored heldout, mean dice above 0`, kfold).text).toMatch(/'scored at EPOCH' names one of model, best, last, heldout/);
    expect(plan(`${fold}    adopt if scored at last, scored at best, mean dice above 0`, kfold).text).toMatch(/the adoption rule says 'scored at' once/);
    expect(plan(`${fold}    adopt if scored at last`, kfold).text).toMatch(/states which epoch it scores but no clause on the metrics/);
  });

  it('is formatted like any statement, idempotently', () => {
    const messy = sweep('vary "data.split.fold" 0,1\n  adopt   if mean dice above 0 ,dice better in 2 of 2', kfold);
    const once = formatSource(new SourceFile('t.r2u', messy)).text!;
    expect(once).toContain('    adopt if mean dice above 0, dice better in 2 of 2\n');
    expect(formatSource(new SourceFile('t.r2u', once)).text).toBe(once);
  });
});

describe('sweep mistakes', () => {
  it('an unknown path is reported at the path with a suggestion', () => {
    const r = plan('    vary "model.filtres" 4, 8');
    expect(r.config).toBeUndefined();
    expect(r.text).toMatch(/test\.r2u:\d+:10: error\[unknown-key\]: unknown setting 'model\.filtres'/);
    expect(r.text).toMatch(/did you mean `filters`/);
  });

  it('a value of the wrong type is reported at the value, with its combination', () => {
    const r = plan('    vary "model.filters" 4, big\n    seeds 1, 2');
    expect(r.text).toMatch(/:4:29: error\[bad-value\]/);
    expect(r.text).toMatch(/in trial 3 of 4: model\.filters=big, seed=1 \(and 1 more trial\)/);
  });

  it('a trial that breaks a cross-field rule is reported at the sweep value that caused it', () => {
    const r = plan('    vary "model.depth" 3, 5');
    // the default 48 x 48 patches are divisible by 2^3 but not by 2^5
    expect(r.text).toMatch(/error\[rule\]: patch size 48 x 48 is not divisible by 2\^depth = 32/);
    expect(r.text).toMatch(/in trial 2 of 2: model\.depth=5/);
    expect(r.diagnostics.find((d) => d.code === 'rule')?.span?.line).toBe(3);
  });

  it('zips of unequal lengths, unknown statements and empty sweeps are errors', () => {
    expect(plan('    zip w {\n      vary "model.filters" 4, 8\n      vary "train.batch" 16\n    }').text).toMatch(/need equal numbers of values; found model\.filters: 2, train\.batch: 1/);
    expect(plan('    vray "model.filters" 4').text).toMatch(/unknown statement 'vray' in 'sweep'[\s\S]*did you mean `vary`/);
    expect(plan('').text).toMatch(/the sweep varies nothing/);
    expect(plan('    vary "model.filters" range(4, 1, step: 2)').text).toMatch(/range step 2 never reaches 1 from 4/);
  });

  it('patience above the epoch count is a warning, not an error', () => {
    const r = loadText(spec('  train {\n    epochs 1\n    early_stop val_dice patience 5\n  }'));
    expect(r.config).toBeDefined();
    expect(r.diagnostics).toMatchObject([{ severity: 'warning', code: 'rule' }]);
  });
});

describe('sweep in fmt', () => {
  it('formats a sweep like any block, idempotently', () => {
    const messy = sweep('vary   "model.filters"   4,8\n      zip w { vary "model.depth" 2,3\n vary "train.batch" 8,16 }');
    const once = formatSource(new SourceFile('t.r2u', messy)).text!;
    expect(once).toContain('    vary "model.filters" 4, 8\n    zip w {\n      vary "model.depth" 2, 3\n      vary "train.batch" 8, 16\n    }');
    expect(formatSource(new SourceFile('t.r2u', once)).text).toBe(once);
  });
});
