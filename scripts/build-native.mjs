// Builds r2u's native CPU kernels (native/, a Node-API addon over oneDNN) at
// `npm ci`/`npm install` (the `install` script). It never fails the install:
// without a compiler, Node's headers or oneDNN, r2u runs on wasm, and the
// reason is written to native/build/status.json for the runtime to print.
// Uses npm's own node-gyp against the installed Node's headers (no download).
// R2U_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native');
const statusFile = join(dir, 'build', 'status.json');

function finish(ok, reason) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, node: process.version, at: new Date().toISOString() }, null, 2) + '\n');
  console.log(ok ? 'r2u native kernels: built (oneDNN)' : `r2u native kernels: not built, r2u will use wasm: ${reason}`);
  process.exit(0);
}

if (process.env.R2U_NATIVE === '0') finish(false, 'R2U_NATIVE=0 was set at install');

// node-gyp: the one npm runs scripts with, else the one bundled with npm beside this Node
const gypCandidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
if (gypCandidates.length === 0) finish(false, "node-gyp not found (it ships with npm; set npm_config_node_gyp to its bin/node-gyp.js)");

// the installed Node's headers: node-gyp would otherwise download them
const nodedirs = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter(
  (d) => d && existsSync(join(d, 'include', 'node', 'node_api.h')),
);
if (nodedirs.length === 0) finish(false, `Node's headers (include/node/node_api.h) not found beside ${process.execPath}; on Debian: apt-get install libnode-dev`);

const cxx = spawnSync(process.env.CXX ?? 'c++', ['--version'], { encoding: 'utf8' });
if (cxx.status !== 0) finish(false, `no C++ compiler (${process.env.CXX ?? 'c++'}); on Debian: apt-get install g++ make`);

const probe = spawnSync(process.env.CXX ?? 'c++', ['-x', 'c++', '-E', '-', '-o', '/dev/null'], { input: '#include <oneapi/dnnl/dnnl.hpp>\n', encoding: 'utf8' });
if (probe.status !== 0) finish(false, 'oneDNN headers not found (oneapi/dnnl/dnnl.hpp); on Debian: apt-get install libdnnl-dev');

const gyp = spawnSync(process.execPath, [gypCandidates[0], 'rebuild', `--nodedir=${nodedirs[0]}`], { cwd: dir, encoding: 'utf8' });
if (gyp.status !== 0) {
  const tail = `${gyp.stdout}\n${gyp.stderr}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join(' | ');
  finish(false, `node-gyp rebuild failed: ${tail || `exit ${gyp.status}`}`);
}
finish(true, null);
