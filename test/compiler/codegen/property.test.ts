// Random VALID experiments (arbitraries.ts) through the code generator: the
// module states exactly the experiment, is canonical, type-checks against the
// runtime, and a couple of them run `--dry-run` for real.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler, REPO_ROOT } from '../../../src/compiler/codegen/index.js';
import { validateConfig } from '../../../src/compiler/validate.js';
import type { ExperimentConfig } from '../../../src/spec/config.js';
import { experimentArb, smallExperimentArb } from './arbitraries.js';

const compiler = new Compiler();

/** Evaluates the `experiment` object literal of a generated module (plain JS once `as const` is cut). */
function experimentOf(text: string): unknown {
  const start = text.indexOf('export const experiment = ');
  const end = text.indexOf(' as const satisfies ExperimentConfig;');
  return new Function(`return (${text.slice(start + 'export const experiment = '.length, end)});`)();
}

function reverseKeys<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(reverseKeys) as T;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) as T;
}

describe('random valid experiments', () => {
  it('are valid by construction (the arbitraries respect the validator)', () => {
    fc.assert(
      fc.property(experimentArb(), (c) => {
        expect(validateConfig(c, new Map(), 'arbitrary')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('compile to a module stating exactly the experiment, canonically', () => {
    fc.assert(
      fc.property(experimentArb(), (c) => {
        const m = compiler.compileConfig(c, 'specs/property.r2u');
        expect(experimentOf(m.text)).toEqual(c);
        expect(compiler.compileConfig(reverseKeys(c), 'specs/property.r2u').text).toBe(m.text);
      }),
      { numRuns: 300 },
    );
  });

  it('type-check against the runtime', async () => {
    const configs = fc.sample(experimentArb(), { numRuns: 30, seed: 20261127 });
    const modules = configs.map((c, i) => compiler.compileConfig(c, `specs/property-${i}.r2u`));
    expect(await compiler.typecheck(modules)).toEqual([]);
  });

  describe('dry run of generated modules', () => {
    // inside the repository so the modules' relative runtime imports resolve
    const dir = join(REPO_ROOT, '.tmp', `codegen-dry-run-${process.pid}`);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(fc.sample(smallExperimentArb, { numRuns: 2, seed: 7 }).map((c, i) => [i, c] as const))(
      'sample %i prints the plan and the model summary',
      async (i, config: ExperimentConfig) => {
        mkdirSync(dir, { recursive: true });
        const m = compiler.compileConfig(config, `specs/sample-${i}.r2u`, dir);
        await compiler.assertWellTyped([m]);
        writeFileSync(m.outPath, m.text);
        const run = spawnSync(process.execPath, ['--import', 'tsx', m.outPath, '--dry-run'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
        // the cpu backend's one-time advert for tfjs-node is not an error
        expect(run.stderr.replace(/\n*=+\nHi, looks like you are running TensorFlow\.js in Node\.js[^\n]*\n=+\n*/, '')).toBe('');
        expect(run.status).toBe(0);
        expect(run.stdout).toContain(`experiment ${config.name} (dry run, nothing is written)`);
        expect(run.stdout).toMatch(/parameters: [\d,]+/);
        expect(run.stdout).toMatch(/GFLOP per patch/);
        expect(run.stdout).toMatch(/split: +\d+ training, \d+ validation/);
      },
      120_000,
    );
  });
});
