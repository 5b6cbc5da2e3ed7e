// r2u's native CPU kernels: oneDNN convolutions (forward with fused bias and
// activation, input gradient, filter gradient), and the memory-bound kernels
// that batch norm's forward and backward passes are made of in TF.js (Tile,
// per-channel sums and means, broadcasting binary ops, the batch-norm affine
// map), run in place on
// buffers the caller owns (the TF.js wasm backend's heap, passed as typed
// array views), so no tensor is copied on the way in or out.
//
// Activations are NHWC (TF.js's layout, which oneDNN's brgemm/jit AVX-512 and
// AVX2 kernels take directly); filters are TF.js's HWIO and are reordered
// into the primitive's preferred blocked layout on each call (they are small).
// Primitives are cached per thread and shape: each data-parallel worker thread
// has its own cache, stream and OpenMP thread count.
#include <node_api.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

#define NAPI_CALL(env, call)                                    \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error((env), nullptr, "r2u native: " #call);   \
      return nullptr;                                           \
    }                                                           \
  } while (0)

/** declares argc and argv[n] with the call's arguments (argc: how many were passed) */
#define NAPI_ARGS(env, info, n)                                                      \
  size_t argc = (n);                                                                 \
  napi_value argv[(n)];                                                              \
  NAPI_CALL((env), napi_get_cb_info((env), (info), &argc, argv, nullptr, nullptr))

/** The data pointer of a typed array argument (any element type), or null. */
void *typedArrayData(napi_env env, napi_value v, size_t *bytes) {
  napi_typedarray_type type;
  size_t length;
  void *data = nullptr;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok) return nullptr;
  size_t elem = (type == napi_int8_array || type == napi_uint8_array || type == napi_uint8_clamped_array) ? 1
                : (type == napi_int16_array || type == napi_uint16_array)                                 ? 2
                : (type == napi_float64_array || type == napi_bigint64_array || type == napi_biguint64_array) ? 8
                                                                                                           : 4;
  if (bytes) *bytes = length * elem;
  return data;
}

bool isNullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

struct Context {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
};
Context &ctx() {
  thread_local Context c;
  return c;
}

/** Conv geometry, in TF.js's terms (computeConv2DInfo). */
struct Geometry {
  int n, ih, iw, ci, kh, kw, co, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr;
  memory::dims src() const { return {n, ci, ih, iw}; }
  memory::dims dst() const { return {n, co, oh, ow}; }
  memory::dims wei() const { return {co, ci, kh, kw}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }
};

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

/** activation codes shared with the TypeScript side */
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5 };

struct ConvPlan {
  dnnl::primitive conv;
  dnnl::reorder weightsReorder;  // hwio <-> the primitive's layout, when they differ
  bool reorderWeights = false;
  memory::desc userWeights, primWeights, src, dst, bias;
  memory weightsScratch;
};

dnnl::convolution_forward::primitive_desc forwardPd(const Geometry &g, bool bias, int act, float alpha, dnnl::prop_kind prop) {
  auto &c = ctx();
  memory::desc src(g.src(), dt::f32, tag::nhwc), dst(g.dst(), dt::f32, tag::nhwc), wei(g.wei(), dt::f32, tag::any);
  memory::desc b = bias ? memory::desc({g.co}, dt::f32, tag::x) : memory::desc();
  auto d = dnnl::convolution_forward::desc(prop, dnnl::algorithm::convolution_direct, src, wei, b, dst, g.strides(), g.dilates(), g.padL(),
                                           g.padR());
  dnnl::primitive_attr attr;
  if (act != kLinear) {
    dnnl::post_ops ops;
    switch (act) {
      case kRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
      case kRelu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
      case kLeakyRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
      case kSigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
      case kElu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
    }
    attr.set_post_ops(ops);
  }
  return dnnl::convolution_forward::primitive_desc(d, attr, c.eng);
}

ConvPlan &plan(int kind, const Geometry &g, bool bias, int act, float alpha) {
  thread_local std::unordered_map<std::string, std::unique_ptr<ConvPlan>> cache;
  std::string key(reinterpret_cast<const char *>(&g), sizeof g);
  key += static_cast<char>(kind);
  key += static_cast<char>(bias);
  key += static_cast<char>(act);
  key.append(reinterpret_cast<const char *>(&alpha), sizeof alpha);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;

  auto &c = ctx();
  auto p = std::make_unique<ConvPlan>();
  p->userWeights = memory::desc(g.wei(), dt::f32, tag::hwio);
  if (kind == kForward) {
    auto pd = forwardPd(g, bias, act, alpha, dnnl::prop_kind::forward_training);
    p->conv = dnnl::convolution_forward(pd);
    p->primWeights = pd.weights_desc();
    p->src = pd.src_desc();
    p->dst = pd.dst_desc();
    if (bias) p->bias = pd.bias_desc();
  } else {
    auto hint = forwardPd(g, false, kLinear, 0.f, dnnl::prop_kind::forward_training);
    memory::desc src(g.src(), dt::f32, tag::nhwc), dst(g.dst(), dt::f32, tag::nhwc), wei(g.wei(), dt::f32, tag::any);
    if (kind == kBackwardData) {
      auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, src, wei, dst, g.strides(), g.dilates(), g.padL(),
                                                     g.padR());
      auto pd = dnnl::convolution_backward_data::primitive_desc(d, c.eng, hint);
      p->conv = dnnl::convolution_backward_data(pd);
      p->primWeights = pd.weights_desc();
    } else {
      auto d = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src, wei, dst, g.strides(), g.dilates(),
                                                        g.padL(), g.padR());
      auto pd = dnnl::convolution_backward_weights::primitive_desc(d, c.eng, hint);
      p->conv = dnnl::convolution_backward_weights(pd);
      p->primWeights = pd.diff_weights_desc();
    }
    p->src = src;
    p->dst = dst;
  }
  p->reorderWeights = p->primWeights != p->userWeights;
  if (p->reorderWeights) {
    p->weightsScratch = memory(p->primWeights, c.eng);
    memory user(p->userWeights, c.eng, DNNL_MEMORY_NONE);
    p->weightsReorder = kind == kBackwardWeights ? dnnl::reorder(p->weightsScratch, user) : dnnl::reorder(user, p->weightsScratch);
  }
  auto &ref = *p;
  cache.emplace(std::move(key), std::move(p));
  return ref;
}

/** x[:, ::sh, ::sw, :] of an NHWC x with g's input shape, into sub (n, oh, ow, ci) */
void subsampleRows(const float *x, float *sub, const Geometry &g) {
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t y = 0; y < g.oh; y++)
      for (int64_t c = 0; c < g.ow; c++)
        std::memcpy(sub + ((b * g.oh + y) * g.ow + c) * g.ci, x + ((b * g.ih + y * g.sh) * g.iw + c * g.sw) * g.ci, g.ci * sizeof(float));
}

/** the inverse: dx (g's input shape) is zero except at the strided positions, which take sub */
void scatterRows(const float *sub, float *dx, const Geometry &g) {
  std::memset(dx, 0, static_cast<size_t>(g.n) * g.ih * g.iw * g.ci * sizeof(float));
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t y = 0; y < g.oh; y++)
      for (int64_t c = 0; c < g.ow; c++)
        std::memcpy(dx + ((b * g.ih + y * g.sh) * g.iw + c * g.sw) * g.ci, sub + ((b * g.oh + y) * g.ow + c) * g.ci, g.ci * sizeof(float));
}

/**
 * conv(kind, a, b, out, geometry: Int32Array(17), bias | null, activation, alpha)
 *   kind 0: out = act(conv(a = x, b = w) + bias)
 *   kind 1: out = dx from a = dy, b = w
 *   kind 2: out = dw (hwio) from a = x, b = dy
 */
napi_value Conv(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 8);
  if (argc < 5) {
    napi_throw_type_error(env, nullptr, "r2u native conv: expected (kind, a, b, out, geometry[, bias, activation, alpha])");
    return nullptr;
  }
  int32_t kind = 0, act = kLinear;
  double alpha = 0;
  NAPI_CALL(env, napi_get_value_int32(env, argv[0], &kind));
  size_t gbytes = 0;
  auto *gi = static_cast<int32_t *>(typedArrayData(env, argv[4], &gbytes));
  void *a = typedArrayData(env, argv[1], nullptr), *b = typedArrayData(env, argv[2], nullptr), *out = typedArrayData(env, argv[3], nullptr);
  if (!gi || gbytes != sizeof(Geometry) || !a || !b || !out) {
    napi_throw_type_error(env, nullptr, "r2u native conv: a, b, out must be typed arrays and geometry an Int32Array of 17");
    return nullptr;
  }
  void *bias = argc > 5 && !isNullish(env, argv[5]) ? typedArrayData(env, argv[5], nullptr) : nullptr;
  if (argc > 6) NAPI_CALL(env, napi_get_value_int32(env, argv[6], &act));
  if (argc > 7) NAPI_CALL(env, napi_get_value_double(env, argv[7], &alpha));
  Geometry g;
  std::memcpy(&g, gi, sizeof g);
  // A strided 1x1 convolution is a unit-stride one on every sh-th row and sw-th column of x.
  // oneDNN 2.6's 1x1 kernels make that subsample themselves ("rtus"), and for NHWC with fewer
  // input channels than a vector block their backward-weights pass writes past that buffer
  // (uxlfoundation/oneDNN#6035): heap corruption on AVX-512, wrong weight gradients on AVX2.
  // So the subsampled x, or the subsampled dx, is made here and oneDNN never sees the stride.
  std::vector<float> unitStride;
  float *const callersOut = static_cast<float *>(out);
  const bool reduceStride = g.kh == 1 && g.kw == 1 && (g.sh > 1 || g.sw > 1) && g.pt == 0 && g.pl == 0 && g.pb == 0 && g.pr == 0;
  const Geometry strided = g;
  if (reduceStride) {
    g.ih = g.oh, g.iw = g.ow, g.sh = g.sw = 1;
    unitStride.resize(static_cast<size_t>(g.n) * g.ih * g.iw * g.ci);
    if (kind == kBackwardData) {
      out = unitStride.data();
    } else {
      subsampleRows(static_cast<const float *>(a), unitStride.data(), strided);
      a = unitStride.data();
    }
  }
  try {
    auto &c = ctx();
    auto &p = plan(kind, g, bias != nullptr, act, static_cast<float>(alpha));
    if (kind == kForward) {
      memory w(p.userWeights, c.eng, b);
      if (p.reorderWeights) p.weightsReorder.execute(c.strm, w, p.weightsScratch);
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(p.src, c.eng, a)},
                                           {DNNL_ARG_WEIGHTS, p.reorderWeights ? p.weightsScratch : w},
                                           {DNNL_ARG_DST, memory(p.dst, c.eng, out)}};
      if (bias) args.emplace(DNNL_ARG_BIAS, memory(p.bias, c.eng, bias));
      p.conv.execute(c.strm, args);
    } else if (kind == kBackwardData) {
      memory w(p.userWeights, c.eng, b);
      if (p.reorderWeights) p.weightsReorder.execute(c.strm, w, p.weightsScratch);
      p.conv.execute(c.strm, {{DNNL_ARG_DIFF_DST, memory(p.dst, c.eng, a)},
                              {DNNL_ARG_WEIGHTS, p.reorderWeights ? p.weightsScratch : w},
                              {DNNL_ARG_DIFF_SRC, memory(p.src, c.eng, out)}});
    } else {
      memory dw(p.userWeights, c.eng, out);
      p.conv.execute(c.strm, {{DNNL_ARG_SRC, memory(p.src, c.eng, a)},
                              {DNNL_ARG_DIFF_DST, memory(p.dst, c.eng, b)},
                              {DNNL_ARG_DIFF_WEIGHTS, p.reorderWeights ? p.weightsScratch : dw}});
      if (p.reorderWeights) p.weightsReorder.execute(c.strm, p.weightsScratch, dw);
    }
    c.strm.wait();
    if (reduceStride && kind == kBackwardData) scatterRows(unitStride.data(), callersOut, strided);
  } catch (const dnnl::error &e) {
    napi_throw_error(env, nullptr, (std::string("r2u native conv (oneDNN): ") + e.what()).c_str());
  }
  return nullptr;
}

// Tile: out = x repeated reps[d] times along each axis d. TF.js's wasm Tile
// walks every output element through index arithmetic (tens of ms for a
// batch-norm-sized tile); here each level is one memcpy per block.
void tileLevel(const char *x, char *out, const std::vector<int32_t> &shape, const std::vector<int32_t> &reps, size_t d, size_t elem) {
  size_t r = shape.size();
  size_t innerIn = elem, innerOut = elem;
  for (size_t k = d + 1; k < r; k++) {
    innerIn *= shape[k];
    innerOut *= static_cast<size_t>(shape[k]) * reps[k];
  }
  if (d + 1 == r) {
    std::memcpy(out, x, innerIn * shape[d]);
  } else {
    for (int32_t i = 0; i < shape[d]; i++) tileLevel(x + i * innerIn, out + i * innerOut, shape, reps, d + 1, elem);
  }
  size_t block = innerOut * shape[d];
  for (int32_t k = 1; k < reps[d]; k++) std::memcpy(out + k * block, out, block);
}

/** tile(x, out, shape: Int32Array, reps: Int32Array, elementBytes) */
napi_value Tile(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 5);
  size_t sb = 0, rb = 0;
  int32_t elem = 4;
  auto *x = static_cast<const char *>(typedArrayData(env, argv[0], nullptr));
  auto *out = static_cast<char *>(typedArrayData(env, argv[1], nullptr));
  auto *s = static_cast<int32_t *>(typedArrayData(env, argv[2], &sb));
  auto *rp = static_cast<int32_t *>(typedArrayData(env, argv[3], &rb));
  if (argc < 5 || !x || !out || !s || !rp || sb != rb || sb == 0) {
    napi_throw_type_error(env, nullptr, "r2u native tile: expected (x, out, shape, reps, elementBytes)");
    return nullptr;
  }
  NAPI_CALL(env, napi_get_value_int32(env, argv[4], &elem));
  std::vector<int32_t> shape(s, s + sb / 4), reps(rp, rp + rb / 4);
  for (size_t d = 0; d < shape.size(); d++)
    if (shape[d] == 0 || reps[d] == 0) return nullptr;  // an empty output
  tileLevel(x, out, shape, reps, 0, static_cast<size_t>(elem));
  return nullptr;
}

// The memory-bound kernels below are plain loops that the compiler
// vectorises (AVX2/AVX-512 with -march flags from binding.gyp); TF.js's wasm
// versions of these shapes transpose (Sum/Mean over leading axes) or walk
// broadcast indices per element (binary ops), which made batch norm's
// backward pass the larger half of a training step.

/** f32 view of a typed-array argument, or null */
float *f32(napi_env env, napi_value v) { return static_cast<float *>(typedArrayData(env, v, nullptr)); }

int32_t int32Arg(napi_env env, napi_value v) {
  int32_t out = 0;
  napi_get_value_int32(env, v, &out);
  return out;
}

/** f32 view of an argument that may be null or undefined (then null) */
const float *optionalF32(napi_env env, napi_value v) { return isNullish(env, v) ? nullptr : f32(env, v); }

bool boolArg(napi_env env, napi_value v) {
  bool out = false;
  napi_get_value_bool(env, v, &out);
  return out;
}

int64_t int64Arg(napi_env env, napi_value v) {
  int64_t out = 0;
  napi_get_value_int64(env, v, &out);
  return out;
}

double doubleArg(napi_env env, napi_value v) {
  double out = 0;
  napi_get_value_double(env, v, &out);
  return out;
}

/** reduceRows(x, out, rows, cols, scale): out[j] = scale * sum_i x[i, j] (Sum/Mean over all axes but the last ones) */
napi_value ReduceRows(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 5);
  const float *x = f32(env, argv[0]);
  float *out = f32(env, argv[1]);
  if (argc < 5 || !x || !out) {
    napi_throw_type_error(env, nullptr, "r2u native reduceRows: expected (x, out, rows, cols, scale)");
    return nullptr;
  }
  const int64_t rows = int32Arg(env, argv[2]), cols = int32Arg(env, argv[3]);
  const float scale = static_cast<float>(doubleArg(env, argv[4]));
  // blocks of rows summed into a local accumulator, then added: less rounding drift than one long running sum
  std::vector<float> acc(cols, 0.f), block(cols);
  const int64_t step = 256;
  for (int64_t r0 = 0; r0 < rows; r0 += step) {
    std::fill(block.begin(), block.end(), 0.f);
    const int64_t r1 = std::min(rows, r0 + step);
    for (int64_t i = r0; i < r1; i++) {
      const float *row = x + i * cols;
      for (int64_t j = 0; j < cols; j++) block[j] += row[j];
    }
    for (int64_t j = 0; j < cols; j++) acc[j] += block[j];
  }
  for (int64_t j = 0; j < cols; j++) out[j] = acc[j] * scale;
  return nullptr;
}

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
/** how b (or a) broadcasts: same size, repeated along rows (one value per column), or one value */
enum Broadcast { kSame = 0, kRowB = 1, kRowA = 2, kScalarB = 3, kScalarA = 4 };

template <int Op>
inline float apply(float a, float b) {
  if constexpr (Op == kAdd) return a + b;
  if constexpr (Op == kSub) return a - b;
  if constexpr (Op == kMul) return a * b;
  return a / b;
}

template <int Op>
void binaryLoop(const float *a, const float *b, float *out, int64_t n, int64_t cols, int mode) {
  switch (mode) {
    case kSame:
      for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], b[i]);
      break;
    case kRowB:
      for (int64_t r = 0; r < n; r += cols)
        for (int64_t j = 0; j < cols; j++) out[r + j] = apply<Op>(a[r + j], b[j]);
      break;
    case kRowA:
      for (int64_t r = 0; r < n; r += cols)
        for (int64_t j = 0; j < cols; j++) out[r + j] = apply<Op>(a[j], b[r + j]);
      break;
    case kScalarB: {
      const float v = b[0];
      for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], v);
      break;
    }
    case kScalarA: {
      const float v = a[0];
      for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(v, b[i]);
      break;
    }
  }
}

/** binary(op, a, b, out, n, cols, broadcast): out = a op b over n output values */
napi_value Binary(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 7);
  const float *a = f32(env, argv[1]), *b = f32(env, argv[2]);
  float *out = f32(env, argv[3]);
  if (argc < 7 || !a || !b || !out) {
    napi_throw_type_error(env, nullptr, "r2u native binary: expected (op, a, b, out, n, cols, broadcast)");
    return nullptr;
  }
  const int op = int32Arg(env, argv[0]), mode = int32Arg(env, argv[6]);
  const int64_t n = int32Arg(env, argv[4]), cols = std::max(1, int32Arg(env, argv[5]));
  switch (op) {
    case kAdd: binaryLoop<kAdd>(a, b, out, n, cols, mode); break;
    case kSub: binaryLoop<kSub>(a, b, out, n, cols, mode); break;
    case kMul: binaryLoop<kMul>(a, b, out, n, cols, mode); break;
    default: binaryLoop<kDiv>(a, b, out, n, cols, mode); break;
  }
  return nullptr;
}

/** out[i, j] = x[i, j] * mul[j] + add[j] (one rounding: std::fma), then max(0, .) with relu */
void affineRows(const float *x, float *out, int64_t rows, int64_t cols, const float *mul, const float *add, bool relu = false) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < rows; i++) {
    const float *xr = x + i * cols;
    float *o = out + i * cols;
    if (relu)
      for (int64_t j = 0; j < cols; j++) o[j] = std::max(0.f, std::fma(xr[j], mul[j], add[j]));
    else
      for (int64_t j = 0; j < cols; j++) o[j] = std::fma(xr[j], mul[j], add[j]);
  }
}

/**
 * batchNorm(x, out, rows, cols, mean, variance, offset | null, scale | null, epsilon):
 * out = (x - mean) / sqrt(variance + epsilon) * scale + offset, one value per channel (the last axis)
 */
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 9);
  const float *x = f32(env, argv[0]), *mean = f32(env, argv[4]), *var = f32(env, argv[5]);
  float *out = f32(env, argv[1]);
  if (argc < 9 || !x || !out || !mean || !var) {
    napi_throw_type_error(env, nullptr, "r2u native batchNorm: expected (x, out, rows, cols, mean, variance, offset, scale, epsilon)");
    return nullptr;
  }
  const float *offset = optionalF32(env, argv[6]);
  const float *scale = optionalF32(env, argv[7]);
  const int64_t rows = int32Arg(env, argv[2]), cols = int32Arg(env, argv[3]);
  const float eps = static_cast<float>(doubleArg(env, argv[8]));
  std::vector<float> mul(cols), add(cols);
  for (int64_t j = 0; j < cols; j++) {
    mul[j] = (scale ? scale[j] : 1.f) / std::sqrt(var[j] + eps);
    add[j] = (offset ? offset[j] : 0.f) - mean[j] * mul[j];
  }
  affineRows(x, out, rows, cols, mul.data(), add.data());
  return nullptr;
}

// Batch norm in training, one pass each way where TF.js runs moments +
// batchNorm and their gradients as ~30 broadcasting elementwise kernels per
// layer. Hand-written rather than oneDNN's batch_normalization primitive:
// these are two or three streaming passes over NHWC rows that -march=native
// vectorises, they need the statistics TF.js's layer keeps (biased variance)
// and a summation order that does not depend on the thread count (same seed,
// same weights), which the loops below fix: each block of rows is summed in
// float, the blocks in order in double.
constexpr int64_t kBlockRows = 256;

/**
 * Per-column sums of f(i, j) over blocks of rows, added in block order in double.
 * f is called as f(row, sumsA, sumsB) for a block's rows and accumulates into two float vectors.
 */
template <typename RowFn>
void blockedColumnSums(int64_t rows, int64_t cols, RowFn rowFn, std::vector<double> &a, std::vector<double> &b) {
  const int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  std::vector<float> partA(blocks * cols, 0.f), partB(blocks * cols, 0.f);
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < blocks; k++) {
    float *sa = partA.data() + k * cols, *sb = partB.data() + k * cols;
    const int64_t r1 = std::min(rows, (k + 1) * kBlockRows);
    for (int64_t i = k * kBlockRows; i < r1; i++) rowFn(i, sa, sb);
  }
  a.assign(cols, 0.0);
  b.assign(cols, 0.0);
  for (int64_t k = 0; k < blocks; k++)
    for (int64_t j = 0; j < cols; j++) {
      a[j] += partA[k * cols + j];
      b[j] += partB[k * cols + j];
    }
}

/**
 * Batch norm as the map x * mul + add per channel, from the batch's statistics as
 * float32 (as stored between the passes): the forward and backward passes compute it
 * alike, so the backward pass finds the forward pass's ReLU mask again bit for bit
 * without keeping it.
 */
void batchNormAffine(int64_t cols, const float *scale, const float *offset, const float *mean, const float *var, double eps, float *mul,
                     float *add) {
  for (int64_t j = 0; j < cols; j++) {
    mul[j] = static_cast<float>((scale ? scale[j] : 1.0) / std::sqrt(static_cast<double>(var[j]) + eps));
    add[j] = static_cast<float>((offset ? offset[j] : 0.0) - static_cast<double>(mean[j]) * mul[j]);
  }
}

/**
 * batchNormTrain(x, y, rows, cols, scale | null, offset | null, epsilon, mean, variance, relu):
 * mean and (biased) variance of each column of x, and y = (x - mean) / sqrt(variance + epsilon) * scale + offset,
 * or max(0, that) with relu (a ReLU that follows the normalisation, fused).
 */
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 10);
  const float *x = f32(env, argv[0]);
  float *y = f32(env, argv[1]), *meanOut = f32(env, argv[7]), *varOut = f32(env, argv[8]);
  if (argc < 10 || !x || !y || !meanOut || !varOut) {
    napi_throw_type_error(env, nullptr, "r2u native batchNormTrain: expected (x, y, rows, cols, scale, offset, epsilon, mean, variance, relu)");
    return nullptr;
  }
  const int64_t rows = int32Arg(env, argv[2]), cols = int32Arg(env, argv[3]);
  const float *scale = optionalF32(env, argv[4]);
  const float *offset = optionalF32(env, argv[5]);
  const double eps = doubleArg(env, argv[6]);
  const bool relu = boolArg(env, argv[9]);
  // sums of x - pivot (the first row) keep E[d^2] - E[d]^2 accurate when the mean is large against the spread
  std::vector<float> pivot(x, x + cols);
  std::vector<double> s, q;
  blockedColumnSums(
      rows, cols,
      [&](int64_t i, float *sa, float *sb) {
        const float *xr = x + i * cols;
        for (int64_t j = 0; j < cols; j++) {
          const float d = xr[j] - pivot[j];
          sa[j] += d;
          sb[j] += d * d;
        }
      },
      s, q);
  for (int64_t j = 0; j < cols; j++) {
    const double m = s[j] / rows;
    meanOut[j] = static_cast<float>(pivot[j] + m);
    varOut[j] = static_cast<float>(std::max(0.0, q[j] / rows - m * m));
  }
  std::vector<float> mul(cols), add(cols);
  batchNormAffine(cols, scale, offset, meanOut, varOut, eps, mul.data(), add.data());
  affineRows(x, y, rows, cols, mul.data(), add.data(), relu);
  return nullptr;
}

/** dy where a fused ReLU passed it (its output x * mul + add was > 0), else 0 */
template <bool Relu>
inline float passed(float g, float x, float mul, float add) {
  if constexpr (Relu) return std::fma(x, mul, add) > 0.f ? g : 0.f;
  return g;
}

template <bool Relu>
void batchNormBackward(const float *dy, const float *x, int64_t rows, int64_t cols, const float *scale, const float *mean, const float *var,
                       double eps, const float *mul, const float *add, float *dx, float *dscale, float *doffset) {
  std::vector<double> sumDy, sumDyXc;  // sum dy, sum dy * (x - mean)
  blockedColumnSums(
      rows, cols,
      [=](int64_t i, float *__restrict sa, float *__restrict sb) {
        const float *xr = x + i * cols, *g = dy + i * cols;
        for (int64_t j = 0; j < cols; j++) {
          const float gj = passed<Relu>(g[j], xr[j], mul[j], add[j]);
          sa[j] += gj;
          sb[j] += gj * (xr[j] - mean[j]);
        }
      },
      sumDy, sumDyXc);
  // dx = scale * inv * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mean) * inv: one pass a*dy + b*x + c
  std::vector<float> a(cols), b(cols), c(cols);
  for (int64_t j = 0; j < cols; j++) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(var[j]) + eps);
    const double gamma = scale ? scale[j] : 1.0;
    doffset[j] = static_cast<float>(sumDy[j]);
    dscale[j] = static_cast<float>(sumDyXc[j] * inv);
    const double aj = gamma * inv, bj = -gamma * inv * inv * inv * sumDyXc[j] / rows;
    a[j] = static_cast<float>(aj);
    b[j] = static_cast<float>(bj);
    c[j] = static_cast<float>(-aj * sumDy[j] / rows - bj * mean[j]);
  }
  const float *pa = a.data(), *pb = b.data(), *pc = c.data();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < rows; i++) {
    const float *xr = x + i * cols, *g = dy + i * cols;
    float *__restrict o = dx + i * cols;
    for (int64_t j = 0; j < cols; j++) o[j] = pa[j] * passed<Relu>(g[j], xr[j], mul[j], add[j]) + pb[j] * xr[j] + pc[j];
  }
}

/**
 * batchNormTrainGrad(dy, x, rows, cols, scale | null, mean, variance, epsilon, dx, dscale, doffset, offset | null, relu):
 * the gradients of batchNormTrain's y with respect to x, scale and offset, the statistics
 * being those of this batch (so dx includes their dependence on x); with relu, dy is
 * taken as 0 where the forward pass's output was (offset is then needed to find where).
 */
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 13);
  const float *dy = f32(env, argv[0]), *x = f32(env, argv[1]), *mean = f32(env, argv[5]), *var = f32(env, argv[6]);
  float *dx = f32(env, argv[8]), *dscale = f32(env, argv[9]), *doffset = f32(env, argv[10]);
  if (argc < 13 || !dy || !x || !mean || !var || !dx || !dscale || !doffset) {
    napi_throw_type_error(
        env, nullptr,
        "r2u native batchNormTrainGrad: expected (dy, x, rows, cols, scale, mean, variance, epsilon, dx, dscale, doffset, offset, relu)");
    return nullptr;
  }
  const int64_t rows = int32Arg(env, argv[2]), cols = int32Arg(env, argv[3]);
  const float *scale = optionalF32(env, argv[4]);
  const float *offset = optionalF32(env, argv[11]);
  const double eps = doubleArg(env, argv[7]);
  const bool relu = boolArg(env, argv[12]);
  std::vector<float> mul(cols), add(cols);
  batchNormAffine(cols, scale, offset, mean, var, eps, mul.data(), add.data());
  if (relu)
    batchNormBackward<true>(dy, x, rows, cols, scale, mean, var, eps, mul.data(), add.data(), dx, dscale, doffset);
  else
    batchNormBackward<false>(dy, x, rows, cols, scale, mean, var, eps, mul.data(), add.data(), dx, dscale, doffset);
  return nullptr;
}

/**
 * copyRows(src, dst, rows, rowBytes, srcStride, dstStride): row i of rowBytes bytes from
 * src + i * srcStride to dst + i * dstStride. Concat and SplitV along an inner axis are
 * this copy once per input or output; TF.js's wasm versions copy row by row from JS
 * (Concat) or slice element by element (SplitV).
 */
napi_value CopyRows(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 6);
  const auto *src = static_cast<const char *>(typedArrayData(env, argv[0], nullptr));
  auto *dst = static_cast<char *>(typedArrayData(env, argv[1], nullptr));
  if (argc < 6 || !src || !dst) {
    napi_throw_type_error(env, nullptr, "r2u native copyRows: expected (src, dst, rows, rowBytes, srcStride, dstStride)");
    return nullptr;
  }
  const int64_t rows = int64Arg(env, argv[2]), rowBytes = int64Arg(env, argv[3]);
  const int64_t srcStride = int64Arg(env, argv[4]), dstStride = int64Arg(env, argv[5]);
  if (srcStride == rowBytes && dstStride == rowBytes) {
    std::memcpy(dst, src, rows * rowBytes);
    return nullptr;
  }
  for (int64_t i = 0; i < rows; i++) std::memcpy(dst + i * dstStride, src + i * srcStride, rowBytes);
  return nullptr;
}

/**
 * maxPoolGrad(dy, x, dx, geometry: Int32Array(17), conv's geometry of the pooling window):
 * each output's dy goes to the first largest input of its window (TF.js's rule), NHWC.
 * TF.js's wasm MaxPoolGrad walks one channel at a time with strided loads (tens of ms
 * per layer here); this one keeps a window's running maxima for all channels at once,
 * so the inner loop is a vector one.
 */
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  NAPI_ARGS(env, info, 4);
  const float *dy = f32(env, argv[0]), *x = f32(env, argv[1]);
  float *dx = f32(env, argv[2]);
  size_t gbytes = 0;
  auto *gi = static_cast<int32_t *>(typedArrayData(env, argv[3], &gbytes));
  if (argc < 4 || !dy || !x || !dx || !gi || gbytes != sizeof(Geometry)) {
    napi_throw_type_error(env, nullptr, "r2u native maxPoolGrad: expected (dy, x, dx, geometry: Int32Array of 17)");
    return nullptr;
  }
  Geometry geo;
  std::memcpy(&geo, gi, sizeof geo);
  const int64_t n = geo.n, ih = geo.ih, iw = geo.iw, c = geo.ci, kh = geo.kh, kw = geo.kw, oh = geo.oh, ow = geo.ow, sh = geo.sh,
                sw = geo.sw, pt = geo.pt, pl = geo.pl;
  std::memset(dx, 0, static_cast<size_t>(n * ih * iw * c) * sizeof(float));
  std::vector<float> best(c);
  std::vector<int64_t> where(c);
  for (int64_t b = 0; b < n; b++)
    for (int64_t yr = 0; yr < oh; yr++)
      for (int64_t yc = 0; yc < ow; yc++) {
        std::fill(best.begin(), best.end(), -INFINITY);
        std::fill(where.begin(), where.end(), -1);
        const int64_t r0 = std::max<int64_t>(0, yr * sh - pt), r1 = std::min(ih, yr * sh - pt + kh);
        const int64_t c0 = std::max<int64_t>(0, yc * sw - pl), c1 = std::min(iw, yc * sw - pl + kw);
        for (int64_t xr = r0; xr < r1; xr++)
          for (int64_t xc = c0; xc < c1; xc++) {
            const int64_t at = ((b * ih + xr) * iw + xc) * c;
            const float *p = x + at;
            for (int64_t d = 0; d < c; d++)
              if (p[d] > best[d]) {
                best[d] = p[d];
                where[d] = at + d;
              }
          }
        const float *g0 = dy + ((b * oh + yr) * ow + yc) * c;
        for (int64_t d = 0; d < c; d++)
          if (where[d] >= 0) dx[where[d]] += g0[d];
      }
  return nullptr;
}

/** setThreads(n): oneDNN's OpenMP threads for convolutions called from this thread */
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  NAPI_CALL(env, napi_get_value_int32(env, argv[0], &n));
  omp_set_num_threads(n < 1 ? 1 : n);
  napi_value out;
  NAPI_CALL(env, napi_create_int32(env, omp_get_max_threads(), &out));
  return out;
}

const char *isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "SSE4.1";
    case dnnl::cpu_isa::avx: return "AVX";
    case dnnl::cpu_isa::avx2: return "AVX2";
    case dnnl::cpu_isa::avx512_core: return "AVX-512";
    case dnnl::cpu_isa::avx512_core_vnni: return "AVX-512 VNNI";
    case dnnl::cpu_isa::avx512_core_bf16: return "AVX-512 BF16";
    case dnnl::cpu_isa::avx512_core_amx: return "AVX-512 AMX";
    default: return "generic";
  }
}

/** the functions this build exports; src/runtime/native/addon.ts refuses a build with another */
constexpr int kApiVersion = 6;  // 6: strided 1x1 convolutions reduced to unit stride here

/** info(): { api, library, version, isa, threads } */
napi_value Info(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  std::string version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out, api, lib, ver, isa, threads;
  NAPI_CALL(env, napi_create_object(env, &out));
  NAPI_CALL(env, napi_create_int32(env, kApiVersion, &api));
  NAPI_CALL(env, napi_set_named_property(env, out, "api", api));
  NAPI_CALL(env, napi_create_string_utf8(env, "oneDNN", NAPI_AUTO_LENGTH, &lib));
  NAPI_CALL(env, napi_create_string_utf8(env, version.c_str(), NAPI_AUTO_LENGTH, &ver));
  NAPI_CALL(env, napi_create_string_utf8(env, isaName(dnnl::get_effective_cpu_isa()), NAPI_AUTO_LENGTH, &isa));
  NAPI_CALL(env, napi_create_int32(env, omp_get_max_threads(), &threads));
  NAPI_CALL(env, napi_set_named_property(env, out, "library", lib));
  NAPI_CALL(env, napi_set_named_property(env, out, "version", ver));
  NAPI_CALL(env, napi_set_named_property(env, out, "isa", isa));
  NAPI_CALL(env, napi_set_named_property(env, out, "threads", threads));
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
#if defined(__GLIBC__)
  // glibc gives each thread that allocates its own arena (up to 8 per core), and oneDNN's
  // per-call scratchpads leave each one fragmented: with the data-parallel workers that cost
  // ~70 MiB of peak RSS in training, and two arenas cost no measurable speed
  mallopt(M_ARENA_MAX, 2);
#endif
  napi_property_descriptor props[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceRows", nullptr, ReduceRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copyRows", nullptr, CopyRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
