// Conv2DBackpropFilter for the wasm backend, which ships no such kernel.
//
// dW[a,b,ci,co] = sum_{n,i,j} x[n, i*s + a - padTop, j*s + b - padLeft, ci] * dy[n,i,j,co]
// is a forward convolution once batch and channels swap roles: the input is
// x transposed to [Ci, H, W, N] (Ci acts as the batch, N as the channels), the
// "filter" is dy transposed to [Ho, Wo, N, Co] dilated by the stride, the
// stride is 1 and the output is the [Ci, kh, kw, Co] gradient. XNNPACK runs
// that as one large GEMM at forward-convolution speed.
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { WasmOps } from './wasm-ops.js';

function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: Conv2DBackpropFilterAttrs;
  backend: KernelBackend;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`r2u Conv2DBackpropFilter: only NHWC is supported, got ${dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight, inWidth } = info;
  const { top, left } = info.padInfo;
  // choose bottom/right padding so the output is exactly kh x kw; a negative
  // amount means trailing input rows no output position reads: crop them
  const effH = (info.outHeight - 1) * sh + 1;
  const effW = (info.outWidth - 1) * sw + 1;
  const bottom = kh - 1 + effH - inHeight - top;
  const right = kw - 1 + effW - inWidth - left;

  const ops = new WasmOps(backend);
  try {
    let xt = ops.transpose(x, [3, 1, 2, 0]);
    xt = ops.padOrCrop(xt, [
      [0, 0],
      [0, Math.min(0, bottom)],
      [0, Math.min(0, right)],
      [0, 0],
    ]);
    const dyt = ops.transpose(dy, [1, 2, 0, 3]);
    const grad = ops.run(
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
      },
    );
    return ops.run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] }, true);
  } finally {
    ops.dispose();
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
