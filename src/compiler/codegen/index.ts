// `r2u compile`: spec → front end → resolved experiment → generated module.
// One Compiler holds one Generator and (when type-checking) one ts-morph
// project, so compiling many specs in one call pays the set-up once.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentConfig } from '../../spec/config.js';
import type { Diagnostic } from '../diagnostics.js';
import { loadExperiment } from '../load.js';
import type { SweepPlan } from '../sweep.js';
import { Generator, type GeneratedModule } from './generator.js';
import { GeneratedTypeError, type GeneratedDiagnostic } from './report.js';
import type { ModuleChecker } from './typecheck.js';

/** The repository: generated modules import its src/, paths in headers are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SRC_DIR = join(REPO_ROOT, 'src');
export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'generated');

export interface CompiledModule extends GeneratedModule {
  /** the spec, as given */
  readonly spec: string;
  /** absolute path of the module */
  readonly outPath: string;
}

export interface SpecResult {
  readonly spec: string;
  readonly module?: CompiledModule;
  /** front-end diagnostics (warnings too) */
  readonly diagnostics: Diagnostic[];
}

export interface CompilerOptions {
  /** replaces the shipped templates (tests plant generator bugs with it) */
  readonly templates?: Record<string, string>;
}

/** `a/b` with forward slashes, whatever the OS. */
export function posix(p: string): string {
  return p.split(sep).join('/');
}

/** Repo-relative posix form of a path, for headers: the same on every machine. */
export function repoPath(p: string): string {
  return posix(relative(REPO_ROOT, resolve(p)));
}

/** `specs/drive-r2unet.r2u` → `<outDir>/drive-r2unet.ts`. */
export function outPathFor(spec: string, outDir: string): string {
  return resolve(outDir, `${basename(spec, extname(spec))}.ts`);
}

/** The import specifier of src/ from a module in `outDir`. */
export function srcSpecifier(outDir: string): string {
  const rel = posix(relative(resolve(outDir), SRC_DIR));
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export class Compiler {
  private readonly generator: Generator;
  private checker: ModuleChecker | undefined;

  constructor(opts: CompilerOptions = {}) {
    this.generator = new Generator(opts.templates);
  }

  /** Lowers an already resolved experiment; `spec` only names the source in the header. */
  compileConfig(config: ExperimentConfig, spec: string, outDir = DEFAULT_OUT_DIR, parents: readonly string[] = [], sweep?: SweepPlan): CompiledModule {
    const outPath = outPathFor(spec, outDir);
    const generated = this.generator.generate(config, {
      source: repoPath(spec),
      parents: parents.map(repoPath),
      outFile: repoPath(outPath),
      src: srcSpecifier(outDir),
      sweep,
      sweepParent: sweep?.inherited ? repoPath(sweep.statedIn) : undefined,
    });
    return { ...generated, spec, outPath };
  }

  /** Runs the front end on a spec file, then lowers it. */
  async compileSpec(spec: string, outDir = DEFAULT_OUT_DIR): Promise<SpecResult> {
    const { config, diagnostics, sources, sweep } = await loadExperiment(spec);
    if (config === undefined || diagnostics.some((d) => d.severity === 'error')) return { spec, diagnostics };
    const specAbs = resolve(spec);
    const parents = sources.filter((s) => resolve(s) !== specAbs);
    return { spec, diagnostics, module: this.compileConfig(config, spec, outDir, parents, sweep) };
  }

  /**
   * Type-checks modules against the runtime and checks that they are laid out
   * as the TypeScript formatter would; both failures are generator bugs,
   * reported at template lines.
   */
  async typecheck(modules: readonly CompiledModule[]): Promise<GeneratedDiagnostic[]> {
    // ts-morph (TypeScript itself) loads in about a second: only when asked for
    this.checker ??= new (await import('./typecheck.js')).ModuleChecker(REPO_ROOT);
    const checker = this.checker;
    const diags = checker.check(modules.map((m) => ({ path: m.outPath, text: m.text, lineMap: m.lineMap })));
    for (const m of modules) {
      const formatted = checker.format(m.outPath, m.text);
      if (formatted === m.text) continue;
      const a = m.text.split('\n');
      const b = formatted.split('\n');
      const i = a.findIndex((line, k) => line !== b[k]);
      diags.push({
        file: m.outPath,
        line: i + 1,
        column: 1,
        message: `not formatted: the TypeScript formatter writes \`${b[i]?.trim()}\``,
        code: a[i] ?? '',
        template: m.lineMap[i],
      });
    }
    return diags;
  }

  /** `typecheck`, throwing GeneratedTypeError when there is anything to report. */
  async assertWellTyped(modules: readonly CompiledModule[]): Promise<void> {
    const diags = await this.typecheck(modules);
    if (diags.length > 0) throw new GeneratedTypeError(diags);
  }
}

/** Expands `dir/*.r2u`-style arguments (for shells that do not), keeping the others. */
export function expandSpecArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const name = basename(arg);
    if (!name.includes('*')) {
      out.push(arg);
      continue;
    }
    const dir = dirname(arg);
    const re = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const matches = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).sort() : [];
    out.push(...matches.map((f) => (dir === '.' && !arg.startsWith('.') ? f : join(dir, f))));
  }
  return out;
}

export type Staleness =
  | { readonly kind: 'stale'; readonly path: string; readonly spec: string }
  | { readonly kind: 'missing'; readonly path: string; readonly spec: string }
  | { readonly kind: 'orphaned'; readonly path: string; readonly spec?: string };

const SPEC_LINE = /^\/\/ spec: +(.+)$/m;

/**
 * What `--check` reports: modules that differ from what the specs compile to,
 * that are absent, or that no spec produces (neither one of `modules` nor one
 * whose recorded spec still exists).
 */
export function findStale(modules: readonly CompiledModule[], outDir: string): Staleness[] {
  const out: Staleness[] = [];
  const expected = new Set<string>();
  for (const m of modules) {
    expected.add(m.outPath);
    if (!existsSync(m.outPath)) out.push({ kind: 'missing', path: m.outPath, spec: m.spec });
    else if (readFileSync(m.outPath, 'utf8') !== m.text) out.push({ kind: 'stale', path: m.outPath, spec: m.spec });
  }
  const dir = resolve(outDir);
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const path = join(dir, f);
    if (!f.endsWith('.ts') || expected.has(path)) continue;
    const spec = SPEC_LINE.exec(readFileSync(path, 'utf8'))?.[1];
    const specPath = spec === undefined ? undefined : isAbsolute(spec) ? spec : join(REPO_ROOT, spec);
    if (specPath === undefined || !existsSync(specPath)) out.push({ kind: 'orphaned', path, spec });
  }
  return out;
}
