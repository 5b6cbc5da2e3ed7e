// The TextMate grammar (editors/vscode/syntaxes/r2u.tmLanguage.json) run by
// the engine VS Code uses (vscode-textmate on vscode-oniguruma) over the
// shipped specs: chosen tokens get the scopes a theme colours, and no word or
// number of any shipped spec is left without a scope.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import vsctm from 'vscode-textmate';
import { renderTextMateGrammar } from '../../src/compiler/textmate.js';

const GRAMMAR = 'editors/vscode/syntaxes/r2u.tmLanguage.json';
type Token = { text: string; scopes: string[] };
let tokenize: (text: string) => Token[][];

beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope: string) => (scope === 'source.r2u' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  const grammar = (await registry.loadGrammar('source.r2u'))!;
  tokenize = (text) => {
    let state = vsctm.INITIAL;
    return text.split('\n').map((line) => {
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
    });
  };
});

/** The innermost scope of the first token whose text is `text` on the line containing `near`. */
function scopeOf(source: string, near: string, text: string): string | undefined {
  const lines = tokenize(source);
  const index = source.split('\n').findIndex((l) => l.includes(near));
  return lines[index]?.find((t) => t.text.trim() === text)?.scopes.at(-1);
}

describe('the TextMate grammar', () => {
  it('is generated from the statement table (run `npm run grammar`)', () => {
    expect(readFileSync(GRAMMAR, 'utf8')).toBe(renderTextMateGrammar());
  });

  it('gives keywords, blocks, statements, values, numbers with units, strings and comments their scopes', () => {
    const ref = readFileSync('specs/drive-r2unet-single.r2u', 'utf8');
    const cases: [near: string, text: string, scope: string][] = [
      ['// DRIVE R2U-Net', '// DRIVE R2U-Net: one network of the reference recipe. The reference,', 'comment.line.double-slash.r2u'],
      ['experiment drive_r2unet', 'experiment', 'keyword.control.r2u'],
      ['experiment drive_r2unet', 'drive_r2unet', 'entity.name.type.experiment.r2u'],
      ['  data {', 'data', 'entity.name.section.block.r2u'],
      ['preprocess {', 'preprocess', 'entity.name.section.block.r2u'],
      ['seed 42', 'seed', 'variable.other.property.statement.r2u'],
      ['seed 42', '42', 'constant.numeric.r2u'],
      ['dataset drive(', 'drive', 'support.function.variant.r2u'],
      ['dataset drive(', 'data/DRIVE', 'string.quoted.double.r2u'],
      ['crop center', '565 x 565', 'constant.numeric.size.r2u'],
      ['crop center', 'center', 'keyword.other.phrase.r2u'],
      ['grayscale green', 'green', 'constant.language.value.r2u'],
      ['random 10000', '10000', 'constant.numeric.r2u'],
      ['random 10000', 'per epoch', 'keyword.other.unit.r2u'],
      ['random 10000', 'vessel_fraction', 'keyword.other.phrase.r2u'],
      ['optimizer adam', 'lr', 'variable.parameter.r2u'],
      ['optimizer adam', '1e-3', 'constant.numeric.r2u'],
      ['filters 12', '// 10 epochs train in ~20 min on 2 cores (native); the 5-fold table in the README is this recipe\'s', 'comment.line.double-slash.r2u'],
      ['early_stop val_dice', 'val_dice', 'constant.language.value.r2u'],
      ['metrics accuracy', 'auc', 'constant.language.value.r2u'],
      ['model r2unet', 'r2unet', 'constant.language.value.r2u'],
    ];
    for (const [near, text, scope] of cases) expect([near, text, scopeOf(ref, near, text)]).toEqual([near, text, scope]);
    const other = 'extends "p.r2u"\nexperiment t { augment { rotate 15 deg; rotate90 } /* a\nblock */ train { early_stop off } }\n';
    expect(scopeOf(other, 'extends', 'extends')).toBe('keyword.control.import.r2u');
    expect(scopeOf(other, 'rotate 15', 'deg')).toBe('keyword.other.unit.r2u');
    expect(scopeOf(other, 'rotate 15', 'rotate90')).toBe('variable.other.property.statement.r2u');
    expect(scopeOf(other, 'block */', 'block')).toBe('comment.block.r2u');
    expect(scopeOf(other, 'block */', 'off')).toMatch(/^constant\.language\./);
    expect(scopeOf("experiment t { data { dataset drive('x') } }", 'drive', "'x'")).toBe('invalid.illegal.single-quoted.r2u');
  });

  it('leaves no word or number of a shipped spec without a scope', () => {
    for (const file of readdirSync('specs').filter((f) => f.endsWith('.r2u'))) {
      const unscoped = tokenize(readFileSync(`specs/${file}`, 'utf8'))
        .flat()
        .filter((t) => t.scopes.length === 1 && /[A-Za-z0-9]/.test(t.text));
      expect([file, unscoped.map((t) => t.text)]).toEqual([file, []]);
    }
  });
});
