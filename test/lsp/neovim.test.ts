// A real editor as the client: Debian's neovim (0.7) headless, configured with
// a few lines of Lua, starts `r2u lsp --stdio` and reports what it received.
// Skipped where neovim is not installed, unless R2U_REQUIRE_SYSTEM=1 (CI).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const present = nvim.status === 0;
const required = process.env.R2U_REQUIRE_SYSTEM === '1';
if (!present) {
  const why = 'neovim (nvim) is not installed: apt-get install neovim';
  if (required) throw new Error(`R2U_REQUIRE_SYSTEM=1 but ${why}`);
  console.warn(`skipping the neovim test: ${why}`);
}

describe.skipIf(!present)('neovim as the language client', () => {
  it('shows the diagnostics of a spec with mistakes, completes and formats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r2u-nvim-'));
    const spec = join(dir, 'mistakes.r2u');
    writeFileSync(spec, 'experiment t {\n  sed 1\n  model r2unet { depht 3 }\n  train {\n    optimizer adm(lr: 1e-3)\n    loss \n  }\n}\n');
    const out = join(dir, 'out.json');
    const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${resolve('test/lsp/nvim/check-spec.lua')}`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, R2U_SPEC: spec, R2U_OUT: out, R2U_NODE: process.execPath, R2U_BIN: resolve('bin/r2u.mjs'), R2U_EXPECT: '4', R2U_LINE: '5', R2U_COL: '9' },
    });
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.error).toBeUndefined();
    expect(got.attached).toBe(true);
    expect(got.diagnostics.map((d: { line: number; col: number; code: string }) => [d.line, d.col, d.code])).toEqual([
      [1, 2, 'unknown-key'],
      [2, 17, 'unknown-key'],
      [4, 14, 'unknown-value'],
      [5, 4, 'missing'],
    ]);
    expect(got.diagnostics[0].message).toContain('did you mean `seed`?');
    expect(got.completion).toEqual(expect.arrayContaining(['bce', 'bce_dice', 'dice', 'focal']));
    expect(got.formatting_edits).toBe(1); // it parses, so it is formatted (the space after `loss` goes)
  });
});
