import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDiagrams, renderReference } from '../../src/compiler/docs.js';

describe('grammar/ is generated from the grammar', () => {
  it('REFERENCE.md and diagrams.html are up to date (run `npm run grammar`)', () => {
    expect(readFileSync('grammar/REFERENCE.md', 'utf8')).toBe(renderReference());
    expect(readFileSync('grammar/diagrams.html', 'utf8')).toBe(renderDiagrams());
  });
});
