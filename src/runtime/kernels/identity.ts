// Identity for the wasm backend without a copy. The stock kernel copies the
// buffer; gradients pass through Identity hundreds of times per R2U-Net step
// (~3% of the step). Tensors are immutable, so sharing the buffer under a
// reference count is safe: the cpu backend and wasm's own Reshape do the same.
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function identity(args: { inputs: { x: TensorInfo }; backend: RefCountingBackend }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
