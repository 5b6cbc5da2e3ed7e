import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDiagrams, renderReference } from '../../src/compiler/docs.js';

describe('grammar/ is generated from the grammar', () => {
  it('REFERENCE.md and diagrams.html are up to date (run `npm run grammar`)', () => {
    expect(readFileSync('grammar/REFERENCE.md', 'utf8')).toBe(renderReference());
    expect(readFileSync('grammar/diagrams.html', 'utf8')).toBe(renderDiagrams());
  });

  it("REFERENCE.md describes the sweep block from the sweep's own statement table", async () => {
    const { SWEEP_WORDS, RANGE_FORMS } = await import('../../src/compiler/sweep.js');
    const reference = readFileSync('grammar/REFERENCE.md', 'utf8');
    const sweep = reference.slice(reference.indexOf('## `sweep { … }`'), reference.indexOf('## Diagnostic codes'));
    for (const w of SWEEP_WORDS) expect(sweep).toContain(`| \`${w.form}\` |`);
    for (const r of RANGE_FORMS) expect(sweep).toContain(`| \`${r.form}\` |`);
  });
});

/** The experiment of the README's code block that follows `heading`, read as if it were the file at `asPath`. */
async function readmeExperiment(heading: string, asPath: string) {
  const { loadExperimentSync } = await import('../../src/compiler/load.js');
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf(heading);
  expect(at, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const block = /```\n([\s\S]*?)```/.exec(readme.slice(at));
  const shown = loadExperimentSync(asPath, { text: block![1] });
  expect(shown.diagnostics).toEqual([]);
  return { shown: shown.config, sweep: shown.sweep, spec: (path: string) => loadExperimentSync(path).config, sweepOf: (path: string) => loadExperimentSync(path).sweep };
}

describe('README', () => {
  it('shows the reference spec as it is: the compact copy resolves to the same experiment', async () => {
    const { shown, spec } = await readmeExperiment('A spec (`specs/drive-r2unet.r2u`', 'README.md');
    expect(shown).toEqual(spec('specs/drive-r2unet.r2u'));
  });

  it('shows the U-Net baseline as it is', async () => {
    // read as if it sat beside the reference, so that its `extends` resolves
    const { shown, spec } = await readmeExperiment('An experiment is a small diff of another.', 'specs/readme-example.r2u');
    expect(shown).toEqual(spec('specs/drive-unet-baseline.r2u'));
  });

  it('shows the reference sweep as it is: the same trials', async () => {
    const { shown, sweep, spec, sweepOf } = await readmeExperiment('A spec may state a family of trials', 'specs/readme-example.r2u');
    expect(shown).toEqual(spec('specs/drive-r2unet-sweep.r2u'));
    expect(sweep?.trials.map((t) => t.sets)).toEqual(sweepOf('specs/drive-r2unet-sweep.r2u')?.trials.map((t) => t.sets));
    expect(sweep?.trials).toHaveLength(18);
  });
});
