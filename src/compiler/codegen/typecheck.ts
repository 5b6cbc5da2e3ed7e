// Formats generated modules and type-checks them against the runtime's real
// types, in process, with one ts-morph Project reused for every module: the
// generated code lives only in memory, the runtime files are read from disk
// once, on demand, as the generated imports reach them. A type error in the
// output is a generator bug; it is reported at the template line that made it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import type { TemplateLocation } from './generator.js';
import type { GeneratedDiagnostic } from './report.js';

export interface ModuleToCheck {
  /** absolute path the module will have on disk, so its relative imports resolve */
  readonly path: string;
  readonly text: string;
  readonly lineMap: readonly (TemplateLocation | undefined)[];
}

// Used when the project has no tsconfig.json: the settings the repository's own uses.
const FALLBACK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  esModuleInterop: true,
  noEmit: true,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
};

export class ModuleChecker {
  private readonly project: Project;

  /** `root`: the repository, whose tsconfig.json supplies the compiler options. */
  constructor(root: string) {
    const tsConfigFilePath = join(root, 'tsconfig.json');
    this.project = existsSync(tsConfigFilePath)
      ? new Project({ tsConfigFilePath, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true })
      : new Project({ compilerOptions: FALLBACK_OPTIONS, skipFileDependencyResolution: true });
  }

  /**
   * The text as the TypeScript formatter lays it out. The templates already
   * produce formatted code, so this only normalises what helpers and partials
   * indent differently; it never adds or removes lines, which keeps line maps valid.
   */
  format(path: string, text: string): string {
    const sf = this.project.createSourceFile(path, text, { overwrite: true });
    try {
      sf.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
      const out = sf.getFullText();
      if (out.split('\n').length !== text.split('\n').length) {
        throw new Error(`the formatter changed the line count of ${path}; the templates should emit formatted code`);
      }
      return out;
    } finally {
      this.project.removeSourceFile(sf);
    }
  }

  /** Type-checks modules together (one program) and returns their errors, mapped to templates. */
  check(modules: readonly ModuleToCheck[]): GeneratedDiagnostic[] {
    const files = modules.map((m) => ({ m, sf: this.createModule(m.path, m.text) }));
    try {
      const program = this.project.getProgram().compilerObject;
      const out: GeneratedDiagnostic[] = [];
      for (const { m, sf } of files) {
        const node = program.getSourceFile(sf.getFilePath());
        if (node === undefined) throw new Error(`the type checker lost ${m.path}`);
        const diags = [...program.getSyntacticDiagnostics(node), ...program.getSemanticDiagnostics(node)];
        for (const d of diags) {
          if (d.category !== ts.DiagnosticCategory.Error) continue;
          const pos = d.start === undefined ? { line: 0, character: 0 } : node.getLineAndCharacterOfPosition(d.start);
          out.push({
            file: m.path,
            line: pos.line + 1,
            column: pos.character + 1,
            message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
            code: m.text.split('\n')[pos.line] ?? '',
            template: m.lineMap[pos.line],
          });
        }
      }
      return out;
    } finally {
      for (const { sf } of files) this.project.removeSourceFile(sf);
    }
  }

  /**
   * An in-memory module. ts-morph's compiler host drops the module format that
   * TypeScript derives from the nearest package.json, so an ES module would be
   * checked as CommonJS (rejecting import.meta, top-level await): restore it.
   */
  private createModule(path: string, text: string): SourceFile {
    const sf = this.project.createSourceFile(path, text, { overwrite: true });
    const options = this.project.getCompilerOptions();
    const format = ts.getImpliedNodeFormatForFile(path as ts.Path, undefined, ts.sys, options);
    (sf.compilerNode as { impliedNodeFormat?: ts.ResolutionMode }).impliedNodeFormat = format;
    return sf;
  }

  /** The source files the project holds (runtime and library files loaded so far). */
  loadedFiles(): SourceFile[] {
    return this.project.getSourceFiles();
  }
}
