// The compiler's public API: lex → parse → resolve → validate, then format,
// diff or generate. Light modules only; code generation is imported on demand.
export { applyOverrides, loadExperiment, loadExperimentSync, readSpec, type LoadedExperiment, type LoadOptions } from './load.js';
export { DIAGNOSTIC_CODES, formatDiagnostics, diagnosticsToJson, hasErrors, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
export { parseOverrides } from './overrides.js';
export { DEFAULT_EXPERIMENT } from '../spec/defaults.js';
export { EXPERIMENT_SCHEMA } from './schema.js';
export { validateConfig } from './validate.js';
// for editors: the syntax tree, the statement table, tokens and the formatter
export type { Atom, Block, CallArg, Comment, Phrase, SpecAst, Statement } from './ast.js';
export { diagnosticAnchor, usage } from './docs.js';
export { formatSource } from './format.js';
export { EXPERIMENT, describeType, type BlockDef, type PhraseDef, type Slot, type SlotType, type StatementDef, type VariantDef } from './language.js';
export { specLexer } from './lexer.js';
export { parseSource } from './parse.js';
export { specParser } from './parser.js';
export { patternText } from './resolve.js';
export { SourceFile, type Span } from './source.js';
export { nextClauseWords, parseAdoptionRule, type AdoptionClause, type AdoptionRule } from './adoption.js';
export { planSweep, RANGE_FORMS, SWEEP_KEY, SWEEP_WORDS, type SweepPlan, type SweepWord, type Trial } from './sweep.js';
