// Identity, and Cast to the dtype a tensor already has, for the wasm backend
// without a copy. The stock kernels copy the buffer; gradients pass through
// Identity hundreds of times per R2U-Net step (~3% of the step), and every
// ReLU's gradient casts a float32 mask to float32 (a full copy per layer).
// Tensors are immutable, so sharing the buffer under a reference count is
// safe: the cpu backend and wasm's own Reshape do the same.
import { Cast, Identity, type CastAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface WasmLike {
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): { set(values: ArrayLike<number>): void } & ArrayLike<number>;
}

function identity(args: { inputs: { x: TensorInfo }; backend: WasmLike }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function cast(args: { inputs: { x: TensorInfo }; attrs: CastAttrs; backend: WasmLike }): TensorInfo {
  const { inputs, attrs, backend } = args;
  if (attrs.dtype === inputs.x.dtype) return identity(args);
  // another dtype: converted as the stock wasm kernel does, except that bool is x != 0 (as on the
  // cpu backend) where the stock kernel stores the low byte (-2 became 254)
  const out = backend.makeOutput(inputs.x.shape, attrs.dtype);
  const [src, dst] = [backend.typedArrayFromHeap(inputs.x), backend.typedArrayFromHeap(out)];
  if (attrs.dtype === 'bool') dst.set(Array.from(src, (v) => (v !== 0 ? 1 : 0)));
  else dst.set(src);
  return out;
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};

export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelFunc,
};
