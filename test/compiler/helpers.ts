import { loadExperimentSync } from '../../src/compiler/index.js';

/** Loads a spec given as text (as if it were the file `name`). */
export function loadText(text: string, opts: { sets?: string[]; name?: string } = {}) {
  return loadExperimentSync(opts.name ?? 'test.r2u', { text, sets: opts.sets });
}

export const MINIMAL = 'experiment t {\n}\n';

/** Wraps statements in an experiment. */
export const spec = (body: string) => `experiment t {\n${body}\n}\n`;
