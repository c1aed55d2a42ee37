// 2-D max and average pooling, channels-last, and their gradients (native/cpu/pool.cc's
// semantics: max records the winning window cell i·poolW + j, first on ties, NaN wins; avg
// divides by the cells inside the input). Named pooling.cu because pool.cu is the memory pool.
//
// One thread per output element forward; the backward is a gather, one thread per dx element
// over the windows that contain it (no atomics, so every run sums in the same order).
#include <algorithm>

#include "kernels.h"

namespace tsdl::cuda {
namespace {

__host__ __device__ inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
__host__ __device__ inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

struct PGeo {
  int64_t inH, inW, C, outH, outW, ph, pw, sh, sw, pt, pl;
};
PGeo geoOf(const Pool2dArgs& a) {
  return {a.inH, a.inW, a.channels, a.outH, a.outW, a.poolH, a.poolW, a.strideH, a.strideW, a.padTop, a.padLeft};
}

__global__ void poolKernel(PoolOp op, const float* x, float* y, int32_t* arg, PGeo g, int64_t n) {
  TSDL_GRID_STRIDE(e, n) {
    int64_t c = e % g.C, t = e / g.C;
    int64_t ox = t % g.outW;
    t /= g.outW;
    int64_t oy = t % g.outH, b = t / g.outH;
    int64_t top = oy * g.sh - g.pt, left = ox * g.sw - g.pl;
    int64_t y0 = imax(int64_t(0), top), y1 = imin(g.inH, top + g.ph);
    int64_t x0 = imax(int64_t(0), left), x1 = imin(g.inW, left + g.pw);
    const float* img = x + b * g.inH * g.inW * g.C + c;
    if (op == PoolOp::Max) {
      float best = 0.f;
      int32_t idx = -1;
      for (int64_t iy = y0; iy < y1; ++iy)
        for (int64_t ix = x0; ix < x1; ++ix) {
          float v = img[(iy * g.inW + ix) * g.C];
          if (idx < 0 || v > best || (v != v && best == best)) {
            best = v;
            idx = int32_t((iy - top) * g.pw + (ix - left));
          }
        }
      y[e] = best;
      if (arg) arg[e] = idx;
    } else {
      float s = 0.f;
      for (int64_t iy = y0; iy < y1; ++iy)
        for (int64_t ix = x0; ix < x1; ++ix) s += img[(iy * g.inW + ix) * g.C];
      int64_t count = imax(int64_t(0), y1 - y0) * imax(int64_t(0), x1 - x0);
      y[e] = count > 0 ? s * (1.f / float(count)) : 0.f;
    }
  }
}

// Output windows containing input row iy: oy·sh − pt ≤ iy < oy·sh − pt + ph.
__device__ inline void coveringRange(int64_t i, int64_t pad, int64_t p, int64_t s, int64_t outN, int64_t* lo, int64_t* hi) {
  int64_t a = i + pad - p + 1;  // oy·s ≥ a
  *lo = a <= 0 ? 0 : (a + s - 1) / s;
  *hi = imin(outN - 1, (i + pad) / s);  // oy·s ≤ i + pad
}

__global__ void poolGradKernel(PoolOp op, const float* dy, const int32_t* arg, float* dx, PGeo g, int64_t n) {
  TSDL_GRID_STRIDE(e, n) {
    int64_t c = e % g.C, t = e / g.C;
    int64_t ix = t % g.inW;
    t /= g.inW;
    int64_t iy = t % g.inH, b = t / g.inH;
    int64_t oy0, oy1, ox0, ox1;
    coveringRange(iy, g.pt, g.ph, g.sh, g.outH, &oy0, &oy1);
    coveringRange(ix, g.pl, g.pw, g.sw, g.outW, &ox0, &ox1);
    float s = 0.f;
    for (int64_t oy = oy0; oy <= oy1; ++oy)
      for (int64_t ox = ox0; ox <= ox1; ++ox) {
        int64_t o = ((b * g.outH + oy) * g.outW + ox) * g.C + c;
        int64_t top = oy * g.sh - g.pt, left = ox * g.sw - g.pl;
        if (op == PoolOp::Max) {
          if (arg[o] == int32_t((iy - top) * g.pw + (ix - left))) s += dy[o];
        } else {
          int64_t y0 = imax(int64_t(0), top), y1 = imin(g.inH, top + g.ph);
          int64_t x0 = imax(int64_t(0), left), x1 = imin(g.inW, left + g.pw);
          s += dy[o] * (1.f / float((y1 - y0) * (x1 - x0)));
        }
      }
    dx[e] = s;
  }
}

}  // namespace

void pool2d(const Ctx& c, PoolOp op, const float* x, float* y, int32_t* argmax, const Pool2dArgs& a) {
  int64_t n = a.batch * a.outH * a.outW * a.channels;
  if (n == 0) return;
  poolKernel<<<gridFor(n), kThreads, 0, c.stream>>>(op, x, y, argmax, geoOf(a), n);
  checkLaunch("pool2d");
}

void pool2dGrad(const Ctx& c, PoolOp op, const float* dy, const int32_t* argmax, float* dx, const Pool2dArgs& a) {
  int64_t n = a.batch * a.inH * a.inW * a.channels;
  if (n == 0) return;
  poolGradKernel<<<gridFor(n), kThreads, 0, c.stream>>>(op, dy, argmax, dx, geoOf(a), n);
  checkLaunch("pool2dGrad");
}

}  // namespace tsdl::cuda
