// TF.js kernels for the wasm backend that run r2u's native addon (oneDNN) in
// place on the wasm heap: the addon reads and writes the tensors' own heap
// bytes through typed-array views, so nothing is copied. Besides the
// convolutions, the kernels a batch-norm layer's training step is made of
// (Tile, Sum and Mean over the leading axes, broadcasting Add/Sub/Multiply/
// RealDiv, FusedBatchNorm) run natively, and so does batch norm in training
// as two fused kernels (src/runtime/kernels/batch-norm-training.ts). Everything else stays on wasm. Cases
// the addon does not cover (NCHW, PReLU, other dtypes or broadcasts) go to
// the kernel this one replaced.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Add,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  Concat,
  FusedBatchNorm,
  FusedConv2D,
  MaxPoolGrad,
  Mean,
  Multiply,
  RealDiv,
  SplitV,
  Sub,
  Sum,
  Tile,
  getKernel,
  registerKernel,
  unregisterKernel,
  type ConcatAttrs,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type FusedBatchNormAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type SplitVAttrs,
  type TensorInfo,
  type SumAttrs,
  type TileAttrs,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, type BatchNormTrainingAttrs } from '../kernels/batch-norm-training.js';

/** activation codes of native/src/r2u_native.cc */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

type Args<I, A> = { inputs: I; attrs: A; backend: BackendWasm };

/** the 17 numbers the addon's conv (and max-pool gradient) takes, from TF.js's own geometry */
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

  /** Sum or Mean over leading axes (per-channel statistics of an NHWC tensor), float32 */
  function reduceLeading(args: Args<{ x: TensorInfo }, SumAttrs>, name: string, mean: boolean): TensorInfo {
    const { inputs, attrs, backend } = args;
    const { x } = inputs;
    const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const k = axes.length;
    if (x.dtype !== 'float32' || k === 0 || axes.some((a, i) => a !== i)) return fallback(name, args) as TensorInfo;
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const kept = x.shape.slice(k);
    const out = backend.makeOutput(attrs.keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : kept, 'float32');
    const cols = util.sizeFromShape(kept);
    if (cols === 0) return out;
    if (rows === 0) {
      f32(backend, out).fill(mean ? NaN : 0);
      return out;
    }
    addon.reduceRows(f32(backend, x), f32(backend, out), rows, cols, mean ? 1 / rows : 1);
    return out;
  }

  /** float32 Add/Sub/Multiply/RealDiv where one side is the same size, one value, or repeats along rows */
  function binary(args: Args<{ a: TensorInfo; b: TensorInfo }, object>, name: string, op: number): TensorInfo {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(name, args) as TensorInfo;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = util.sizeFromShape(shape);
    const [sa, sb] = [util.sizeFromShape(a.shape), util.sizeFromShape(b.shape)];
    /** whether t's shape, less leading ones, is the output's innermost dimensions */
    const trailing = (t: TensorInfo) => {
      const dims = t.shape.slice(t.shape.findIndex((d) => d !== 1));
      return dims.length <= shape.length && dims.every((d, i) => d === shape[shape.length - dims.length + i]);
    };
    let mode: number;
    let cols = 1;
    if (sa === n && sb === n) mode = 0;
    else if (sa === n && sb === 1) mode = 3;
    else if (sb === n && sa === 1) mode = 4;
    else if (sa === n && trailing(b)) [mode, cols] = [1, sb];
    else if (sb === n && trailing(a)) [mode, cols] = [2, sa];
    else return fallback(name, args) as TensorInfo;
    const out = backend.makeOutput(shape, 'float32');
    if (n === 0) return out;
    addon.binary(op, f32(backend, a), f32(backend, b), f32(backend, out), n, cols, mode);
    return out;
  }

  /** FusedBatchNorm with one mean, variance, offset and scale per channel (the last axis) */
  function batchNorm(
    args: Args<{ x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo }, FusedBatchNormAttrs>,
  ): TensorInfo {
    const { inputs, attrs, backend } = args;
    const { x, mean, variance, offset, scale } = inputs;
    const c = x.shape.at(-1) ?? 0;
    const perChannel = (t: TensorInfo | undefined) => t === undefined || (t.dtype === 'float32' && util.sizeFromShape(t.shape) === c);
    if (x.dtype !== 'float32' || x.shape.length === 0 || ![mean, variance, offset, scale].every(perChannel)) {
      return fallback(FusedBatchNorm, args) as TensorInfo;
    }
    const out = backend.makeOutput(x.shape, 'float32');
    const size = util.sizeFromShape(x.shape);
    if (size === 0) return out;
    const opt = (t: TensorInfo | undefined) => (t === undefined ? null : f32(backend, t));
    addon.batchNorm(
      f32(backend, x),
      f32(backend, out),
      size / c,
      c,
      f32(backend, mean),
      f32(backend, variance),
      opt(offset),
      opt(scale),
      attrs.varianceEpsilon,
    );
    return out;
  }

  /** float32 x with one value per channel (the last axis) in each of perChannel: what the fused batch-norm kernels take */
  const channelsLast = (x: TensorInfo, perChannel: TensorInfo[]) =>
    x.dtype === 'float32' &&
    x.shape.length > 0 &&
    perChannel.every((t) => t.dtype === 'float32' && util.sizeFromShape(t.shape) === x.shape.at(-1));

  /** an output shaped like x and two per-channel ones; with nothing to compute (rows 0), those two hold `empty` */
  function batchNormOutputs(backend: BackendWasm, x: TensorInfo, empty: number) {
    const c = x.shape.at(-1) ?? 0;
    const rows = c === 0 ? 0 : util.sizeFromShape(x.shape) / c;
    const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([c], 'float32'), backend.makeOutput([c], 'float32')];
    if (rows === 0) outs.slice(1).forEach((t) => f32(backend, t).fill(empty));
    return { outs, rows, c };
  }

  function batchNormTraining(
    args: Args<{ x: TensorInfo; scale: TensorInfo; offset: TensorInfo }, BatchNormTrainingAttrs>,
  ): TensorInfo[] {
    const { inputs, attrs, backend } = args;
    const { x, scale, offset } = inputs;
    if (!channelsLast(x, [scale, offset])) throw new Error(`r2u native ${BATCH_NORM_TRAINING}: needs float32 x and one scale, offset per channel`);
    const { outs, rows, c } = batchNormOutputs(backend, x, NaN);
    if (rows === 0) return outs;
    const [y, mean, variance] = outs;
    const [fx, fy, fm, fv] = [x, y, mean, variance].map((t) => f32(backend, t));
    addon.batchNormTrain(fx, fy, rows, c, f32(backend, scale), f32(backend, offset), attrs.epsilon, fm, fv, attrs.relu);
    return outs;
  }

  function batchNormTrainingGrad(
    args: Args<{ dy: TensorInfo; x: TensorInfo; scale: TensorInfo; offset: TensorInfo; mean: TensorInfo; variance: TensorInfo }, BatchNormTrainingAttrs>,
  ): TensorInfo[] {
    const { inputs, attrs, backend } = args;
    const { dy, x, scale, offset, mean, variance } = inputs;
    if (!channelsLast(x, [scale, offset, mean, variance]) || dy.dtype !== 'float32' || !util.arraysEqual(dy.shape, x.shape)) {
      throw new Error(`r2u native ${BATCH_NORM_TRAINING_GRAD}: needs float32 dy and x of one shape and per-channel statistics`);
    }
    const { outs, rows, c } = batchNormOutputs(backend, x, 0);
    if (rows === 0) return outs;
    const [dx, dscale, doffset] = outs;
    const [fdy, fx, fs, fo, fm, fv] = [dy, x, scale, offset, mean, variance].map((t) => f32(backend, t));
    addon.batchNormTrainGrad(fdy, fx, rows, c, fs, fm, fv, attrs.epsilon, f32(backend, dx), f32(backend, dscale), f32(backend, doffset), fo, attrs.relu);
    return outs;
  }

  /** bytes of one element, or 0 where the tensor is not a plain typed array on the heap */
  const elementBytes = (t: TensorInfo) => (t.dtype === 'string' || t.dtype === 'complex64' ? 0 : t.dtype === 'bool' ? 1 : 4);
  const bytes = (backend: BackendWasm, t: TensorInfo) => {
    const v = backend.typedArrayFromHeap(t);
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  };

  /** Concat along any axis: each input is a block of rows copied once into its columns of the output */
  function concat(args: { inputs: TensorInfo[]; attrs: ConcatAttrs; backend: BackendWasm }): TensorInfo {
    const { inputs, attrs, backend } = args;
    const elem = elementBytes(inputs[0]);
    const axis = util.parseAxisParam(attrs.axis, inputs[0].shape)[0];
    const parts = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (elem === 0 || parts.length < 2 || parts.some((t) => t.dtype !== inputs[0].dtype)) return fallback(Concat, args) as TensorInfo;
    backend_util.assertParamsConsistent(
      inputs.map((t) => t.shape),
      axis,
    );
    const out = backend.makeOutput(backend_util.computeOutShape(inputs.map((t) => t.shape), axis), inputs[0].dtype);
    const rows = util.sizeFromShape(parts[0].shape.slice(0, axis));
    const widths = parts.map((t) => util.sizeFromShape(t.shape.slice(axis)) * elem);
    const rowBytes = widths.reduce((a, b) => a + b, 0);
    const dst = bytes(backend, out);
    let at = 0;
    parts.forEach((t, i) => {
      addon.copyRows(bytes(backend, t), dst.subarray(at), rows, widths[i], widths[i], rowBytes);
      at += widths[i];
    });
    return out;
  }

  /** SplitV along any axis: each output copies its columns of the input's rows */
  function splitV(args: Args<{ x: TensorInfo }, SplitVAttrs>): TensorInfo[] {
    const { inputs, attrs, backend } = args;
    const { x } = inputs;
    const elem = elementBytes(x);
    if (elem === 0) return fallback(SplitV, args) as TensorInfo[];
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x as Parameters<typeof backend_util.prepareSplitSize>[0], attrs.numOrSizeSplits, axis);
    const rows = util.sizeFromShape(x.shape.slice(0, axis));
    const inner = util.sizeFromShape(x.shape.slice(axis + 1)) * elem;
    // every output first: an allocation may grow the wasm memory, which detaches views taken before it
    const outs = sizes.map((size) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? size : d)), x.dtype));
    const src = bytes(backend, x);
    let at = 0;
    outs.forEach((out, k) => {
      if (util.sizeFromShape(out.shape) > 0) addon.copyRows(src.subarray(at), bytes(backend, out), rows, sizes[k] * inner, x.shape[axis] * inner, sizes[k] * inner);
      at += sizes[k] * inner;
    });
    return outs;
  }

  function maxPoolGrad(args: Args<{ dy: TensorInfo; input: TensorInfo; output: TensorInfo }, MaxPoolGradAttrs>): TensorInfo {
    const { inputs, attrs, backend } = args;
    const { dy, input } = inputs;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32' || input.shape.length !== 4) return fallback(MaxPoolGrad, args) as TensorInfo;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const dx = backend.makeOutput(input.shape, 'float32');
    if (util.sizeFromShape(input.shape) === 0) return dx;
    addon.maxPoolGrad(f32(backend, dy), f32(backend, input), f32(backend, dx), geometry(info));
    return dx;
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
    kernel(Sum, (a: Args<{ x: TensorInfo }, SumAttrs>) => reduceLeading(a, Sum, false)),
    kernel(Mean, (a: Args<{ x: TensorInfo }, SumAttrs>) => reduceLeading(a, Mean, true)),
    // op codes of native/src/r2u_native.cc
    kernel(Add, (a: Args<{ a: TensorInfo; b: TensorInfo }, object>) => binary(a, Add, 0)),
    kernel(Sub, (a: Args<{ a: TensorInfo; b: TensorInfo }, object>) => binary(a, Sub, 1)),
    kernel(Multiply, (a: Args<{ a: TensorInfo; b: TensorInfo }, object>) => binary(a, Multiply, 2)),
    kernel(RealDiv, (a: Args<{ a: TensorInfo; b: TensorInfo }, object>) => binary(a, RealDiv, 3)),
    kernel(FusedBatchNorm, batchNorm),
    kernel(BATCH_NORM_TRAINING, batchNormTraining),
    kernel(Concat, concat),
    kernel(SplitV, splitV),
    kernel(MaxPoolGrad, maxPoolGrad),
    kernel(BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad),
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
