import { describe, expect, it } from 'vitest';
import { formatDiagnostics, diagnosticsToJson } from '../../src/compiler/index.js';
import { loadText, spec } from './helpers.js';

const diag = (text: string, sets?: string[]) => loadText(text, { sets }).diagnostics;
const one = (text: string, sets?: string[]) => {
  const d = diag(text, sets);
  expect(d, formatDiagnostics(d)).toHaveLength(1);
  return d[0];
};

describe('diagnostics', () => {
  it('reports three different mistakes as three located errors with carets and suggestions', () => {
    const text = spec(`  data { patches 48 x 48, random 100 per epoc }
  model r2unet { depht 3 }
  train { loss bce_dcie }`);
    const d = diag(text);
    expect(d.map((x) => [x.code, x.span?.line, x.span?.column, x.suggestion])).toEqual([
      ['bad-value', 2, 42, 'epoch'],
      ['unknown-key', 3, 18, 'depth'],
      ['unknown-value', 4, 16, 'bce_dice'],
    ]);
    const out = formatDiagnostics(d);
    expect(out).toContain('test.r2u:3:18: error[unknown-key]: unknown statement \'depht\' in \'model\'');
    expect(out).toContain('  |                  ^^^^^');
    expect(out).toContain('did you mean `depth`?');
    expect(out).toContain('3 errors');
  });

  it('reports lexing errors', () => {
    const d = one(spec("  data { dataset drive('data/DRIVE') }\n"));
    expect(d).toMatchObject({ code: 'lex', message: 'strings are written in double quotes', suggestion: '"data/DRIVE"', span: { line: 2, column: 24 } });
  });

  it('reports a missing closing brace at the end of the file, with what was expected', () => {
    const d = diag('experiment t {\n  seed 1\n');
    expect(d[0].code).toBe('syntax');
    expect(d[0].expected).toContain("'}'");
    expect(d[0].span?.line).toBe(2);
  });

  it('says what the parser expected at each kind of syntax error', () => {
    const expected = (text: string) => diag(text).find((d) => d.code === 'syntax')?.expected;
    expect(expected('experiment t {} x')).toBe('end of file');
    expect(expected('{')).toBe("'experiment', identifier");
    expect(expected(spec('  train { optimizer adam(lr: ) }'))).toBe('number, size (H x W), string, identifier');
    expect(expected('extends "a"')).toBe("end of line, ';'");
  });

  it('suggests the keyword for a misspelled experiment header', () => {
    const d = one('experimnt t {\n}\n');
    expect(d).toMatchObject({ code: 'syntax', suggestion: 'experiment', span: { line: 1, column: 1 } });
  });

  it('reports all syntax errors in one pass', () => {
    const d = diag(spec('  data { patches 48 x 48, , random 5 per epoch }\n  train { optimizer adam(lr: 1e-3 beta1: 0.9) }'));
    expect(d.filter((x) => x.code === 'syntax').length).toBeGreaterThanOrEqual(2);
    expect(new Set(d.map((x) => x.span?.line)).size).toBeGreaterThanOrEqual(2);
  });

  it('says where a key belongs when it is in the wrong block', () => {
    const d = one(spec('  data { batch 32 }'));
    expect(d.code).toBe('unknown-key');
    expect(d.note).toContain("'train { }'");
  });

  it('reports duplicate statements with the first place', () => {
    const d = one(spec('  seed 1\n  seed 2'));
    expect(d).toMatchObject({ code: 'duplicate-key', span: { line: 3 } });
    expect(d.note).toContain('line 2');
  });

  it('reports two statements of one block that set one field, naming both', () => {
    const d = one(spec('  data { augment {\n    intensity none\n    gamma 0.1\n  } }'));
    expect(d).toMatchObject({ code: 'duplicate-key', span: { line: 4 } });
    expect(d.message).toBe("'gamma' sets data.augment.gamma, which 'intensity' sets too");
    expect(d.note).toContain('line 3');
  });

  it('reports wrong types and out-of-range values', () => {
    expect(one(spec('  train { batch 3.5 }'))).toMatchObject({ code: 'bad-value', expected: 'integer ≥ 1 and ≤ 4096' });
    expect(one(spec('  data { patches 48 x 48, vessel_fraction 1.5 }'))).toMatchObject({ code: 'bad-value', message: "'vessel_fraction' is out of range: 1.5" });
    expect(one(spec('  data { patches 48 }'))).toMatchObject({ code: 'bad-value', note: 'write 48 x 48 for a square' });
    expect(one(spec('  train { optimizer adam(lr: -1) }'))).toMatchObject({ code: 'bad-value' });
  });

  it('reports unknown enum values and call parameters with suggestions', () => {
    expect(one(spec('  eval { mode ful_image }'))).toMatchObject({ code: 'unknown-value', suggestion: 'full_image' });
    expect(one(spec('  train { optimizer adam(lr: 1e-3, beta: 0.9) }'))).toMatchObject({ code: 'unknown-key', suggestion: 'beta1' });
    expect(one(spec('  train { metrics acuracy }'))).toMatchObject({ code: 'unknown-value', suggestion: 'accuracy' });
    // the misplaced-clahe rule that the skipped op would trigger is not reported on top
    expect(one(spec('  data { preprocess { grayscal green; clahe tiles 8 x 8 } }'))).toMatchObject({ code: 'unknown-key', suggestion: 'grayscale' });
  });

  it('reports missing values', () => {
    expect(one(spec('  seed'))).toMatchObject({ code: 'missing' });
    expect(one(spec('  data'))).toMatchObject({ code: 'missing' });
  });

  it('reports cross-field rules at the statement that set the value', () => {
    const d = diag(spec('  data { patches 44 x 44; split train 0.8, val 0.1 }\n  train { epochs 3; early_stop val_loss patience 5 }'));
    expect(d.map((x) => x.code)).toEqual(['rule', 'rule', 'rule']);
    expect(d.map((x) => x.span?.line)).toEqual([2, 2, 3]);
    expect(d[0].message).toContain('not divisible by 2^depth = 8');
  });

  it('accepts colour input: CLAHE and normalisation without grayscale work on each channel', () => {
    expect(diag(spec('  data { preprocess { crop center 565 x 565; clahe tiles 8 x 8, clip 2; normalize per_image } }'))).toEqual([]);
  });

  it('checks overrides exactly like the file', () => {
    // the codes and messages a spec file gets for the same mistake
    expect(one(spec(''), ['train.optimzer.lr=1'])).toMatchObject({ code: 'unknown-key', suggestion: 'optimizer', span: { file: '--set #1', column: 7 } });
    expect(one(spec(''), ['model.depth=x'])).toMatchObject({ code: 'bad-value', message: "'depth' expects integer ≥ 1 and ≤ 6, found 'x'" });
    expect(one(spec(''), ['model.depth=0'])).toMatchObject({ code: 'bad-value', message: "'depth' is out of range: 0", span: { file: '--set #1', column: 13 } });
    expect(one(spec(''), ['data.patches.size=44x44'])).toMatchObject({ code: 'rule', span: { file: '--set #1' } });
    expect(one(spec(''), ['train.loss=focl'])).toMatchObject({ code: 'unknown-value', suggestion: 'focal' });
    expect(one(spec(''), ['train.optimizer.weight_decay=0.1'])).toMatchObject({ code: 'unknown-key', note: expect.stringContaining('parameter of adamw') });
    expect(one(spec(''), ['runtime.backend=wsm'])).toMatchObject({ code: 'unknown-value', suggestion: 'wasm' });
    expect(one(spec(''), ['model.depth'])).toMatchObject({ code: 'override' });
    // each --set sees the ones before it
    expect(loadText(spec(''), { sets: ['train.optimizer=adamw', 'train.optimizer.weight_decay=0.05'] }).config?.train.optimizer).toMatchObject({ kind: 'adamw', weight_decay: 0.05 });
  });

  it('names a preprocessing op by its index or by its name where the list holds it once', () => {
    const ops = spec('  data { preprocess { grayscale green; clahe tiles 8 x 8, clip 2; normalize per_image } }');
    const clahe = (sets: string[]) => loadText(ops, { sets }).config?.data.preprocess[1];
    expect(clahe(['data.preprocess.1.clip=3'])).toEqual({ op: 'clahe', tiles: [8, 8], clip: 3 });
    expect(clahe(['data.preprocess.clahe.clip=3', 'data.preprocess.clahe.tiles=4x4'])).toEqual({ op: 'clahe', tiles: [4, 4], clip: 3 });
    expect(one(ops, ['data.preprocess.gamma.value=1.2'])).toMatchObject({
      code: 'unknown-key',
      span: { column: 17 },
      expected: 'one of an index below 3, grayscale, clahe, normalize',
      note: "this list has no 'gamma' op; add it in a spec (the list is replaced whole)",
    });
    expect(one(ops, ['data.preprocess.3.mode=dataset'])).toMatchObject({ code: 'unknown-key', expected: expect.stringContaining('an index below 3') });
    // two of a kind: the name is ambiguous, so the index is asked for (and only the unique names are offered)
    const twice = spec('  data { preprocess { grayscale green; clahe tiles 8 x 8, clip 2; clahe tiles 4 x 4, clip 1 } }');
    expect(one(twice, ['data.preprocess.clahe.clip=3'])).toMatchObject({
      code: 'unknown-key',
      expected: 'one of an index below 3, grayscale',
      note: "the list holds 2 'clahe' ops; name one by its index (1 or 2)",
    });
  });

  it('renders JSON diagnostics with locations', () => {
    const d = diag(spec('  seed -1'));
    expect(diagnosticsToJson(d)).toEqual([
      expect.objectContaining({ severity: 'error', code: 'bad-value', file: 'test.r2u', line: 2, column: 8 }),
    ]);
  });

  it('reports an empty file', () => {
    expect(one('')).toMatchObject({ code: 'missing' });
    expect(one('   \n// only a comment\n')).toMatchObject({ code: 'missing' });
  });
});
