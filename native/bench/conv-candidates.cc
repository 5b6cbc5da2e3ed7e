// Microbenchmark of the convolution libraries considered for r2u's native
// kernels, on the seed R2U-Net's real shapes (batch 32, 3x3, stride 1, same
// padding, NHWC): oneDNN (nhwc activations; weights in the library's own
// blocked layout or plain hwio) and OpenBLAS sgemm over im2col. Forward,
// input gradient and filter gradient, GFLOP/s (2*N*H*W*Ci*Co*9 per pass).
//
//   g++ -O3 -march=native -fopenmp native/bench/conv-candidates.cc -ldnnl -lopenblas -o /tmp/conv-candidates
//   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /tmp/conv-candidates
#include <cblas.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static double best_ms(const std::function<void()> &f, int reps = 7) {
  f();
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (ms < best) best = ms;
  }
  return best;
}

struct Shape { int n, h, w, c; };

static void onednn(const Shape &s, bool anyWeights, double gflop) {
  engine eng(engine::kind::cpu, 0);
  stream st(eng);
  memory::dims src{s.n, s.c, s.h, s.w}, wei{s.c, s.c, 3, 3}, dst{s.n, s.c, s.h, s.w};
  memory::dims strides{1, 1}, pad{1, 1};
  auto src_md = memory::desc(src, dt::f32, tag::nhwc);
  auto dst_md = memory::desc(dst, dt::f32, tag::nhwc);
  auto wei_md = memory::desc(wei, dt::f32, anyWeights ? tag::any : tag::hwio);
  auto fd = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src_md, wei_md, dst_md, strides, pad, pad);
  auto fpd = convolution_forward::primitive_desc(fd, eng);
  auto bdd = convolution_backward_data::desc(algorithm::convolution_direct, src_md, wei_md, dst_md, strides, pad, pad);
  auto bdpd = convolution_backward_data::primitive_desc(bdd, eng, fpd);
  auto bwd = convolution_backward_weights::desc(algorithm::convolution_direct, src_md, wei_md, dst_md, strides, pad, pad);
  auto bwpd = convolution_backward_weights::primitive_desc(bwd, eng, fpd);
  memory x(src_md, eng), y(dst_md, eng), dx(src_md, eng), dy(dst_md, eng);
  memory w(fpd.weights_desc(), eng), wd(bdpd.weights_desc(), eng), dw(bwpd.diff_weights_desc(), eng);
  for (auto *m : {&x, &dy}) {
    float *p = (float *)m->get_data_handle();
    for (size_t i = 0; i < m->get_desc().get_size() / 4; i++) p[i] = (i % 17) * 0.01f;
  }
  auto fwd = convolution_forward(fpd);
  auto bd = convolution_backward_data(bdpd);
  auto bw = convolution_backward_weights(bwpd);
  double f = best_ms([&] { fwd.execute(st, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}}); st.wait(); });
  double d = best_ms([&] { bd.execute(st, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, wd}, {DNNL_ARG_DIFF_SRC, dx}}); st.wait(); });
  double g = best_ms([&] { bw.execute(st, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dw}}); st.wait(); });
  std::printf("oneDNN %-5s %2dx%2dx%3d  fwd %6.1f  dgrad %6.1f  wgrad %6.1f   [%s | %s | %s]\n", anyWeights ? "any" : "hwio", s.h, s.w, s.c,
              gflop / f, gflop / d, gflop / g, fpd.impl_info_str(), bdpd.impl_info_str(), bwpd.impl_info_str());
}

// im2col for NHWC, 3x3 same: col[(n,y,x), (a,b,ci)]
static void im2col(const float *x, float *col, const Shape &s) {
#pragma omp parallel for
  for (int n = 0; n < s.n; n++)
    for (int yy = 0; yy < s.h; yy++)
      for (int xx = 0; xx < s.w; xx++) {
        float *row = col + (((size_t)n * s.h + yy) * s.w + xx) * 9 * s.c;
        for (int a = 0; a < 3; a++)
          for (int b = 0; b < 3; b++) {
            int iy = yy + a - 1, ix = xx + b - 1;
            float *dst = row + (a * 3 + b) * s.c;
            if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) std::memset(dst, 0, s.c * 4);
            else std::memcpy(dst, x + (((size_t)n * s.h + iy) * s.w + ix) * s.c, s.c * 4);
          }
      }
}
static void col2im(const float *col, float *x, const Shape &s) {
#pragma omp parallel for
  for (int n = 0; n < s.n; n++) {
    std::memset(x + (size_t)n * s.h * s.w * s.c, 0, (size_t)s.h * s.w * s.c * 4);
    for (int yy = 0; yy < s.h; yy++)
      for (int xx = 0; xx < s.w; xx++) {
        const float *row = col + (((size_t)n * s.h + yy) * s.w + xx) * 9 * s.c;
        for (int a = 0; a < 3; a++)
          for (int b = 0; b < 3; b++) {
            int iy = yy + a - 1, ix = xx + b - 1;
            if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
            float *dst = x + (((size_t)n * s.h + iy) * s.w + ix) * s.c;
            const float *src = row + (a * 3 + b) * s.c;
            for (int c = 0; c < s.c; c++) dst[c] += src[c];
          }
      }
  }
}

static void openblas(const Shape &s, double gflop) {
  size_t m = (size_t)s.n * s.h * s.w, k = 9 * s.c, nc = s.c;
  std::vector<float> x(m * s.c, 0.5f), col(m * k), w(k * nc, 0.1f), y(m * nc), dy(m * nc, 0.2f), dx(m * s.c), dw(k * nc);
  double f = best_ms([&] {
    im2col(x.data(), col.data(), s);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nc, k, 1, col.data(), k, w.data(), nc, 0, y.data(), nc);
  });
  double d = best_ms([&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, nc, 1, dy.data(), nc, w.data(), nc, 0, col.data(), k);
    col2im(col.data(), dx.data(), s);
  });
  double g = best_ms([&] {
    im2col(x.data(), col.data(), s);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, nc, m, 1, col.data(), k, dy.data(), nc, 0, dw.data(), nc);
  });
  std::printf("OpenBLAS im2col %2dx%2dx%3d  fwd %6.1f  dgrad %6.1f  wgrad %6.1f\n", s.h, s.w, s.c, gflop / f, gflop / d, gflop / g);
}

int main() {
  std::printf("threads: omp %d, openblas %d\n", omp_get_max_threads(), openblas_get_num_threads());
  Shape shapes[] = {{32, 48, 48, 16}, {32, 24, 24, 32}, {32, 12, 12, 64}, {32, 6, 6, 128}};
  for (auto &s : shapes) {
    double gflop = 2.0 * s.n * s.h * s.w * s.c * s.c * 9 / 1e6;  // per ms -> GFLOP/s
    onednn(s, true, gflop);
    onednn(s, false, gflop);
    openblas(s, gflop);
  }
}
