// 2-D convolution, channels-last (Keras's layout): forward, input gradient, kernel gradient.
//
// All three are GEMMs over the patch matrix P (im2col): row r = (b, oy, ox) of P holds the
// kh·kw·inC input values output r reads, in the kernel's own order (i, j, c), so the kernel
// [kh, kw, inC, outC] is already the K×outC right-hand matrix (K = kh·kw·inC):
//   forward       Y[rows, outC]  = P · W            (+ bias, activation: the GEMM's epilogue)
//   input grad    dP[rows, K]    = dY · Wᵀ          then col2im: dP's values added back to dx
//   kernel grad   dW[K, outC]    = Σ Pᵀ · dY        (transA: P is read as stored)
// Rows are processed in chunks whose patch matrix fits in a per-thread scratch buffer (about
// kChunkFloats floats), so a convolution allocates nothing beyond its output and one patch
// buffer per thread. A 1×1 kernel with stride 1 and no padding skips im2col: P is x itself.
//
// Measured and dropped: a direct kernel for tiny patches (conv1: K = 9, one channel) that
// gathers each row's 9 inputs into registers and multiplies them into 32-wide output blocks
// ran at 1.6 ms for the book's conv1 forward against 0.6–0.8 ms for im2col + the GEMM (whose
// 6×32 register tile and masked stores beat the compiler's code for the same loop).
//
// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` or `avx2`, so im2col's copies
// and col2im's adds are vectorized for AVX2 where the CPU has it; the GEMM dispatches on its own.
//
// Threads: each chunk is one task of the pool, run start to finish by one thread (im2col into
// its own buffer, then the GEMM inline on that thread), so patches never leave the core that
// wrote them and no task waits on another. The chunking depends only on the geometry, never on
// the thread count, and so do the results (the kernel gradient sums its chunks in fixed
// slots, then the slots in order).
#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "scratch.h"
#include "threadpool.h"

namespace tsdl::cpu::TSDL_ISA {
namespace {

// ~512 KiB of patches per chunk: the GEMM reads each patch row once per B panel pass, so the
// chunk should stay in L2 (1 MiB per core on Zen 5) next to the GEMM's own packed panels.
constexpr int64_t kChunkFloats = int64_t(1) << 17;
// The kernel gradient sums its chunks into at most this many partial dW (a fixed number, so the
// result does not depend on the thread count; 4 keeps 2-4 threads busy).
constexpr int64_t kGradSlots = 4;

bool isPointwise(const Conv2dArgs& a) {
  return a.kh == 1 && a.kw == 1 && a.strideH == 1 && a.strideW == 1 && a.padTop == 0 && a.padLeft == 0 &&
         a.outH == a.inH && a.outW == a.inW;
}

// At most this many rows per chunk, so a layer with tiny patches still makes many tasks (conv1,
// K = 9, made 3 chunks of 14,562 rows: 2 threads ran it no faster than 1).
constexpr int64_t kChunkMaxRows = 2048;

// Rows per chunk: at least one, a multiple of the GEMM's 6-row micro-tile when there are more.
int64_t chunkRows(const Conv2dArgs& a) {
  int64_t rows = std::max<int64_t>(1, std::min(kChunkMaxRows, kChunkFloats / std::max<int64_t>(1, a.patchSize())));
  if (rows > 6) rows -= rows % 6;
  return std::min(rows, std::max<int64_t>(1, a.outRows()));
}

// Copies (src) or zeroes (src null) n floats. Runs shorter than a cache line are a plain loop,
// not a libc call (conv1's runs are 3 floats; the measured gain was within this machine's noise).
inline void put(float* dst, const float* src, int64_t n) {
  if (n <= 16) {
    if (src)
      for (int64_t t = 0; t < n; ++t) dst[t] = src[t];
    else
      for (int64_t t = 0; t < n; ++t) dst[t] = 0.f;
  } else if (src) {
    std::memcpy(dst, src, size_t(n) * sizeof(float));
  } else {
    std::memset(dst, 0, size_t(n) * sizeof(float));
  }
}

// P[r - r0, :] for output rows [r0, r1).
// Output row r as (image, oy, ox), advanced one row at a time: three 64-bit divisions per row
// cost more than copying conv1's 9-float patch (1 ms of a 1.25 ms forward, single thread).
struct RowCursor {
  int64_t b, oy, ox;
  const Conv2dArgs& a;
  RowCursor(const Conv2dArgs& args, int64_t r) : a(args) {
    int64_t ohw = a.outH * a.outW, rem = r % ohw;
    b = r / ohw;
    oy = rem / a.outW;
    ox = rem % a.outW;
  }
  void next() {
    if (++ox < a.outW) return;
    ox = 0;
    if (++oy < a.outH) return;
    oy = 0;
    ++b;
  }
};

void im2col(const float* x, const Conv2dArgs& a, int64_t r0, int64_t r1, float* p) {
  const int64_t K = a.patchSize(), C = a.inC;
  RowCursor at(a, r0);
  for (int64_t r = r0; r < r1; ++r, at.next()) {
    const int64_t b = at.b, oy = at.oy, ox = at.ox;
    float* dst = p + (r - r0) * K;
    const float* img = x + b * a.inH * a.inW * C;
    int64_t ix0 = ox * a.strideW - a.padLeft;
    // Every column tap inside the input: each kernel row is one run of kw·C floats when the
    // taps are adjacent (dilation 1), kw runs of C floats otherwise.
    bool colsInside = ix0 >= 0 && ix0 + (a.kw - 1) * a.dilW < a.inW;
    for (int64_t i = 0; i < a.kh; ++i, dst += a.kw * C) {
      int64_t iy = oy * a.strideH - a.padTop + i * a.dilH;
      if (iy < 0 || iy >= a.inH) {
        put(dst, nullptr, a.kw * C);
        continue;
      }
      const float* src = img + iy * a.inW * C;
      if (colsInside && a.dilW == 1) {
        put(dst, src + ix0 * C, a.kw * C);
        continue;
      }
      for (int64_t j = 0; j < a.kw; ++j) {
        int64_t ix = ix0 + j * a.dilW;
        put(dst + j * C, ix < 0 || ix >= a.inW ? nullptr : src + ix * C, C);
      }
    }
  }
}

// dx += P's rows [r0, r1) scattered back to the input cells they were read from.
void col2imAdd(const float* p, const Conv2dArgs& a, int64_t r0, int64_t r1, float* dx) {
  const int64_t K = a.patchSize(), C = a.inC;
  RowCursor at(a, r0);
  for (int64_t r = r0; r < r1; ++r, at.next()) {
    const int64_t b = at.b, oy = at.oy, ox = at.ox;
    const float* src = p + (r - r0) * K;
    float* img = dx + b * a.inH * a.inW * C;
    int64_t ix0 = ox * a.strideW - a.padLeft;
    for (int64_t i = 0; i < a.kh; ++i, src += a.kw * C) {
      int64_t iy = oy * a.strideH - a.padTop + i * a.dilH;
      if (iy < 0 || iy >= a.inH) continue;
      float* row = img + iy * a.inW * C;
      for (int64_t j = 0; j < a.kw; ++j) {
        int64_t ix = ix0 + j * a.dilW;
        if (ix < 0 || ix >= a.inW) continue;
        float* d = row + ix * C;
        const float* s = src + j * C;
        for (int64_t c = 0; c < C; ++c) d[c] += s[c];
      }
    }
  }
}

// Runs fn(task) for tasks [0, n): on the pool when there are several, else on this thread (so
// that a single chunk's GEMM may still use the pool itself).
template <class F>
void forTasks(int64_t n, F&& fn) {
  if (n == 1) {
    fn(int64_t(0));
    return;
  }
  parallelFor(
      n, [](void* ctx, int64_t t, int) { (*static_cast<F*>(ctx))(t); }, &fn);
}

}  // namespace

void conv2d(const float* x, const float* w, float* y, const Conv2dArgs& a) {
  const int64_t rows = a.outRows(), K = a.patchSize(), N = a.outC;
  if (rows == 0 || N == 0) return;
  MatmulArgs g;
  g.n = N;
  g.k = K;
  g.bias = a.bias;
  g.act = a.act;
  if (isPointwise(a)) {
    g.m = rows;
    matmul(x, w, y, g);
    return;
  }
  const int64_t cr = chunkRows(a), chunks = (rows + cr - 1) / cr;
  forTasks(chunks, [&](int64_t t) {
    int64_t r0 = t * cr, r1 = std::min(rows, r0 + cr);
    float* p = scratch(Scratch::ConvPatches, size_t((r1 - r0) * K));
    im2col(x, a, r0, r1, p);
    MatmulArgs gc = g;
    gc.m = r1 - r0;
    matmul(p, w, y + r0 * N, gc);
  });
}

void conv2dInputGrad(const float* dy, const float* w, float* dx, const Conv2dArgs& a) {
  const int64_t rows = a.outRows(), K = a.patchSize(), N = a.outC;
  const int64_t inSize = a.inH * a.inW * a.inC;
  if (a.batch * inSize == 0) return;
  MatmulArgs g;
  g.n = K;
  g.k = N;
  g.transB = true;
  if (isPointwise(a)) {
    g.m = rows;
    matmul(dy, w, dx, g);
    return;
  }
  if (rows == 0 || N == 0) {
    std::memset(dx, 0, size_t(a.batch * inSize) * sizeof(float));
    return;
  }
  // A task owns whole images (its scatter-adds never meet another task's): the batch is cut
  // into groups of images, and each group walks its rows in chunks of at most chunkRows.
  const int64_t ohw = a.outH * a.outW, cr = chunkRows(a);
  const int64_t imagesPerTask = std::max<int64_t>(1, cr / std::max<int64_t>(1, ohw));
  const int64_t tasks = (a.batch + imagesPerTask - 1) / imagesPerTask;
  forTasks(tasks, [&](int64_t t) {
    int64_t b0 = t * imagesPerTask, b1 = std::min(a.batch, b0 + imagesPerTask);
    std::memset(dx + b0 * inSize, 0, size_t((b1 - b0) * inSize) * sizeof(float));
    for (int64_t r0 = b0 * ohw, rEnd = b1 * ohw; r0 < rEnd; r0 += cr) {
      int64_t r1 = std::min(rEnd, r0 + cr);
      float* p = scratch(Scratch::ConvPatches, size_t((r1 - r0) * K));
      MatmulArgs gc = g;
      gc.m = r1 - r0;
      matmul(dy + r0 * N, w, p, gc);
      col2imAdd(p, a, r0, r1, dx);
    }
  });
}

void conv2dKernelGrad(const float* x, const float* dy, float* dw, const Conv2dArgs& a) {
  const int64_t rows = a.outRows(), K = a.patchSize(), N = a.outC;
  if (K * N == 0) return;
  if (rows == 0) {
    std::memset(dw, 0, size_t(K * N) * sizeof(float));
    return;
  }
  MatmulArgs g;
  g.m = K;
  g.n = N;
  g.transA = true;
  if (isPointwise(a)) {
    g.k = rows;
    matmul(x, dy, dw, g);
    return;
  }
  const int64_t cr = chunkRows(a), chunks = (rows + cr - 1) / cr;
  const int64_t slots = std::min(kGradSlots, chunks);
  // Slot 0 sums into dw itself, the others into partials that are added at the end.
  float* partials = slots > 1 ? scratch(Scratch::ConvPartials, size_t((slots - 1) * K * N)) : nullptr;
  forTasks(slots, [&](int64_t s) {
    float* out = s == 0 ? dw : partials + (s - 1) * K * N;
    bool first = true;
    for (int64_t c = s; c < chunks; c += slots) {
      int64_t r0 = c * cr, r1 = std::min(rows, r0 + cr);
      float* p = scratch(Scratch::ConvPatches, size_t((r1 - r0) * K));
      im2col(x, a, r0, r1, p);
      MatmulArgs gc = g;
      gc.k = r1 - r0;
      gc.beta = first ? 0.f : 1.f;
      matmul(p, dy + r0 * N, out, gc);
      first = false;
    }
  });
  for (int64_t s = 1; s < slots; ++s) {
    const float* q = partials + (s - 1) * K * N;
    for (int64_t i = 0; i < K * N; ++i) dw[i] += q[i];
  }
}

}  // namespace tsdl::cpu::TSDL_ISA
