import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDiagrams, renderReference } from '../../src/compiler/docs.js';

describe('grammar/ is generated from the grammar', () => {
  it('REFERENCE.md and diagrams.html are up to date (run `npm run grammar`)', () => {
    expect(readFileSync('grammar/REFERENCE.md', 'utf8')).toBe(renderReference());
    expect(readFileSync('grammar/diagrams.html', 'utf8')).toBe(renderDiagrams());
  });
});

describe('README', () => {
  it("shows the reference spec as it is: the compact copy resolves to the same experiment", async () => {
    const { loadExperimentSync } = await import('../../src/compiler/load.js');
    const readme = readFileSync('README.md', 'utf8');
    const block = /A spec \(`specs\/drive-r2unet\.r2u`[^)]*\):\n\n```\n([\s\S]*?)```/.exec(readme);
    expect(block, 'the spec block after "A spec (`specs/drive-r2unet.r2u` ...):"').not.toBeNull();
    const shown = loadExperimentSync('README.md', { text: block![1] });
    expect(shown.diagnostics).toEqual([]);
    expect(shown.config).toEqual(loadExperimentSync('specs/drive-r2unet.r2u').config);
  });

  it('shows the U-Net baseline as it is', async () => {
    const { loadExperimentSync } = await import('../../src/compiler/load.js');
    const readme = readFileSync('README.md', 'utf8');
    const block = /An experiment is a small diff of the reference:\n\n```\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    // read as if it sat beside the reference, so that its `extends` resolves
    const shown = loadExperimentSync('specs/readme-example.r2u', { text: block![1] });
    expect(shown.diagnostics).toEqual([]);
    expect(shown.config).toEqual(loadExperimentSync('specs/drive-unet-baseline.r2u').config);
  });
});
