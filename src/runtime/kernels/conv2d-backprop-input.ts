// Conv2DBackpropInput for the wasm backend, replacing the stock kernel (a
// plain loop at ~2 GFLOP/s) with forward convolutions that XNNPACK runs fast.
// It is both the input gradient of Conv2D and the forward pass of
// Conv2DTranspose.
//
// - kernel == stride, no padding (the 2x2/stride-2 transposed convolution of
//   the U-Net decoder): every dy pixel writes its own s x s output block, so
//   dx = depthToSpace(conv1x1(dy, W as [1,1,Co, s*s*Ci])), the depth-to-space
//   done as a reshape-transpose-reshape.
// - otherwise: dx = conv(dy zero-dilated by the stride, W flipped spatially
//   with in/out channels swapped), padded by (k - 1 - pad) so the output has
//   the input's size.
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { WasmOps } from './wasm-ops.js';

function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  attrs: Conv2DBackpropInputAttrs;
  backend: KernelBackend;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`r2u Conv2DBackpropInput: only NHWC is supported, got ${dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const { top, left } = info.padInfo;
  const ops = new WasmOps(backend);
  try {
    const blocks =
      sh > 1 && kh === sh && kw === sw && sh === sw && top === 0 && left === 0 && inHeight === outHeight * sh && inWidth === outWidth * sw;
    if (blocks) {
      // W[a,b,ci,co] -> F[0,0,co,(a*s+b)*Ci+ci], the channel order depthToSpace expects
      const f = ops.reshape(ops.transpose(filter, [3, 0, 1, 2]), [1, 1, co, kh * kw * ci]);
      const y = ops.run('Conv2D', { x: dy, filter: f }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
      // depth-to-space as one rank-4 transpose (wasm's DepthToSpace kernel is ~10x slower):
      // [N*Ho, Wo, a, (b,ci)] -> [N*Ho, a, Wo, (b,ci)] is row-major [N, Ho*s, Wo*s, Ci]
      const rows = ops.reshape(y, [n * outHeight, outWidth, sh, sw * ci]);
      const t = ops.transpose(rows, [0, 2, 1, 3]);
      return ops.run('Reshape', { x: t }, { shape: [n, inHeight, inWidth, ci] }, true);
    }
    // zero-dilate dy: [N,Ho,Wo,C] -> [N,Ho,1,Wo,1,C] -> pad to [N,Ho,sh,Wo,sw,C] -> [N,Ho*sh,Wo*sw,C];
    // the (s-1) trailing zero rows/cols count towards the bottom/right padding
    let dyd = dy;
    if (sh > 1 || sw > 1) {
      const r = ops.reshape(dy, [n, outHeight, 1, outWidth, 1, co]);
      const p = ops.padOrCrop(r, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      dyd = ops.reshape(p, [n, outHeight * sh, outWidth * sw, co]);
    }
    const padTop = kh - 1 - top;
    const padLeft = kw - 1 - left;
    const padBottom = inHeight + kh - 1 - dyd.shape[1] - padTop;
    const padRight = inWidth + kw - 1 - dyd.shape[2] - padLeft;
    const cropped = ops.padOrCrop(dyd, [
      [0, 0],
      [Math.min(0, padTop), Math.min(0, padBottom)],
      [Math.min(0, padLeft), Math.min(0, padRight)],
      [0, 0],
    ]);
    const f = ops.flippedTransposedFilter(filter);
    return ops.run(
      'Conv2D',
      { x: cropped, filter: f },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [Math.max(0, padTop), Math.max(0, padBottom)],
          [Math.max(0, padLeft), Math.max(0, padRight)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      },
      true,
    );
  } finally {
    ops.dispose();
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
