// Calls registered wasm kernels from inside another kernel. A kernelFunc must
// not go through the tf.* op layer (that would record on the gradient tape
// and track tensors), so our composite kernels chain the backend's own kernel
// functions on TensorInfos and free every intermediate themselves.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

export class WasmOps {
  private readonly temps: TensorInfo[] = [];

  constructor(private readonly backend: KernelBackend) {}

  /** Runs `kernelName` on the wasm backend; the result is freed by `dispose()` unless `keep`. */
  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}, keep = false): TensorInfo {
    const config = getKernel(kernelName, 'wasm');
    if (config === undefined) throw new Error(`r2u kernels: wasm kernel ${kernelName} is not registered`);
    const out = config.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    if (!keep) this.temps.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero-pads (positive amounts) or crops (negative amounts) each axis. */
  padOrCrop(x: TensorInfo, amounts: Array<[before: number, after: number]>): TensorInfo {
    let out = x;
    if (amounts.some(([b, a]) => b < 0 || a < 0)) {
      const begin = amounts.map(([b]) => Math.max(0, -b));
      const size = x.shape.map((d, i) => d - begin[i] - Math.max(0, -amounts[i][1]));
      out = this.run('Slice', { x: out }, { begin, size });
    }
    if (amounts.some(([b, a]) => b > 0 || a > 0)) {
      const paddings = amounts.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]);
      out = this.run('PadV2', { x: out }, { paddings, constantValue: 0 });
    }
    return out;
  }

  /**
   * A [kh, kw, Ci, Co] filter flipped spatially with in/out channels swapped
   * ([kh, kw, Co, Ci]): the filter of a convolution's input gradient. Filters
   * are small (at most a few hundred thousand values), so one pass in
   * JavaScript over the wasm heap beats the Reverse + Transpose kernels, whose
   * per-call cost dominated at these sizes.
   */
  flippedTransposedFilter(filter: TensorInfo): TensorInfo {
    const [kh, kw, ci, co] = filter.shape;
    const wasm = this.backend as unknown as BackendWasm;
    const out = wasm.makeOutput([kh, kw, co, ci], 'float32');
    this.temps.push(out);
    const src = wasm.typedArrayFromHeap(filter) as Float32Array;
    const dst = wasm.typedArrayFromHeap(out) as Float32Array;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
        const to = (a * kw + b) * co * ci;
        for (let i = 0; i < ci; i++) {
          for (let o = 0; o < co; o++) dst[to + o * ci + i] = src[from + i * co + o];
        }
      }
    }
    return out;
  }

  /** Frees every intermediate produced through this object. */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}
