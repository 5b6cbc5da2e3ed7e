// `r2u compile` end to end: the reference spec's golden module, the checked-in
// generated/ folder, --check (stale, missing, orphaned), front-end errors
// printed exactly like `r2u check`, and output independent of the working directory.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compiler, DEFAULT_OUT_DIR, REPO_ROOT, findStale, type CompiledModule } from '../../../src/compiler/codegen/index.js';

const GOLDEN = join(REPO_ROOT, 'test/compiler/codegen/__golden__/drive-r2unet.ts.golden');
const SPECS = readdirSync(join(REPO_ROOT, 'specs'))
  .filter((f) => f.endsWith('.r2u'))
  .sort()
  .map((f) => join('specs', f));

function r2u(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/r2u.mjs'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the specs of the repository', () => {
  const compiler = new Compiler();
  let modules: CompiledModule[];
  beforeAll(async () => {
    process.chdir(REPO_ROOT);
    modules = [];
    for (const spec of SPECS) {
      const r = await compiler.compileSpec(spec);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      modules.push(r.module!);
    }
  });

  it('compile the reference spec to the golden module', () => {
    const m = modules.find((x) => basename(x.spec) === 'drive-r2unet.r2u')!;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, m.text);
    expect(m.text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('are all compiled, up to date, in generated/', () => {
    expect(findStale(modules, DEFAULT_OUT_DIR)).toEqual([]);
  });

  it('type-check against the runtime', async () => {
    expect(await compiler.typecheck(modules)).toEqual([]);
  });

  it('compile identically twice, given a relative or an absolute path', async () => {
    const again = await new Compiler().compileSpec(join(REPO_ROOT, SPECS[0]));
    expect(again.module!.text).toBe(modules[0].text);
  });
});

describe('r2u compile', () => {
  const dir = join(REPO_ROOT, '.tmp', `codegen-cli-${process.pid}`);
  const specDir = join(dir, 'specs');
  const outDir = join(dir, 'generated');
  const spec = join(specDir, 'quick.r2u');
  const module = join(outDir, 'quick.ts');

  beforeAll(() => {
    mkdirSync(specDir, { recursive: true });
    copyFileSync(join(REPO_ROOT, 'specs/quickstart.r2u'), spec);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one module per spec, then leaves it alone', () => {
    const first = r2u(['compile', spec, '-o', outDir, '--typecheck']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^wrote .*quick\.ts$/m);
    const text = readFileSync(module, 'utf8');
    expect(text).toContain("from '../../../src/runtime/config.js'");
    expect(text).toContain('// spec:     .tmp/codegen-cli-');
    // absolute paths, another working directory: the same bytes
    const second = r2u(['compile', spec, '-o', outDir], '/');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^unchanged /m);
    expect(readFileSync(module, 'utf8')).toBe(text);
  });

  it('--check passes when up to date and fails on stale, missing and orphaned modules', () => {
    expect(r2u(['compile', '--check', spec, '-o', outDir]).status).toBe(0);

    const original = readFileSync(spec, 'utf8');
    writeFileSync(spec, original.replace(/epochs \d+/, 'epochs 77'));
    const stale = r2u(['compile', '--check', spec, '-o', outDir]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/^stale: .*quick\.ts/m);
    writeFileSync(spec, original);

    writeFileSync(join(outDir, 'leftover.ts'), 'export const x = 1;\n');
    const orphan = r2u(['compile', '--check', spec, '-o', outDir]);
    expect(orphan.status).toBe(1);
    expect(orphan.stderr).toMatch(/^orphaned: .*leftover\.ts \(no spec produces it\)/m);
    rmSync(join(outDir, 'leftover.ts'));

    rmSync(module);
    const missing = r2u(['compile', '--check', spec, '-o', outDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^missing: .*quick\.ts/m);
    expect(existsSync(module)).toBe(false);
  });

  it('reports front-end errors exactly as r2u check does', () => {
    const bad = join(specDir, 'bad.r2u');
    writeFileSync(bad, readFileSync(spec, 'utf8').replace(/epochs \d+/, 'epochs -3').replace(/batch \d+/, 'bacth 8'));
    const compiled = r2u(['compile', bad, '-o', outDir]);
    const checked = r2u(['check', bad]);
    expect(compiled.status).toBe(1);
    expect(checked.status).toBe(1);
    expect(compiled.stderr).toBe(checked.stderr);
    expect(compiled.stderr).toMatch(/error/);
    expect(existsSync(join(outDir, 'bad.ts'))).toBe(false);
    rmSync(bad);
  });

  it('refuses a missing spec with a usage error', () => {
    const r = r2u(['compile', join(specDir, 'nope.r2u'), '-o', outDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
