// Parsers of command-line flags shared by the subcommands, and the error a
// misused flag raises (printed without a stack trace, exit 2).
import { BACKENDS, valuesOf, type BackendName } from '../spec/vocabulary.js';

/** A mistake in how the command was called: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

/** Collects a repeatable option, e.g. `--set k=v`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export type OutputFormat = 'text' | 'json';

export function parseFormat(value: string): OutputFormat {
  if (value !== 'text' && value !== 'json') throw new UsageError(`--format must be text or json, not '${value}'`);
  return value;
}

/** `--backend <name>`'s help text, from the vocabulary. */
export const BACKEND_HELP = `TensorFlow.js backend: ${valuesOf(BACKENDS).join(', ')}`;

/** `--backend` of the commands without a spec (eval, predict); with a spec it is `--set runtime.backend`. */
export function parseBackend(value: string | undefined): BackendName | undefined {
  if (value === undefined) return undefined;
  return parseChoice('--backend', value, valuesOf(BACKENDS));
}

/** A flag that takes one of a few values, e.g. `--format`; `choices` in the order the message lists them. */
export function parseChoice<C extends string>(flag: string, value: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not '${value}'`);
  return value as C;
}

/** An integer flag of at least `min`. */
export function parseCount(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, not '${value}'`);
  return n;
}

/**
 * The `--set` list of a command that reads a spec: its `--set`s, then
 * `--backend` and `--workers` as the shorthands they are for
 * `--set runtime.backend=…` and `--set runtime.workers=…`, so that all three
 * are checked by the statement table and reported alike.
 */
export function specSets(flags: { readonly set?: readonly string[]; readonly backend?: string; readonly workers?: string }): string[] {
  const sets = [...(flags.set ?? [])];
  if (flags.backend !== undefined) sets.push(`runtime.backend=${flags.backend}`);
  if (flags.workers !== undefined) sets.push(`runtime.workers=${flags.workers}`);
  return sets;
}
