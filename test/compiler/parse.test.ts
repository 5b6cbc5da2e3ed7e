import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/compiler/parse.js';
import { SourceFile } from '../../src/compiler/source.js';
import { loadText, spec } from './helpers.js';

const parse = (text: string) => parseSource(new SourceFile('t.r2u', text));

describe('grammar constructs', () => {
  it('parses an empty experiment', () => {
    const r = parse('experiment empty {}');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.name?.text).toBe('empty');
    expect(r.ast.body?.statements).toEqual([]);
  });

  it('reads numbers with exponents, signs and decimals', () => {
    const r = loadText(spec('train { optimizer adam(lr: 1e-3, beta1: .9, beta2: 0.999, epsilon: 1E-8) }'));
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.train.optimizer).toEqual({ kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  });

  it('reads sizes written as 48 x 48, 48x48 and 48 × 48', () => {
    for (const size of ['48 x 48', '48x48', '48 × 48', '48  x48']) {
      const r = loadText(spec(`data { patches ${size} }`));
      expect(r.diagnostics, size).toEqual([]);
      expect(r.config?.data.patches.size).toEqual([48, 48]);
    }
  });

  it('reads strings with escapes', () => {
    const r = loadText(spec('data { dataset drive("my \\"data\\"/DRIVE") }'));
    expect(r.config?.data.dataset).toEqual({ kind: 'drive', root: 'my "data"/DRIVE' });
  });

  it('accepts // and /* */ comments anywhere between tokens', () => {
    const r = loadText('// header\n/* block\n comment */ experiment t { // after brace\n  seed /* inline */ 7 // trailing\n}\n// footer\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.seed).toBe(7);
  });

  it('ends statements at new lines or semicolons', () => {
    const a = loadText(spec('model r2unet { depth 2; filters 8; t 3 }'));
    const b = loadText(spec('model r2unet {\n depth 2\n filters 8\n t 3\n}'));
    expect(a.diagnostics).toEqual([]);
    expect(a.config?.model).toEqual(b.config?.model);
    expect(a.config?.model).toMatchObject({ depth: 2, filters: 8, t: 3 });
  });

  it('reads calls with named and positional arguments across lines', () => {
    const r = loadText(spec('data {\n dataset synthetic(\n  8,\n  size: 64 x 64,\n  seed: 3\n )\n}'));
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.data.dataset).toEqual({ kind: 'synthetic', count: 8, size: [64, 64], seed: 3 });
  });

  it('reads phrases with and without commas', () => {
    const a = loadText(spec('train { early_stop val_dice patience 3 }'));
    const b = loadText(spec('train { early_stop val_dice, patience 3 }'));
    expect(a.config?.train.early_stop).toEqual({ monitor: 'val_dice', patience: 3, restore_best: true });
    expect(b.config?.train.early_stop).toEqual(a.config?.train.early_stop);
  });

  it('reads lists, flags and ordered op blocks', () => {
    const r = loadText(
      spec(`data {
  preprocess { grayscale green; clahe tiles 4 x 4, clip 3; gamma 1.2; pad multiple 16; crop box at 2 3 size 32 x 32; resize 64 x 64; normalize dataset }
  augment { flip horizontal; rotate90; rotate 10 deg; elastic alpha 20, sigma 3 }
  split images "21", "22"
}
train { metrics dice, auc }`),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.data.preprocess).toEqual([
      { op: 'grayscale', mode: 'green' },
      { op: 'clahe', tiles: [4, 4], clip: 3 },
      { op: 'gamma', value: 1.2 },
      { op: 'pad', multiple: 16 },
      { op: 'crop', mode: 'box', x: 2, y: 3, size: [32, 32] },
      { op: 'resize', size: [64, 64] },
      { op: 'normalize', mode: 'dataset' },
    ]);
    expect(r.config?.data.augment).toMatchObject({ flip_horizontal: true, flip_vertical: false, rotate90: true, rotate: 10, elastic: { alpha: 20, sigma: 3 } });
    expect(r.config?.data.split).toEqual({ kind: 'list', val: ['21', '22'] });
    expect(r.config?.train.metrics).toEqual(['dice', 'auc']);
  });

  it('turns the intensity jitter off in one statement, over an inherited one', () => {
    const r = loadText(spec('data { augment { intensity none; flip horizontal } }'), { sets: ['data.augment.gamma=0.3'] });
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.data.augment).toMatchObject({ brightness: 0, contrast: 0, gamma: 0.3, flip_horizontal: true });
    // over the reference's jitter, inherited through extends
    const child = loadText('extends "drive-r2unet.r2u"\n\nexperiment no_jitter {\n  data {\n    augment { intensity none }\n  }\n}\n', { name: 'specs/no-jitter.r2u' });
    expect(child.diagnostics).toEqual([]);
    expect(child.config?.data.augment).toMatchObject({ brightness: 0, contrast: 0, gamma: 0 });
  });

  it('switches variants from their defaults', () => {
    const r = loadText(spec('train { loss focal(gamma: 3); optimizer sgd(lr: 0.1, nesterov: true); schedule step(every: 2, factor: 0.1) }'));
    expect(r.config?.train.loss).toEqual({ kind: 'focal', gamma: 3, alpha: 0.25 });
    expect(r.config?.train.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true });
    expect(r.config?.train.schedule).toEqual({ kind: 'step', every: 2, factor: 0.1 });
  });

  it('turns early stopping off', () => {
    const r = loadText(spec('train { early_stop off }'));
    expect(r.config?.train.early_stop).toBeNull();
  });

  it('parses the reference spec with every seed parameter', () => {
    const r = loadText(readFileSync('specs/drive-r2unet.r2u', 'utf8'), { name: 'specs/drive-r2unet.r2u' });
    expect(r.diagnostics).toEqual([]);
    const c = r.config!;
    expect(c.data.preprocess[0]).toEqual({ op: 'crop', mode: 'center', size: [565, 565] });
    expect(c.data.split).toEqual({ kind: 'ratio', train: 0.9, val: 0.1 });
    expect(c.model).toMatchObject({ arch: 'r2unet', depth: 3, t: 2, upsample: 'transpose' });
    expect(c.train).toMatchObject({ batch: 32, epochs: 10, early_stop: { patience: 5 }, ensemble: 3 });
    expect(c.train.optimizer.kind).toBe('adam');
  });
});
