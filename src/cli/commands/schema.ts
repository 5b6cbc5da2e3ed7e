// `r2u schema`: the JSON Schema of a resolved experiment, for editors and tools.
import type { Command } from 'commander';
import { EXPERIMENT_SCHEMA } from '../../compiler/schema.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema (draft 2020-12) of a resolved experiment')
    .action(() => {
      process.stdout.write(JSON.stringify(EXPERIMENT_SCHEMA, null, 2) + '\n');
    });
}
