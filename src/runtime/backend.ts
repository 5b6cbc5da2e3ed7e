// Chooses and initialises the TensorFlow.js backend: a hardware GPU through
// WebGPU (Dawn) where there is one, else native TensorFlow when the optional
// tfjs-node packages are installed, else r2u's native CPU kernels (oneDNN
// convolutions, see native/) on the wasm backend, else WebAssembly (XNNPACK)
// with r2u's fast convolution-gradient kernels, else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers' Node bundle registers the gradient functions of every op;
// tfjs-core's own Node bundle does not, and training needs them
import '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { BACKENDS, valuesOf, type BackendName } from '../spec/vocabulary.js';
import { registerFastWasmKernels } from './kernels/index.js';
import { loadNativeAddon, type NativeAddon } from './native/addon.js';
import { registerNativeKernels, unregisterNativeKernels } from './native/kernels.js';
import { setThreadedWasmBackend } from './wasm-threads.js';
import { registerWebGpuBackend, webGpuDescription, type WebGpuAdapter } from './webgpu.js';

export interface BackendInfo {
  readonly name: Exclude<BackendName, 'auto'>;
  /** human-readable, e.g. 'wasm (XNNPACK, SIMD, 1 thread, r2u fast conv gradients)' */
  readonly description: string;
  /** the kernel library and its version where r2u's native kernels run, e.g. 'oneDNN 2.6.3' */
  readonly library?: string;
  readonly simd?: boolean;
  readonly threads?: number;
  /** webgpu: the GPU adapter and its limits */
  readonly adapter?: WebGpuAdapter;
}

/**
 * Whether the backend keeps tensors in a device's memory (a GPU's): there the
 * optimizer and the weight average stay tensor ops, and one thread drives the
 * device; on every other backend tensors are host memory.
 */
export const onDevice = (backend: BackendInfo): boolean => backend.name === 'webgpu';

export class BackendError extends Error {
  override readonly name = 'BackendError';
}

/**
 * per backend (and, for webgpu, whether a software adapter may serve): its
 * info once initialised, or why it failed (failures are not retried)
 */
const ready = new Map<string, Promise<BackendInfo | string>>();

export interface BackendOptions {
  /**
   * XNNPACK threads for the wasm backend: by default one per core in the main
   * thread and one in a worker thread (data-parallel workers are one per core
   * already). Decided by the first wasm initialisation of the thread.
   */
  readonly wasmThreads?: number;
}

/** What `auto` tries: every backend, in the vocabulary's order. */
const AUTO_ORDER = valuesOf(BACKENDS).filter((name): name is BackendInfo['name'] => name !== 'auto');

/** TF.js's name of the backend: r2u's native kernels run inside the wasm backend */
const tfName = (name: BackendInfo['name']) => (name === 'native' ? 'wasm' : name);

/** Initialises and activates a backend; `auto` takes the fastest available. Idempotent. */
export async function initBackend(pref: BackendName, opts: BackendOptions = {}): Promise<BackendInfo> {
  // webgpu (first) answers `auto` only with a hardware adapter: a software one is slower than wasm
  const order: Array<BackendInfo['name']> = pref === 'auto' ? AUTO_ORDER : [pref];
  const failures: string[] = [];
  for (const name of order) {
    const forced = pref !== 'auto';
    const key = name === 'webgpu' && forced ? 'webgpu (software allowed)' : name;
    let attempt = ready.get(key);
    if (attempt === undefined) {
      attempt = prepare(name, opts, forced).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      ready.set(key, attempt);
    }
    const info = await attempt;
    if (typeof info === 'string') {
      failures.push(`${name}: ${info}`);
      continue;
    }
    // native and wasm share TF.js's wasm backend: put the kernel set asked for in place
    if (name === 'native') registerNativeKernels(loadNativeAddon() as NativeAddon);
    if (name === 'wasm') {
      unregisterNativeKernels();
      registerFastWasmKernels();
    }
    if (tf.getBackend() !== tfName(name) && !(await tf.setBackend(tfName(name)))) {
      throw new BackendError(`backend '${name}' was registered but failed to initialise`);
    }
    // say why the faster native kernels are not in use
    const nativeFailure = failures.find((f) => f.startsWith('native: '));
    return nativeFailure === undefined ? info : { ...info, description: `${info.description}; ${nativeFailure.replace(': ', ' unavailable: ')}` };
  }
  throw new BackendError(
    pref === 'auto'
      ? `no TensorFlow.js backend could be initialised (${failures.join('; ')})`
      : `backend '${pref}' is not available: ${failures.join('; ')}` +
          (pref === 'tensorflow' ? ' (install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu)' : ''),
  );
}

async function prepare(name: BackendInfo['name'], opts: BackendOptions, forced: boolean): Promise<BackendInfo> {
  switch (name) {
    case 'webgpu':
      return prepareWebGpu(forced);
    case 'tensorflow':
      return prepareTensorflow();
    case 'wasm':
      return prepareWasmOnce(opts.wasmThreads ?? defaultThreads());
    case 'native':
      return prepareNative(opts.wasmThreads ?? defaultThreads());
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
      // TF.js prints an "install tfjs-node" banner on the cpu backend's first write; r2u
      // already names the backend it runs on, and tfjs-node is tried first when installed
      (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
      return { name: 'cpu', description: 'cpu (pure JavaScript, slow)' };
  }
}

async function prepareWebGpu(allowSoftware: boolean): Promise<BackendInfo> {
  const adapter = await registerWebGpuBackend({ allowSoftware });
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend failed to initialise on ${adapter.description}`);
  return { name: 'webgpu', description: webGpuDescription(adapter), adapter };
}

/** one thread per core in the main thread, one in a worker (data-parallel workers are one per core already) */
const defaultThreads = () => (isMainThread ? os.availableParallelism() : 1);

/**
 * r2u's native kernels on the wasm backend: the addon's oneDNN gets as many
 * threads as wasm's XNNPACK pool (they never run at the same time).
 */
async function prepareNative(threads: number): Promise<BackendInfo> {
  const addon = loadNativeAddon();
  if (typeof addon === 'string') throw new Error(addon);
  const wasm = await prepareWasmOnce(threads);
  const oneDnnThreads = addon.setThreads(threads);
  const { library, version, isa } = addon.info();
  return {
    name: 'native',
    description: `native (${library} ${version}, ${isa}, ${oneDnnThreads} thread${oneDnnThreads === 1 ? '' : 's'}; other ops on ${wasm.description})`,
    library: `${library} ${version}`,
    simd: wasm.simd,
    threads: oneDnnThreads,
  };
}

async function prepareTensorflow(): Promise<BackendInfo> {
  const errors: string[] = [];
  // the package names are in variables so bundlers and tsc leave the optional imports alone
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend failed');
      return { name: 'tensorflow', description: `tensorflow (native, ${pkg})` };
    } catch (err) {
      errors.push(`${pkg}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new Error(errors.join('; '));
}

let wasmPrepared: Promise<BackendInfo> | undefined;
/** the wasm backend starts once per thread, for itself or under the native kernels */
const prepareWasmOnce = (threads: number) => (wasmPrepared ??= prepareWasm(threads));

async function prepareWasm(threads: number): Promise<BackendInfo> {
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  setWasmPaths(dist);
  registerFastWasmKernels();
  let pool: number | null = null;
  let fallback = '';
  if (threads > 1) {
    try {
      pool = await setThreadedWasmBackend(threads);
    } catch (err) {
      fallback = `; threaded build unavailable: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  if (pool === null) {
    // the single-threaded build, when one thread is asked for or the threaded one did not start
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
    pool = 1;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return {
    name: 'wasm',
    description: `wasm (XNNPACK${simd ? ', SIMD' : ''}, ${pool} thread${pool === 1 ? '' : 's'}, r2u fast conv gradients${fallback})`,
    simd,
    threads: pool,
  };
}
