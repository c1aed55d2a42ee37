// 2-D max and average pooling, channels-last, and their gradients.
//
// Every loop runs over the channels innermost: a window cell's C values are contiguous, so the
// compiler vectorizes the max/compare/select (and the sums) across channels. Max pooling
// records, per output value, which window cell won (i·poolW + j, the first one on ties, as
// TensorFlow's argmax), so the backward pass is a scatter of dy without re-reading x.
//
// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` (any x86-64) or `avx2`; the
// max loop is written without branches so both builds vectorize it (with a branch per element,
// random data mispredicted half the time: 6.8 ms for the book's first pooling layer, now ~0.2).
//
// Threads: the forward is cut by output rows (each writes only its own outputs); the backward
// adds into dx, and windows of neighbouring output rows can overlap (strides below the pool
// size), so it is cut by images, which never share an input cell.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "threadpool.h"

namespace tsdl::cpu::TSDL_ISA {
namespace {

// The window of output (oy, ox), clipped to the input: rows [y0, y1), columns [x0, x1).
struct Window {
  int64_t y0, y1, x0, x1, top, left;  // top/left: the unclipped window's first row/column
};
inline Window windowAt(const Pool2dArgs& a, int64_t oy, int64_t ox) {
  Window w;
  w.top = oy * a.strideH - a.padTop;
  w.left = ox * a.strideW - a.padLeft;
  w.y0 = std::max<int64_t>(0, w.top);
  w.y1 = std::min(a.inH, w.top + a.poolH);
  w.x0 = std::max<int64_t>(0, w.left);
  w.x1 = std::min(a.inW, w.left + a.poolW);
  return w;
}

// Channels go in blocks of kBlock through local accumulators: x and y are both float*, so
// accumulating in y itself would make the compiler assume every store may change x and give up
// on vectorizing (and keep reloading); locals stay in registers.
constexpr int64_t kBlock = 64;

void maxRow(const float* x, float* y, int32_t* arg, const Pool2dArgs& a, int64_t b, int64_t oy) {
  const int64_t C = a.channels;
  const float* img = x + b * a.inH * a.inW * C;
  for (int64_t ox = 0; ox < a.outW; ++ox) {
    Window w = windowAt(a, oy, ox);
    int64_t o = ((b * a.outH + oy) * a.outW + ox) * C;
    const bool empty = w.y0 >= w.y1 || w.x0 >= w.x1;  // a window wholly on padding (odd geometries only)
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t n = std::min(kBlock, C - c0);
      alignas(64) float best[kBlock];
      alignas(64) int32_t idx[kBlock];
      if (empty) {
        for (int64_t c = 0; c < n; ++c) { best[c] = 0.f; idx[c] = -1; }
      } else {
        const float* v0 = img + (w.y0 * a.inW + w.x0) * C + c0;
        int32_t cell0 = int32_t((w.y0 - w.top) * a.poolW + (w.x0 - w.left));
        for (int64_t c = 0; c < n; ++c) { best[c] = v0[c]; idx[c] = cell0; }
        for (int64_t iy = w.y0; iy < w.y1; ++iy)
          for (int64_t ix = iy == w.y0 ? w.x0 + 1 : w.x0; ix < w.x1; ++ix) {
            const float* v = img + (iy * a.inW + ix) * C + c0;
            int32_t cell = int32_t((iy - w.top) * a.poolW + (ix - w.left));
            // NaN wins and stays (v != v), so a NaN input shows in the output as TensorFlow's does.
            for (int64_t c = 0; c < n; ++c) {
              float vc = v[c], bc = best[c];
              bool take = (vc > bc) | ((vc != vc) & (bc == bc));
              best[c] = take ? vc : bc;
              idx[c] = take ? cell : idx[c];
            }
          }
      }
      std::memcpy(y + o + c0, best, size_t(n) * sizeof(float));
      if (arg) std::memcpy(arg + o + c0, idx, size_t(n) * sizeof(int32_t));
    }
  }
}

void avgRow(const float* x, float* y, const Pool2dArgs& a, int64_t b, int64_t oy) {
  const int64_t C = a.channels;
  const float* img = x + b * a.inH * a.inW * C;
  for (int64_t ox = 0; ox < a.outW; ++ox) {
    Window w = windowAt(a, oy, ox);
    int64_t count = std::max<int64_t>(0, w.y1 - w.y0) * std::max<int64_t>(0, w.x1 - w.x0);
    float inv = count > 0 ? 1.f / float(count) : 0.f;
    float* out = y + ((b * a.outH + oy) * a.outW + ox) * C;
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t n = std::min(kBlock, C - c0);
      alignas(64) float sum[kBlock] = {};
      for (int64_t iy = w.y0; iy < w.y1; ++iy)
        for (int64_t ix = w.x0; ix < w.x1; ++ix) {
          const float* v = img + (iy * a.inW + ix) * C + c0;
          for (int64_t c = 0; c < n; ++c) sum[c] += v[c];
        }
      for (int64_t c = 0; c < n; ++c) out[c0 + c] = sum[c] * inv;
    }
  }
}

}  // namespace

void pool2d(PoolOp op, const float* x, float* y, int32_t* argmax, const Pool2dArgs& a) {
  const int64_t rows = a.batch * a.outH;
  if (rows * a.outW * a.channels == 0) return;
  int64_t perRow = std::max<int64_t>(1, a.outW * a.channels * a.poolH * a.poolW);
  parallelRange(rows, std::max<int64_t>(1, kParallelGrain / perRow), [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t b = r / a.outH, oy = r % a.outH;
      if (op == PoolOp::Max) maxRow(x, y, argmax, a, b, oy);
      else avgRow(x, y, a, b, oy);
    }
  });
}

void pool2dGrad(PoolOp op, const float* dy, const int32_t* argmax, float* dx, const Pool2dArgs& a) {
  const int64_t C = a.channels, inSize = a.inH * a.inW * C;
  if (a.batch * inSize == 0) return;
  int64_t perImage = std::max<int64_t>(1, std::max(inSize, a.outH * a.outW * C * (op == PoolOp::Avg ? a.poolH * a.poolW : 1)));
  const bool tiles = a.strideH >= a.poolH && a.strideW >= a.poolW;
  const bool covers = tiles && a.strideH == a.poolH && a.strideW == a.poolW && a.padTop == 0 && a.padLeft == 0 &&
                      a.outH * a.poolH == a.inH && a.outW * a.poolW == a.inW;
  parallelRange(a.batch, std::max<int64_t>(1, kParallelGrain / perImage), [&](int64_t b0, int64_t b1, int) {
    for (int64_t b = b0; b < b1; ++b) {
      float* img = dx + b * inSize;
      if (op == PoolOp::Max && tiles) {
        // Windows that never overlap (stride ≥ pool, the usual MaxPooling2D(2)): each input
        // cell belongs to at most one window, so every cell is written once, dy or 0, with a
        // vectorized compare-select instead of a scatter; only cells outside every window
        // (a "valid" remainder, gaps) need the zeroing first.
        if (!covers) std::memset(img, 0, size_t(inSize) * sizeof(float));
        for (int64_t oy = 0; oy < a.outH; ++oy)
          for (int64_t ox = 0; ox < a.outW; ++ox) {
            Window w = windowAt(a, oy, ox);
            int64_t o = ((b * a.outH + oy) * a.outW + ox) * C;
            const float* g = dy + o;
            const int32_t* idx = argmax + o;
            for (int64_t iy = w.y0; iy < w.y1; ++iy)
              for (int64_t ix = w.x0; ix < w.x1; ++ix) {
                const int32_t cell = int32_t((iy - w.top) * a.poolW + (ix - w.left));
                float* d = img + (iy * a.inW + ix) * C;
                for (int64_t c = 0; c < C; ++c) d[c] = idx[c] == cell ? g[c] : 0.f;
              }
          }
        continue;
      }
      // Image by image, so the scatter below finds the zeroed image still in L2.
      std::memset(img, 0, size_t(inSize) * sizeof(float));
      for (int64_t oy = 0; oy < a.outH; ++oy)
        for (int64_t ox = 0; ox < a.outW; ++ox) {
          Window w = windowAt(a, oy, ox);
          int64_t o = ((b * a.outH + oy) * a.outW + ox) * C;
          const float* g = dy + o;
          if (op == PoolOp::Max) {
            const int32_t* idx = argmax + o;
            for (int64_t c = 0; c < C; ++c) {
              int32_t cell = idx[c];
              if (cell < 0 || cell >= a.poolH * a.poolW) continue;
              int64_t iy = w.top + cell / a.poolW, ix = w.left + cell % a.poolW;
              if (iy < 0 || iy >= a.inH || ix < 0 || ix >= a.inW) continue;
              img[(iy * a.inW + ix) * C + c] += g[c];
            }
            continue;
          }
          int64_t count = std::max<int64_t>(0, w.y1 - w.y0) * std::max<int64_t>(0, w.x1 - w.x0);
          if (count == 0) continue;
          float inv = 1.f / float(count);
          for (int64_t iy = w.y0; iy < w.y1; ++iy)
            for (int64_t ix = w.x0; ix < w.x1; ++ix) {
              float* d = img + (iy * a.inW + ix) * C;
              for (int64_t c = 0; c < C; ++c) d[c] += g[c] * inv;
            }
        }
    }
  });
}

}  // namespace tsdl::cpu::TSDL_ISA
