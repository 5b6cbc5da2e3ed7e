// `r2u schema [--sweep]`: the JSON Schema of a resolved experiment, for editors
// and tools; with --sweep, that of an expanded sweep (`r2u sweep plan --format json`).
import type { Command } from 'commander';
import { EXPERIMENT_SCHEMA, SWEEP_PLAN_SCHEMA } from '../../compiler/schema.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema (draft 2020-12) of a resolved experiment')
    .option('--sweep', "instead, the schema of a sweep's plan (r2u sweep plan --format json): a resolved experiment has no sweep")
    .action((opts: { sweep?: boolean }) => {
      process.stdout.write(JSON.stringify(opts.sweep ? SWEEP_PLAN_SCHEMA : EXPERIMENT_SCHEMA, null, 2) + '\n');
    });
}
