// A generated module imported and run in process: `main()` with --dry-run,
// --set, --backend, --workers, and the exit codes of each kind of mistake.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as quickstart from '../../generated/quickstart.js';
import * as reference from '../../generated/drive-r2unet.js';
import * as family from '../../generated/quickstart-sweep.js';
import * as referenceFamily from '../../generated/drive-r2unet-sweep.js';
import { loadExperimentSync } from '../../src/compiler/index.js';
import { trialChanges } from '../../src/compiler/codegen/generator.js';
import { trialConfig } from '../../src/cli/generated-module.js';
import { loadText, spec } from '../compiler/helpers.js';
import { contentHash } from '../../src/spec/content-hash.js';

/** Runs `main(argv)` of a module, capturing what it prints. */
async function run(mod: { main(argv: string[]): Promise<number> }, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await mod.main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const SMALL = ['--set', 'data.dataset.count=6', '--set', 'model.filters=4', '--backend', 'cpu'];

describe('a generated module', () => {
  afterEach(() => vi.restoreAllMocks());

  it('exports the experiment it was compiled from, with its hash', () => {
    expect(quickstart.experiment.name).toBe('quickstart');
    expect(quickstart.origin.source).toBe('specs/quickstart.r2u');
    expect(contentHash(quickstart.experiment)).toBe(quickstart.origin.hash);
  });

  it('--dry-run prints the plan, the model summary and the data check', async () => {
    const r = await run(quickstart, ['--dry-run', ...SMALL]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('experiment quickstart (dry run, nothing is written)');
    expect(r.stdout).toContain('overrides: data.dataset.count=6 model.filters=4 runtime.backend=cpu');
    expect(r.stdout).toMatch(/^preprocess:\n {2}1\. scale intensities/m);
    expect(r.stdout).toMatch(/^parameters: [\d,]+$/m);
    expect(r.stdout).toMatch(/GFLOP per patch/);
    expect(r.stdout).toMatch(/^data: +6 images/m);
    expect(r.stdout).toMatch(/^split: +\d+ training, \d+ validation/m);
  });

  it('--dry-run without the dataset on disk still prints the plan and the model', async () => {
    const r = await run(reference, ['--dry-run', '--backend', 'cpu', '--set', 'data.dataset.root=/nonexistent/DRIVE']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^parameters: [\d,]+$/m);
    expect(r.stdout).toContain('not checked: /nonexistent/DRIVE does not exist');
  });

  it('--dry-run with unreadable data prints the data error and exits 3', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'r2u-empty-drive-'));
    try {
      const prev = process.env.R2U_DRIVE_ROOT;
      delete process.env.R2U_DRIVE_ROOT;
      const r = await run(reference, ['--dry-run', '--backend', 'cpu', '--set', `data.dataset.root=${empty}`]);
      if (prev !== undefined) process.env.R2U_DRIVE_ROOT = prev;
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('validates --set like a spec: unknown path, bad value, broken rule', async () => {
    const unknown = await run(quickstart, ['--dry-run', '--set', 'model.dpth=3']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/depth/);
    const bad = await run(quickstart, ['--dry-run', '--workers', 'many']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error/);
    const rule = await run(quickstart, ['--dry-run', '--set', 'model.depth=6']);
    expect(rule.code).toBe(1);
    expect(rule.stderr).toMatch(/divisible by 2\^depth/);
    expect(`${unknown.stdout}${bad.stdout}${rule.stdout}`).toBe('');
  });

  it('rejects unknown flags with a usage error', async () => {
    const r = await run(quickstart, ['--dry-rnu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });
});

describe('a family module (a spec with a sweep)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lists the trials of the plan; each is the base experiment with its changes, under its id', () => {
    for (const [mod, path] of [[family, 'specs/quickstart-sweep.r2u'], [referenceFamily, 'specs/drive-r2unet-sweep.r2u']] as const) {
      const plan = loadExperimentSync(path).sweep!;
      expect(mod.trials.map((t) => [t.id, t.alias])).toEqual(plan.trials.map((t) => [t.id, t.alias]));
      for (const [i, t] of mod.trials.entries()) expect(trialConfig(mod.experiment, t)).toEqual(plan.trials[i].config);
    }
    expect(() => trialConfig(family.experiment, { ...family.trials[1], changes: { seed: 99 } })).toThrow(/not the id/);
  });

  it('gives a whole object where a trial switches a variant (fields of the base are gone)', () => {
    const r = loadText(spec('  train { epochs 4 }\n  sweep {\n    vary "train.optimizer" sgd, adamw(weight_decay: 0.1)\n    vary "model.filters" 4, 8\n  }'));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const t of r.sweep!.trials) {
      const changes = trialChanges(r.config!, t.config);
      expect(changes.map(([p]) => p)).toContain(t.config.train.optimizer.kind === 'sgd' ? 'train.optimizer' : 'train.optimizer.kind');
      expect(trialConfig(r.config!, { id: t.id, alias: t.alias, changes: Object.fromEntries(changes) })).toEqual(t.config);
    }
  });

  it('--list prints the trials, --trial trains one, the base alone warns, an unknown trial is a usage error', async () => {
    const list = await run(family, ['--list']);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(family.trials.map((t) => `${t.id}  ${t.alias}`));
    const [, , third] = family.trials;
    const one = await run(family, ['--trial', third.alias, '--dry-run', '--backend', 'cpu']);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^model: .*, 8 filters,/m);
    const byId = await run(family, ['--trial', third.id, '--dry-run', '--backend', 'cpu']);
    expect(byId.stdout).toBe(one.stdout);
    const base = await run(family, ['--dry-run', '--backend', 'cpu']);
    expect(base.code).toBe(0);
    expect(base.stderr).toMatch(/^warning: specs\/quickstart-sweep\.r2u states a sweep of 4 trials; this trains its base experiment only/);
    const unknown = await run(family, ['--trial', 'nope', '--dry-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no trial 'nope' in the sweep of specs\/quickstart-sweep\.r2u \(--list shows the 4\)/);
  });
});
