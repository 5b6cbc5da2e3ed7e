// Any byte string given as a spec must end in diagnostics: never a crash, a
// hang, or an error without a place.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadExperimentSync } from '../../src/compiler/index.js';
import { decodeSpec } from '../../src/compiler/load.js';
import { formatSource } from '../../src/compiler/format.js';

const reference = readFileSync('specs/drive-r2unet-single.r2u', 'utf8');
const fragments = ['{', '}', '(', ')', ',', ';', ':', '\n', '"', "'", '/*', '*/', '//', 'x', '48 x 48', '1e-3', '-', 'experiment', 'extends', 'data', 'model', 'r2unet', 'patches', 'loss', 'adam(', 'lr:', '\u00e9', '\u0000'];

function checkTotal(text: string): void {
  const r = loadExperimentSync('fuzz.r2u', { text });
  // either a valid configuration or at least one located error, never both
  if (r.config) expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  else {
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) {
      expect(d.message.length).toBeGreaterThan(0);
      expect(d.span ?? d.file).toBeDefined();
      if (d.span) expect(d.span.line).toBeGreaterThanOrEqual(1);
    }
  }
  formatSource(decodeSpecText(text));
}

const decodeSpecText = (text: string) => {
  const r = decodeSpec('fuzz.r2u', new TextEncoder().encode(text));
  if ('diagnostic' in r) throw new Error(r.diagnostic.message);
  return r.source;
};

describe('front end on arbitrary input', () => {
  it('handles random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), checkTotal), { numRuns: 300 });
  });

  it('handles random token soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 80 }).map((a) => a.join(' ')), checkTotal), { numRuns: 300 });
  });

  it('handles mutations of the reference spec (deletions, insertions, swaps)', () => {
    const mutation = fc.record({ at: fc.nat(reference.length), del: fc.nat(12), ins: fc.constantFrom('', ...fragments) });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        let text = reference;
        for (const m of muts) text = text.slice(0, m.at) + m.ins + text.slice(m.at + m.del);
        checkTotal(text);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bytes that are not UTF-8 with a message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const withBad = new Uint8Array([...bytes, 0xff]);
        const r = decodeSpec('bin.r2u', withBad);
        expect('diagnostic' in r && r.diagnostic.code).toBe('encoding');
      }),
      { numRuns: 100 },
    );
  });

  it('handles deep nesting and huge inputs without recursion limits', () => {
    const deep = 'experiment t {' + 'data {'.repeat(5000) + '}'.repeat(5001);
    const d = loadExperimentSync('deep.r2u', { text: deep }).diagnostics;
    expect(d[0].message).toMatch(/nested 5001 deep; the limit is 32/);
    const manyLines = 'experiment t {\n' + '  seed 1 // again\n'.repeat(20000) + '}\n';
    const t0 = performance.now();
    const r = loadExperimentSync('big.r2u', { text: manyLines });
    expect(r.diagnostics.length).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
