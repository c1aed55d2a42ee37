// 2-D convolution, channels-last, as GEMMs over the patch matrix (the same scheme as
// native/cpu/conv.cc, whose header explains it): im2col into a patch workspace, then this
// backend's own GEMM (gemm.cu / gemm_tensorcore.cu, so the precision setting applies):
//   forward       Y  = P · W  (+ bias, activation in the GEMM's epilogue)
//   input grad    dP = dY · Wᵀ, then col2im as a gather: each dx element sums the dP entries
//                 that read it (one thread each: no atomics, the same order every run)
//   kernel grad   dW = Σ Pᵀ · dY, the chunks summed by the GEMM's beta = 1
// Rows go in chunks so the patch workspace stays under kPatchBytes. The patch workspace is its
// own (Ctx::patches), apart from the GEMM's split-K workspace, which the GEMM may use meanwhile.
#include <algorithm>

#include "kernels.h"
#include "pool.h"

namespace tsdl::cuda {
namespace {

constexpr int64_t kPatchBytes = int64_t(64) << 20;

struct Geo {
  int64_t inH, inW, inC, outH, outW, kh, kw, sh, sw, dh, dw, pt, pl;
};
Geo geoOf(const Conv2dArgs& a) {
  return {a.inH, a.inW, a.inC, a.outH, a.outW, a.kh, a.kw, a.strideH, a.strideW, a.dilH, a.dilW, a.padTop, a.padLeft};
}

// P[e] for e in [0, rows·K): row r0 + e / K, tap (i, j, c) = e % K in the kernel's order.
__global__ void im2colKernel(const float* x, Geo g, int64_t r0, int64_t n, float* p) {
  const int64_t K = g.kh * g.kw * g.inC, ohw = g.outH * g.outW;
  TSDL_GRID_STRIDE(e, n) {
    int64_t r = r0 + e / K, k = e % K;
    int64_t b = r / ohw, rem = r % ohw, oy = rem / g.outW, ox = rem % g.outW;
    int64_t i = k / (g.kw * g.inC), j = (k / g.inC) % g.kw, c = k % g.inC;
    int64_t iy = oy * g.sh - g.pt + i * g.dh, ix = ox * g.sw - g.pl + j * g.dw;
    p[e] = (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) ? x[((b * g.inH + iy) * g.inW + ix) * g.inC + c] : 0.f;
  }
}

// dx for images [b0, b0 + n / (inH·inW·inC)) from dP of the rows of those images (dP's row 0
// is image b0's first output): each element sums the taps that read it.
__global__ void col2imKernel(const float* dp, Geo g, int64_t n, float* dx) {
  const int64_t K = g.kh * g.kw * g.inC, ohw = g.outH * g.outW;
  TSDL_GRID_STRIDE(e, n) {
    int64_t c = e % g.inC, t = e / g.inC;
    int64_t ix = t % g.inW;
    t /= g.inW;
    int64_t iy = t % g.inH, b = t / g.inH;
    float s = 0.f;
    for (int64_t i = 0; i < g.kh; ++i) {
      int64_t y = iy + g.pt - i * g.dh;  // = oy·sh
      if (y < 0 || y % g.sh != 0) continue;
      int64_t oy = y / g.sh;
      if (oy >= g.outH) continue;
      for (int64_t j = 0; j < g.kw; ++j) {
        int64_t xx = ix + g.pl - j * g.dw;
        if (xx < 0 || xx % g.sw != 0) continue;
        int64_t ox = xx / g.sw;
        if (ox >= g.outW) continue;
        s += dp[(b * ohw + oy * g.outW + ox) * K + (i * g.kw + j) * g.inC + c];
      }
    }
    dx[e] = s;
  }
}

float* patches(const Ctx& c, int64_t floats) {
  return static_cast<float*>(c.patches->get(size_t(floats) * sizeof(float)));
}

}  // namespace

void conv2d(const Ctx& c, const float* x, const float* w, float* y, const Conv2dArgs& a, Precision prec) {
  const int64_t rows = a.outRows(), K = a.patchSize(), N = a.outC;
  if (rows == 0 || N == 0) return;
  const int64_t cr = std::max<int64_t>(1, std::min(rows, kPatchBytes / int64_t(sizeof(float)) / K));
  float* p = patches(c, cr * K);
  for (int64_t r0 = 0; r0 < rows; r0 += cr) {
    int64_t m = std::min(cr, rows - r0);
    im2colKernel<<<gridFor(m * K), kThreads, 0, c.stream>>>(x, geoOf(a), r0, m * K, p);
    checkLaunch("conv2d (im2col)");
    MatmulArgs g;
    g.m = m;
    g.n = N;
    g.k = K;
    g.bias = a.bias;
    g.act = a.act;
    matmul(c, p, w, y + r0 * N, g, prec);
  }
}

void conv2dInputGrad(const Ctx& c, const float* dy, const float* w, float* dx, const Conv2dArgs& a, Precision prec) {
  const int64_t K = a.patchSize(), N = a.outC, ohw = a.outH * a.outW, inSize = a.inH * a.inW * a.inC;
  if (a.batch * inSize == 0) return;
  // Whole images per chunk, so each dx element's taps all lie in the chunk's dP.
  const int64_t per = std::max<int64_t>(1, kPatchBytes / int64_t(sizeof(float)) / std::max<int64_t>(1, ohw * K));
  float* p = patches(c, std::min(per, a.batch) * ohw * K);
  for (int64_t b0 = 0; b0 < a.batch; b0 += per) {
    int64_t nb = std::min(per, a.batch - b0);
    MatmulArgs g;
    g.m = nb * ohw;
    g.n = K;
    g.k = N;
    g.transB = true;
    matmul(c, dy + b0 * ohw * N, w, p, g, prec);
    col2imKernel<<<gridFor(nb * inSize), kThreads, 0, c.stream>>>(p, geoOf(a), nb * inSize, dx + b0 * inSize);
    checkLaunch("conv2dInputGrad (col2im)");
  }
}

void conv2dKernelGrad(const Ctx& c, const float* x, const float* dy, float* dw, const Conv2dArgs& a, Precision prec) {
  const int64_t rows = a.outRows(), K = a.patchSize(), N = a.outC;
  if (K * N == 0) return;
  if (rows == 0) {
    fill(c, dw, DType::Float32, 0.0, K * N);
    return;
  }
  const int64_t cr = std::max<int64_t>(1, std::min(rows, kPatchBytes / int64_t(sizeof(float)) / K));
  float* p = patches(c, cr * K);
  for (int64_t r0 = 0; r0 < rows; r0 += cr) {
    int64_t m = std::min(cr, rows - r0);
    im2colKernel<<<gridFor(m * K), kThreads, 0, c.stream>>>(x, geoOf(a), r0, m * K, p);
    checkLaunch("conv2dKernelGrad (im2col)");
    MatmulArgs g;
    g.m = K;
    g.n = N;
    g.k = m;
    g.transA = true;
    g.beta = r0 == 0 ? 0.f : 1.f;
    matmul(c, p, dy + r0 * N, dw, g, prec);
  }
}

}  // namespace tsdl::cuda
