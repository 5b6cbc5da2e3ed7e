// Whether a build output still holds its sources: an mtime comparison, the
// same test make applies. Read by both launchers (bin/r2u.mjs for the CLI
// bundle, src/runtime/engine/worker-entry.ts for the gradient worker's) and by
// src/runtime/native/addon.ts for the native kernels. Plain JavaScript, so the
// CLI launcher can run it before any TypeScript loader is registered.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** the newest modification time under a file or folder, in ms */
function newestMtime(p) {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(p).reduce((newest, name) => Math.max(newest, newestMtime(join(p, name))), 0);
}

/** true when `output` exists and is at least as new as every file under `sources` (absolute paths) */
export function buildIsFresh(output, sources) {
  return existsSync(output) && statSync(output).mtimeMs >= Math.max(...sources.map(newestMtime));
}
