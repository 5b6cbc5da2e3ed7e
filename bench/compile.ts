// Compile-time benchmark of `r2u compile`: per spec without and with the
// ts-morph type check, and 50 specs in one call (in process and via the CLI).
//
//   npx tsx bench/compile.ts [--rounds N]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Compiler, REPO_ROOT, type CompiledModule } from '../src/compiler/codegen/index.js';
import { loadExperiment } from '../src/compiler/index.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 20;
const reference = join(REPO_ROOT, 'specs/drive-r2unet.r2u');
const work = join(REPO_ROOT, '.tmp', `bench-compile-${process.pid}`);
const specDir = join(work, 'specs');
const outDir = join(work, 'generated');

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => `${x.toFixed(1)} ms`;
const rows: Array<[string, string]> = [];
const row = (what: string, value: string) => {
  rows.push([what, value]);
  console.log(`${what.padEnd(58)} ${value}`);
};

/** 50 distinct, valid specs: the reference with seed, epochs and filters varied. */
function writeSpecs(n: number): string[] {
  mkdirSync(specDir, { recursive: true });
  const text = readFileSync(reference, 'utf8');
  return Array.from({ length: n }, (_, i) => {
    const path = join(specDir, `variant-${String(i).padStart(2, '0')}.r2u`);
    writeFileSync(path, text.replace(/seed 42/, `seed ${i}`).replace(/epochs 10/, `epochs ${10 + (i % 7)}`).replace(/filters 16/, `filters ${8 * (1 + (i % 4))}`));
    return path;
  });
}

async function main(): Promise<void> {
  const specs = writeSpecs(50);
  try {
    // ---- one spec, no type check
    let t0 = performance.now();
    const compiler = new Compiler();
    const first = await compiler.compileSpec(reference, outDir);
    row('first spec, cold (templates, front end, generator)', fmt(ms(t0)));

    t0 = performance.now();
    for (let i = 0; i < rounds; i++) await compiler.compileSpec(reference, outDir);
    row(`per spec, warm, front end + codegen (x${rounds})`, fmt(ms(t0) / rounds));

    const { config } = await loadExperiment(reference);
    t0 = performance.now();
    for (let i = 0; i < rounds * 5; i++) compiler.compileConfig(config!, reference, outDir);
    row(`per spec, warm, codegen only (x${rounds * 5})`, fmt(ms(t0) / (rounds * 5)));

    // ---- with the type check
    t0 = performance.now();
    await compiler.assertWellTyped([first.module!]);
    row('type check, first spec (loads ts-morph and runtime types)', fmt(ms(t0)));
    t0 = performance.now();
    const n = Math.max(3, Math.round(rounds / 4));
    for (let i = 0; i < n; i++) await compiler.assertWellTyped([compiler.compileConfig({ ...config!, seed: i }, reference, outDir)]);
    row(`type check, per further spec, one at a time (x${n})`, fmt(ms(t0) / n));

    // ---- 50 specs in one call, one Compiler and one ts-morph project
    t0 = performance.now();
    const fresh = new Compiler();
    const modules: CompiledModule[] = [];
    for (const spec of specs) modules.push((await fresh.compileSpec(spec, outDir)).module!);
    const noCheck = ms(t0);
    row('50 specs, no type check: total / per spec', `${fmt(noCheck)} / ${fmt(noCheck / 50)}`);
    t0 = performance.now();
    await fresh.assertWellTyped(modules);
    const check = ms(t0);
    row('50 specs, type check (cold, one program): total / per spec', `${fmt(check)} / ${fmt(check / 50)}`);
    row('50 specs, with type check: amortised per spec', fmt((noCheck + check) / 50));

    // ---- the CLI, process start included
    const cli = (extra: string[]) => {
      const t = performance.now();
      execFileSync(process.execPath, [join(REPO_ROOT, 'bin/r2u.mjs'), 'compile', ...specs, '-o', outDir, ...extra], { stdio: 'ignore' });
      return ms(t);
    };
    row('CLI: r2u compile (50 specs), wall', fmt(cli([])));
    row('CLI: r2u compile --typecheck (50 specs), wall', fmt(cli(['--typecheck'])));
    row('CLI: r2u compile --check (50 specs), wall', fmt(cli(['--check'])));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
