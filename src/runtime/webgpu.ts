// The WebGPU backend in Node: Dawn (the `webgpu` package's prebuilt
// dawn.node, which drives Vulkan, Metal or D3D12) supplies the GPU device,
// and TF.js's WebGPU backend runs on it. This file finds the adapter, names
// it, and says why there is none and what to do about it.
//
// TF.js's own registration looks for `navigator.gpu` at import time, which
// Node does not have; r2u registers the backend on the device it opened
// itself instead, so the adapter it reports is the one that computes.
import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The GPU adapter a webgpu backend runs on, as recorded in backend.json. */
export interface WebGpuAdapter {
  /** e.g. 'nvidia', 'amd', 'intel', 'apple', 'mesa' */
  readonly vendor: string;
  /** e.g. 'turing', 'rdna-3', 'software' */
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** a CPU implementation (llvmpipe, SwiftShader, WARP): slower than wasm */
  readonly software: boolean;
  /** the device limits that bound one tensor (bytes) */
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

/** Why the webgpu backend cannot be had, with the fix; `message` says both. */
export class WebGpuUnavailable extends Error {
  override readonly name = 'WebGpuUnavailable';
}

/** Flag that lets the process take a software adapter: only forcing the backend does. */
export interface WebGpuOptions {
  readonly allowSoftware: boolean;
}

/** The fix for a machine without a usable Vulkan driver (Linux). */
const VULKAN_DRIVER_FIX =
  "install your GPU's Vulkan driver (NVIDIA's driver, or Mesa's mesa-vulkan-drivers for AMD and Intel); " +
  'without a GPU, Mesa >= 24 provides the software driver llvmpipe (Debian 12: ' +
  'add bookworm-backports, then apt-get install -t bookworm-backports mesa-vulkan-drivers)';

/** Loads Dawn, opens the adapter and device, and registers TF.js's webgpu backend on them. */
export async function registerWebGpuBackend(opts: WebGpuOptions): Promise<WebGpuAdapter> {
  // without a GPU device node Dawn can only find a software adapter; asking it costs ~60 MiB and a second
  if (!opts.allowSoftware && process.platform === 'linux' && !hasGpuDeviceNode()) {
    throw new WebGpuUnavailable(`this machine has no GPU device (none of ${LINUX_GPU_NODES.map((n) => n.shown).join(', ')})`);
  }
  const dawn = await loadDawn();
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new WebGpuUnavailable(await explainNoAdapter());
  const info = describeAdapter(adapter);
  if (info.software && !opts.allowSoftware) {
    throw new WebGpuUnavailable(
      `only a software adapter was found (${info.description}), which is slower than wasm; ` +
        'force it with --backend webgpu or runtime { backend webgpu }',
    );
  }
  // only now, when it will be used: tfjs-backend-webgpu reads the WebGPU
  // constants (GPUBufferUsage, GPUMapMode, ...) as globals, and navigator.gpu
  Object.assign(globalThis, dawn.globals);
  exposeNavigatorGpu(gpu);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      // TF.js sizes its work to these, so ask for all the adapter has (the defaults are far lower)
      requiredLimits: {
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      },
    });
  } catch (err) {
    throw new WebGpuUnavailable(`the adapter ${info.description} refused a device: ${err instanceof Error ? err.message : String(err)}`);
  }
  reportDeviceFailures(device, info);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
  return info;
}

/** the device nodes through which Linux drivers expose a GPU: DRM render nodes, NVIDIA's, WSL's */
const LINUX_GPU_NODES: ReadonlyArray<{ readonly dir: string; readonly name: RegExp; readonly shown: string }> = [
  { dir: '/dev/dri', name: /^renderD\d+$/, shown: '/dev/dri/renderD*' },
  { dir: '/dev', name: /^nvidia\d+$/, shown: '/dev/nvidia[0-9]*' },
  { dir: '/dev', name: /^dxg$/, shown: '/dev/dxg' },
];

function hasGpuDeviceNode(): boolean {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return LINUX_GPU_NODES.some((node) => list(node.dir).some((f) => node.name.test(f)));
}

/** TF.js's WebGPU backend refuses to start unless `navigator.gpu` exists (Node 20 has no navigator; 21+ has one without gpu). */
function exposeNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

/**
 * A GPU error (say, a buffer over the device's limits) does not throw: the
 * kernel's output is left unwritten. Say so on stderr, once, rather than
 * train on garbage in silence; and say when the device is lost.
 */
function reportDeviceFailures(device: GPUDevice, info: WebGpuAdapter): void {
  let reported = false;
  device.onuncapturederror = (event) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`r2u: WebGPU error on ${info.description}: ${event.error.message.split("\n")[0]} (results after this are not to be trusted)\n`);
  };
  void device.lost.then((lost) => {
    if (lost.reason !== 'destroyed') process.stderr.write(`r2u: the GPU device ${info.description} was lost: ${lost.message}\n`);
  });
}

interface Dawn {
  create(flags: string[]): GPU;
  globals: object;
}

async function loadDawn(): Promise<Dawn> {
  try {
    return (await import('webgpu')) as Dawn;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new WebGpuUnavailable(
      `Dawn (the webgpu package) cannot be loaded on ${process.platform}-${process.arch}: ${reason}; ` +
        'it ships builds for linux-x64, linux-arm64, darwin and win32 — reinstall with npm ci, or use another backend',
    );
  }
}

export function describeAdapter(adapter: GPUAdapter): WebGpuAdapter {
  const i = adapter.info;
  const software = i.architecture === 'software' || (i as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description || [i.vendor, i.architecture, i.device].filter((s) => s !== '').join(' '),
    software,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

/** How the backend is described in logs, e.g. 'webgpu (Dawn, llvmpipe: Mesa 25.0.7 ..., software)'. */
export function webGpuDescription(a: WebGpuAdapter): string {
  return `webgpu (Dawn, ${a.description}${a.software ? ', software' : ''}; vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'})`;
}

/**
 * Why Dawn found no adapter, and the fix. On Linux: no Vulkan loader, or the
 * loader found no driver, or Dawn refused the driver's device (its messages,
 * which it writes to stderr, are collected from a probe in a child process).
 */
export async function explainNoAdapter(): Promise<string> {
  if (process.platform === 'linux' && !hasVulkanLoader()) {
    return `no Vulkan loader (libvulkan.so.1) is installed; install it (Debian/Ubuntu: apt-get install libvulkan1), then ${VULKAN_DRIVER_FIX}`;
  }
  const messages = await dawnMessages();
  const said = messages.length > 0 ? `; Dawn said: ${messages.join(' | ')}` : '';
  if (process.platform === 'linux') {
    const what = messages.some((m) => /found no drivers|VK_ERROR_INCOMPATIBLE_DRIVER/i.test(m))
      ? 'the Vulkan loader found no driver'
      : messages.some((m) => /required/i.test(m))
        ? 'Dawn refused the Vulkan device: the driver lacks what WebGPU needs (too old?)'
        : 'Dawn found no Vulkan adapter';
    return `${what}${said}; ${VULKAN_DRIVER_FIX}`;
  }
  return `Dawn found no GPU adapter${said}; update the graphics driver, or use another backend`;
}

/** Whether the Vulkan loader library is where the dynamic linker looks. */
export function hasVulkanLoader(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    '/lib',
    '/lib64',
    '/usr/lib',
    '/usr/lib64',
    '/usr/local/lib',
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
  ];
  return dirs.some((d) => existsSync(path.join(d, 'libvulkan.so.1')));
}

/** Dawn's warnings from asking for an adapter in a fresh process (Dawn prints them itself). */
function dawnMessages(): Promise<string[]> {
  const dawnEntry = createRequire(import.meta.url).resolve('webgpu');
  const script = `const d = await import(${JSON.stringify(`file://${dawnEntry}`)}); await d.create([]).requestAdapter();`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (_err, stdout, stderr) => {
      const lines = `${stdout}\n${stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^(warning|error):/i.test(l))
        .map((l) => l.replace(/^(warning|error):\s*/i, ''));
      resolve([...new Set(lines)]);
    });
  });
}
