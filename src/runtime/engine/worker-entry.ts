// How a gradient worker thread starts: from the bundle `npm ci` builds
// (dist/runtime/engine/worker.mjs, by scripts/build.mjs) when it is at least
// as new as the runtime's sources, otherwise from the TypeScript source
// through tsx's loader, which costs each worker about 17 MiB and a second.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIsFresh } from '../../build-freshness.mjs';

/** the bundle, relative to the project root; at the depth of its source, so paths resolved from import.meta.url hold */
export const WORKER_BUNDLE = 'dist/runtime/engine/worker.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** what the worker imports: the runtime and the spec types and defaults */
const SOURCES = ['src/runtime', 'src/spec'].map((p) => path.join(root, p));

/** the Worker constructor's script, and whether it is code (the bootstrap) rather than a file */
export interface WorkerEntry {
  readonly script: string | URL;
  readonly eval: boolean;
}

/** how the gradient workers start now: checks the bundle's freshness (a walk of the sources) */
export function workerEntry(): WorkerEntry {
  const bundle = path.join(root, WORKER_BUNDLE);
  if (buildIsFresh(bundle, SOURCES)) {
    return { script: pathToFileURL(bundle), eval: false };
  }
  // Node does not apply an `--import` loader to a worker's .ts entry: a one-line
  // bootstrap registers tsx's ESM hooks first. tsx is resolved from here, so this
  // works from any working directory, under vitest too.
  const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  return {
    script: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
  };
}
