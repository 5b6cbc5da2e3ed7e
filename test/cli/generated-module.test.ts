// A generated module imported and run in process: `main()` with --dry-run,
// --set, --backend, --workers, and the exit codes of each kind of mistake.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as quickstart from '../../generated/quickstart.js';
import * as reference from '../../generated/drive-r2unet.js';
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
