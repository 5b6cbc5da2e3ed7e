// r2u's replacement kernels for the wasm backend: convolution gradients
// expressed as forward convolutions (see each file for the derivation), and a
// copy-free Identity and same-dtype Cast.
import { registerKernel, unregisterKernel, getKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { castConfig, identityConfig } from './identity.js';

export const FAST_WASM_KERNELS: readonly KernelConfig[] = [conv2DBackpropFilterConfig, conv2DBackpropInputConfig, identityConfig, castConfig];

/**
 * Registers the fast kernels for 'wasm', replacing stock ones of the same name.
 * Call before the wasm backend is first set: setup functions run at backend
 * initialisation and ours need none.
 */
export function registerFastWasmKernels(): void {
  for (const config of FAST_WASM_KERNELS) {
    if (getKernel(config.kernelName, 'wasm') === config) continue;
    if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}
