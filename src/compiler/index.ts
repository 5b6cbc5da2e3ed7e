// The compiler's public API: lex → parse → resolve → validate, then format,
// diff or generate. Light modules only; code generation is imported on demand.
export { applyOverrides, loadExperiment, loadExperimentSync, readSpec, type LoadedExperiment, type LoadOptions } from './load.js';
export { formatDiagnostics, diagnosticsToJson, hasErrors, type Diagnostic } from './diagnostics.js';
export { parseOverrides } from './overrides.js';
export { DEFAULT_EXPERIMENT } from '../spec/defaults.js';
export { EXPERIMENT_SCHEMA } from './schema.js';
export { validateConfig } from './validate.js';
export { planSweep, type SweepPlan, type Trial } from './sweep.js';
