// Starts TF.js's multi-threaded wasm build (XNNPACK over a pthread pool) under
// Node, where it does not start on its own:
//
// - tfjs-backend-wasm switches the threaded build off under Node and hands
//   emscripten its pthread worker script as a `blob:` URL, which Node's
//   worker_threads cannot load. We write that script to a file instead, and
//   point the worker's "load the main module" step at the package's own
//   copy of the threaded module (wasm-out/tfjs-backend-wasm-threaded-simd.js).
// - the C++ side sizes its pool as "logical cores / 2" (it assumes two
//   hyperthreads per core), which is one thread on a 2-core machine. Node
//   reports real cores here, so we report twice as many while the module
//   initialises; setThreadsCount then caps the pool at what we ask for.
//
// Everything patched is restored before this returns. The pool's worker
// threads are unref'd so that they do not keep the process alive.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** the worker's branch that loads the main module from a URL or a Blob */
const LOAD_MAIN_MODULE = /if\(typeof e\.data\.urlOrBlob=="string"\)\{importScripts\(e\.data\.urlOrBlob\)\}else\{[^}]*\}/;

/** Writes the pthread worker script (once per content) and returns its path. */
function workerScript(): string {
  const require = createRequire(import.meta.url);
  const out = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const { wasmWorkerContents } = require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const mainModule = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const patched = wasmWorkerContents.replace(LOAD_MAIN_MODULE, `importScripts(${JSON.stringify(mainModule)});`);
  if (patched === wasmWorkerContents) throw new Error('the threaded wasm worker script has an unexpected shape');
  // the shipped string holds raw newlines inside string literals; tfjs escapes them the same way
  const text = patched.replace(/\n/g, '\\n');
  const file = path.join(os.tmpdir(), `r2u-tfjs-wasm-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.js`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  return file;
}

/**
 * Activates the wasm backend with a pool of `threads` XNNPACK threads; returns
 * the pool size the backend reports. Call before the wasm backend is first
 * initialised in this process.
 */
export async function setThreadedWasmBackend(threads: number): Promise<number> {
  const script = workerScript();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  URL.createObjectURL = () => script;
  os.cpus = () => {
    const real = cpus();
    return [...real, ...real];
  };
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend failed to initialise');
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  const { wasm } = tf.backend() as unknown as {
    wasm: {
      tfjs: { getThreadsCount(): number };
      PThread: { runningWorkers: Array<{ unref(): void }>; unusedWorkers: Array<{ terminate(): unknown }> };
    };
  };
  // the pool's threads live as long as the process; they must not keep it alive
  for (const worker of wasm.PThread.runningWorkers) worker.unref();
  // emscripten starts 8 pthread workers up front, each a V8 isolate holding the module (~17 MiB);
  // XNNPACK's pool has taken the ones it needs, and emscripten starts a new one if it ever wants more
  for (const worker of wasm.PThread.unusedWorkers.splice(0)) void worker.terminate();
  return wasm.tfjs.getThreadsCount();
}
