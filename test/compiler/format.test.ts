import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffConfigs } from '../../src/compiler/diff.js';
import { formatSource } from '../../src/compiler/format.js';
import { SourceFile } from '../../src/compiler/source.js';
import { loadText } from './helpers.js';

const fmt = (text: string) => {
  const r = formatSource(new SourceFile('t.r2u', text));
  if (r.text === undefined) throw new Error(`did not format: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.text;
};

const SPECS = ['drive-r2unet', 'drive-unet-baseline', 'drive-attention-r2unet', 'drive-seed-replica', 'quickstart'].map((n) => `specs/${n}.r2u`);

describe('r2u fmt', () => {
  it('leaves the shipped specs unchanged (they are formatted)', () => {
    for (const f of SPECS) {
      const text = readFileSync(f, 'utf8');
      expect(fmt(text), f).toBe(text);
    }
  });

  it('produces the canonical layout', () => {
    const messy = `// header comment
experiment   t{seed 1;data{patches 48x48 ,random 10 per   epoch
dataset synthetic( count:4,size:64×64 )}


model r2unet{depth 2}   // trailing
train { optimizer adam( lr : 1e-3 ) }}`;
    expect(fmt(messy)).toBe(`// header comment
experiment t {
  seed 1
  data {
    patches 48 x 48, random 10 per epoch
    dataset synthetic(count: 4, size: 64 x 64)
  }

  model r2unet {
    depth 2
  }  // trailing
  train {
    optimizer adam(lr: 1e-3)
  }
}
`);
  });

  it('keeps every comment: header, leading, trailing, block, dangling and footer', () => {
    const text = `/* licence
   block */
extends "base.r2u"

// the experiment
experiment t {
  // the seed
  seed 1  // trailing
  data {
    patches 48 x 48
    // dangling at the end of data
  }
  /* before model */
  model unet {}
}
// footer
`;
    const out = fmt(text);
    for (const c of ['/* licence', '   block */', '// the experiment', '// the seed', '// trailing', '// dangling at the end of data', '/* before model */', '// footer']) {
      expect(out).toContain(c);
    }
    expect(out).toBe(text);
  });

  it('is idempotent and meaning-preserving on random layouts of the reference spec', () => {
    const reference = readFileSync('specs/drive-r2unet.r2u', 'utf8');
    const base = loadText(reference).config!;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' ', '  ', '\t'), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 1000 }), (spaces, salt) => {
        // re-space the spec: random horizontal white space between tokens
        let k = salt;
        const messy = reference.replace(/ +/g, () => spaces[k++ % spaces.length]).replace(/,\s*/g, () => (k++ % 2 ? ',' : ', '));
        const once = fmt(messy);
        expect(fmt(once)).toBe(once);
        expect(diffConfigs(base, loadText(once).config!)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses to format a file with syntax errors, reporting them', () => {
    const r = formatSource(new SourceFile('t.r2u', 'experiment t { seed 1'));
    expect(r.text).toBeUndefined();
    expect(r.diagnostics[0].code).toBe('syntax');
  });
});
