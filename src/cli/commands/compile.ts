// `r2u compile [specs...] [-o DIR] [--typecheck] [--check]`: writes one
// TypeScript module per spec (generated/<stem>.ts), or with --check verifies
// that the modules there are exactly what the specs compile to.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { exitCodeFor, printDiagnostics } from '../print-diagnostics.js';

interface CompileFlags {
  outDir: string;
  typecheck?: boolean;
  check?: boolean;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile specs to TypeScript modules that build, train and dry-run the experiment')
    .argument('[specs...]', 'spec files (default: specs/*.r2u)')
    .option('-o, --out-dir <dir>', 'folder of the generated modules', 'generated')
    .option('--typecheck', 'type-check the generated modules against the runtime (slower)')
    .option('--check', 'write nothing; exit 1 if a module is stale, missing or has no spec')
    .action(async (specs: string[], flags: CompileFlags) => {
      process.exitCode = await compileCommand(specs, flags);
    });
}

async function compileCommand(args: string[], flags: CompileFlags): Promise<number> {
  // loaded here, not at the top: `r2u check` and friends must not pay for them
  const { Compiler, expandSpecArgs, findStale } = await import('../../compiler/codegen/index.js');
  const { formatGeneratedDiagnostics } = await import('../../compiler/codegen/report.js');
  const show = (p: string) => relative(process.cwd(), p) || '.';

  const specs = expandSpecArgs(args.length > 0 ? args : ['specs/*.r2u']);
  if (specs.length === 0) {
    console.error(`r2u compile: no specs match ${args.length > 0 ? args.join(' ') : 'specs/*.r2u'}`);
    return EXIT.usage;
  }
  // this module's front end: when the CLI runs from its bundle, the code
  // generator's own import of it would be a second copy with its own sources
  // registry, and diagnostics would lose their code frames
  const compiler = new Compiler();
  let status: number = EXIT.ok;
  const modules = [];
  const byOut = new Map<string, string>();
  for (const spec of specs) {
    const result = await compiler.compileSpec(spec, flags.outDir);
    // exactly as `r2u check` reports them
    printDiagnostics(result.diagnostics);
    status = Math.max(status, exitCodeFor(result.diagnostics));
    if (result.module === undefined) {
      status = Math.max(status, EXIT.invalid);
      continue;
    }
    const other = byOut.get(result.module.outPath);
    if (other !== undefined) {
      console.error(`r2u compile: ${other} and ${spec} would both write ${show(result.module.outPath)}`);
      return EXIT.usage;
    }
    byOut.set(result.module.outPath, spec);
    modules.push(result.module);
  }

  if (flags.typecheck === true && modules.length > 0) {
    const diags = await compiler.typecheck(modules);
    if (diags.length > 0) {
      console.error(formatGeneratedDiagnostics(diags.map((d) => ({ ...d, file: show(d.file) }))));
      return EXIT.invalid;
    }
  }

  if (flags.check === true) {
    // an invalid spec leaves its module unchecked, so it cannot pass
    const problems = findStale(modules, flags.outDir);
    for (const p of problems) {
      const why = p.kind === 'orphaned' ? (p.spec ? `its spec ${p.spec} does not exist` : 'no spec produces it') : `run r2u compile ${p.spec}`;
      console.error(`${p.kind}: ${show(p.path)} (${why})`);
    }
    if (problems.length === 0 && status === EXIT.ok) console.log(`${modules.length} module${modules.length === 1 ? '' : 's'} up to date`);
    return problems.length > 0 ? Math.max(status, EXIT.invalid) : status;
  }

  try {
    mkdirSync(flags.outDir, { recursive: true });
    for (const m of modules) {
      const same = existsSync(m.outPath) && readFileSync(m.outPath, 'utf8') === m.text;
      if (!same) writeFileSync(m.outPath, m.text);
      console.log(`${same ? 'unchanged' : 'wrote'} ${show(m.outPath)}`);
    }
  } catch (err) {
    console.error(`r2u compile: ${(err as Error).message}`);
    return EXIT.usage;
  }
  return status;
}
