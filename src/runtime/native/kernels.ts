// TF.js kernels for the wasm backend that run r2u's native addon (oneDNN) in
// place on the wasm heap: the addon reads and writes the tensors' own heap
// bytes through typed-array views, so nothing is copied. Everything else
// stays on wasm. Cases the addon does not cover (NCHW, PReLU, a bias that is
// not one value per channel) go to the kernel this one replaced.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
  Tile,
  getKernel,
  registerKernel,
  unregisterKernel,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type TileAttrs,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';

/** activation codes of native/src/r2u_native.cc */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

type Args<I, A> = { inputs: I; attrs: A; backend: BackendWasm };

/** the 17 numbers the addon's conv takes, from TF.js's own geometry */
function geometry(info: backend_util.Conv2DInfo): Int32Array {
  const p = info.padInfo;
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.left,
    p.bottom,
    p.right,
  );
}

const f32 = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

type ConvAttrs = Pick<Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'> & { dilations?: Conv2DAttrs['dilations'] };
const convInfo = (xShape: number[], filterShape: number[], a: ConvAttrs) =>
  backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
  );

export function nativeKernelConfigs(addon: NativeAddon, replaced: (name: string) => KernelConfig | undefined): KernelConfig[] {
  const fallback = (name: string, args: unknown) => {
    const k = replaced(name);
    if (k === undefined) throw new Error(`r2u native ${name}: this case needs the wasm kernel, which is not registered`);
    return k.kernelFunc(args as Parameters<KernelFunc>[0]);
  };

  function forward(
    args: Args<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo }, Conv2DAttrs & Partial<FusedConv2DAttrs>>,
    name: string,
  ): TensorInfo | TensorInfo[] {
    const { inputs, attrs, backend } = args;
    const { x, filter, bias } = inputs;
    const act = ACTIVATIONS[attrs.activation ?? 'linear'];
    const co = filter.shape[3];
    if (attrs.dataFormat === 'NCHW' || act === undefined || (bias !== undefined && util.sizeFromShape(bias.shape) !== co)) {
      return fallback(name, args) as TensorInfo;
    }
    const info = convInfo(x.shape, filter.shape, attrs);
    const out = backend.makeOutput(info.outShape, 'float32');
    if (util.sizeFromShape(info.outShape) === 0) return out;
    const b = bias === undefined ? null : f32(backend, bias);
    addon.conv(0, f32(backend, x), f32(backend, filter), f32(backend, out), geometry(info), b, act, attrs.leakyreluAlpha ?? 0.2);
    return out;
  }

  function backpropInput(args: Args<{ dy: TensorInfo; filter: TensorInfo }, Conv2DBackpropInputAttrs>): TensorInfo {
    const { inputs, attrs, backend } = args;
    const { dy, filter } = inputs;
    if (attrs.dataFormat === 'NCHW') return fallback(Conv2DBackpropInput, args) as TensorInfo;
    const info = convInfo(attrs.inputShape, filter.shape, attrs);
    const out = backend.makeOutput(info.inShape, 'float32');
    if (util.sizeFromShape(info.inShape) === 0) return out;
    addon.conv(1, f32(backend, dy), f32(backend, filter), f32(backend, out), geometry(info));
    return out;
  }

  function backpropFilter(args: Args<{ x: TensorInfo; dy: TensorInfo }, Conv2DBackpropFilterAttrs>): TensorInfo {
    const { inputs, attrs, backend } = args;
    const { x, dy } = inputs;
    if (attrs.dataFormat === 'NCHW') return fallback(Conv2DBackpropFilter, args) as TensorInfo;
    const info = convInfo(x.shape, attrs.filterShape, attrs);
    const out = backend.makeOutput(attrs.filterShape, 'float32');
    if (util.sizeFromShape(attrs.filterShape) === 0) return out;
    if (util.sizeFromShape(x.shape) === 0) {
      f32(backend, out).fill(0);
      return out;
    }
    addon.conv(2, f32(backend, x), f32(backend, dy), f32(backend, out), geometry(info));
    return out;
  }

  function tile(args: Args<{ x: TensorInfo }, TileAttrs>): TensorInfo {
    const { inputs, attrs, backend } = args;
    const { x } = inputs;
    if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) return fallback(Tile, args) as TensorInfo;
    const shape = x.shape.map((d, i) => d * attrs.reps[i]);
    const out = backend.makeOutput(shape, x.dtype);
    if (util.sizeFromShape(shape) === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    addon.tile(src, backend.typedArrayFromHeap(out), Int32Array.from(x.shape), Int32Array.from(attrs.reps), src.BYTES_PER_ELEMENT);
    return out;
  }

  const kernel = (kernelName: string, kernelFunc: (a: never) => TensorInfo | TensorInfo[]): KernelConfig => ({
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelFunc,
  });
  return [
    kernel(Conv2D, (a: Args<{ x: TensorInfo; filter: TensorInfo }, Conv2DAttrs>) => forward(a, Conv2D)),
    kernel(FusedConv2D, (a: Args<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo }, FusedConv2DAttrs>) => forward(a, FusedConv2D)),
    kernel(Conv2DBackpropInput, backpropInput),
    kernel(Conv2DBackpropFilter, backpropFilter),
    kernel(Tile, tile),
  ];
}

/** the wasm kernels the native ones replaced, to fall back to and to restore */
const replacedKernels = new Map<string, KernelConfig>();
let active: KernelConfig[] = [];

/** Puts the native kernels in place of the wasm backend's own (idempotent). */
export function registerNativeKernels(addon: NativeAddon): void {
  if (active.length > 0) return;
  active = nativeKernelConfigs(addon, (name) => replacedKernels.get(name));
  for (const config of active) {
    const old = getKernel(config.kernelName, 'wasm');
    if (old !== undefined) {
      replacedKernels.set(config.kernelName, old);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
}

/** Restores the wasm kernels the native ones replaced (for switching to plain wasm in one thread). */
export function unregisterNativeKernels(): void {
  for (const config of active) {
    unregisterKernel(config.kernelName, 'wasm');
    const old = replacedKernels.get(config.kernelName);
    if (old !== undefined) registerKernel(old);
  }
  active = [];
  replacedKernels.clear();
}
