// Whether a bundle in dist/ still holds its sources: both launchers read it
// (bin/r2u.mjs for the CLI bundle, src/runtime/engine/worker-entry.ts for the
// gradient worker's). Plain JavaScript, so the CLI launcher can run it before
// any TypeScript loader is registered.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** the newest modification time under a file or folder, in ms */
function newestMtime(p) {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(p).reduce((newest, name) => Math.max(newest, newestMtime(join(p, name))), 0);
}

/** true when `bundle` exists and is at least as new as every file under `sources` (absolute paths) */
export function bundleIsFresh(bundle, sources) {
  return existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...sources.map(newestMtime));
}
