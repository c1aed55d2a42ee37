// Reductions over any set of axes, and argmax/argmin along one axis.
//
// Adjacent axes that are all reduced or all kept are merged first, so the common cases become
// one of three contiguous patterns: [kept, reduced] (row sums, e.g. a loss per sample),
// [reduced, kept] (column sums, e.g. a bias gradient) and [kept, reduced, kept]. Anything
// else (e.g. axes 0 and 2 of a 4-D tensor) takes a general strided path.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels.h"
#include "scratch.h"
#include "threadpool.h"

// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` (any x86-64) or `avx2`.
namespace tsdl::cpu::TSDL_ISA {
namespace {

inline float initial(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max: return -std::numeric_limits<float>::infinity();
    case ReduceOp::Min: return std::numeric_limits<float>::infinity();
    default: return 0.f;
  }
}

// NaN propagates through max/min as in NumPy.
inline float combine(ReduceOp op, float acc, float v) {
  switch (op) {
    case ReduceOp::Max: return (v > acc || v != v) ? v : acc;
    case ReduceOp::Min: return (v < acc || v != v) ? v : acc;
    default: return acc + v;
  }
}

// Sum of a contiguous run, in 32 independent lanes so the compiler vectorizes it without
// -ffast-math and keeps several adds in flight (the rounding does not depend on the thread
// count either way).
inline float sumRun(const float* x, int64_t n) {
  constexpr int L = 32;
  float lane[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int l = 0; l < L; ++l) lane[l] += x[i + l];
  for (int w = L / 2; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) lane[l] += lane[l + w];
  float s = lane[0];
  for (; i < n; ++i) s += x[i];
  return s;
}

inline float reduceRun(ReduceOp op, const float* x, int64_t n) {
  if (op == ReduceOp::Sum || op == ReduceOp::Mean) return sumRun(x, n);
  float acc = initial(op);
  for (int64_t i = 0; i < n; ++i) acc = combine(op, acc, x[i]);
  return acc;
}

// dst[j] = combine(dst[j], src[j]): a plain-argument function, one loop per op (a constant op
// folds combine's switch away), so each loop vectorizes.
__attribute__((noinline)) void accumulateRow(ReduceOp op, float* dst, const float* src, int64_t n) {
  if (op == ReduceOp::Max) {
    for (int64_t j = 0; j < n; ++j) dst[j] = combine(ReduceOp::Max, dst[j], src[j]);
  } else if (op == ReduceOp::Min) {
    for (int64_t j = 0; j < n; ++j) dst[j] = combine(ReduceOp::Min, dst[j], src[j]);
  } else {
    for (int64_t j = 0; j < n; ++j) dst[j] = combine(ReduceOp::Sum, dst[j], src[j]);
  }
}

}  // namespace

void reduce(ReduceOp op, const float* x, const Shape& shape, const bool* reduced, float* out) {
  // Merge adjacent dims of the same kind; drop size-1 dims.
  int64_t dims[kMaxDims];
  bool red[kMaxDims];
  int nd = 0;
  int64_t total = 1, count = 1;
  for (int i = 0; i < shape.ndim; ++i) {
    total *= shape.dims[i];
    if (reduced[i]) count *= shape.dims[i];
    if (shape.dims[i] == 1) continue;
    if (nd > 0 && red[nd - 1] == reduced[i]) {
      dims[nd - 1] *= shape.dims[i];
    } else {
      dims[nd] = shape.dims[i];
      red[nd] = reduced[i];
      ++nd;
    }
  }
  int64_t outSize = count == 0 ? 0 : total / count;
  if (count == 0) {
    // Reducing over an empty axis: the sum is 0 (mean is NaN); max/min are refused upstream.
    int64_t n = 1;
    for (int i = 0; i < shape.ndim; ++i) if (!reduced[i]) n *= shape.dims[i];
    for (int64_t i = 0; i < n; ++i) out[i] = op == ReduceOp::Mean ? NAN : 0.f;
    return;
  }
  float scale = op == ReduceOp::Mean ? 1.f / float(count) : 1.f;
  auto finish = [&](float v) { return op == ReduceOp::Mean ? v * scale : v; };

  // Classify as [outer kept] [reduced] [inner kept].
  int64_t outer = 1, mid = 1, inner = 1;
  bool simple = true;
  {
    int i = 0;
    if (i < nd && !red[i]) outer = dims[i++];
    if (i < nd && red[i]) mid = dims[i++];
    if (i < nd && !red[i]) inner = dims[i++];
    if (i < nd) simple = false;
  }
  if (simple && inner == 1) {
    // [outer, mid]: one contiguous run per output element.
    int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(mid, 1));
    parallelRange(outer, total >= 2 * kParallelGrain ? grain : outer, [&](int64_t b, int64_t e, int) {
      for (int64_t o = b; o < e; ++o) out[o] = finish(reduceRun(op, x + o * mid, mid));
    });
    return;
  }
  if (simple) {
    // [outer, mid, inner]: accumulate rows of `inner` contiguous elements (vectorizes).
    // rows [r0, r1) of output row o's slab, accumulated into dst (`inner` floats).
    auto rows = [&](int64_t o, int64_t r0, int64_t r1, float* dst) {
      float init = initial(op);
      for (int64_t j = 0; j < inner; ++j) dst[j] = init;
      for (int64_t r = r0; r < r1; ++r) accumulateRow(op, dst, x + (o * mid + r) * inner, inner);
    };
    auto finishRow = [&](float* dst) {
      if (op == ReduceOp::Mean)
        for (int64_t j = 0; j < inner; ++j) dst[j] *= scale;
    };
    bool big = total >= 2 * kParallelGrain;
    // Chosen by shape only, so the summation order never depends on the thread count. (With more
    // than two cores, 2 ≤ outer < threads leaves some idle: a known limit.)
    if (outer >= 2 || !big) {
      int64_t grainOuter = std::max<int64_t>(1, kParallelGrain / (mid * inner) + 1);
      parallelRange(outer, big ? grainOuter : outer, [&](int64_t b, int64_t e, int) {
        for (int64_t o = b; o < e; ++o) {
          rows(o, 0, mid, out + o * inner);
          finishRow(out + o * inner);
        }
      });
    } else {
      // One outer row (e.g. a bias gradient over a huge batch). Splitting the columns
      // made both threads stream every row (4× slower than one thread); instead fixed blocks of
      // rows go to the threads, each into its own partial row, and the partials are added in
      // block order — the blocks depend on the shape only, so the result does not depend on the
      // thread count.
      constexpr int64_t kRowsPerBlock = 512;
      int64_t blocks = (mid + kRowsPerBlock - 1) / kRowsPerBlock;
      float* part = scratch(Scratch::ReducePartials, size_t(blocks * inner));
      parallelRange(blocks, 1, [&](int64_t bb, int64_t be, int) {
        for (int64_t blk = bb; blk < be; ++blk)
          rows(0, blk * kRowsPerBlock, std::min(mid, (blk + 1) * kRowsPerBlock), part + blk * inner);
      });
      float init = initial(op);
      for (int64_t j = 0; j < inner; ++j) out[j] = init;
      for (int64_t blk = 0; blk < blocks; ++blk) accumulateRow(op, out, part + blk * inner, inner);
      finishRow(out);
    }
    return;
  }
  // General path: walk the input once with an odometer over the merged dims.
  int64_t outStride[kMaxDims];
  {
    int64_t s = 1;
    for (int i = nd - 1; i >= 0; --i) {
      outStride[i] = red[i] ? 0 : s;
      if (!red[i]) s *= dims[i];
    }
  }
  for (int64_t i = 0; i < outSize; ++i) out[i] = initial(op);
  int64_t idx[kMaxDims] = {0};
  int64_t o = 0;
  for (int64_t i = 0; i < total; ++i) {
    out[o] = combine(op, out[o], x[i]);
    for (int d = nd - 1; d >= 0; --d) {
      o += outStride[d];
      if (++idx[d] < dims[d]) break;
      o -= outStride[d] * dims[d];
      idx[d] = 0;
    }
  }
  if (op == ReduceOp::Mean)
    for (int64_t i = 0; i < outSize; ++i) out[i] *= scale;
}

void argReduce(ArgReduceOp op, const float* x, const Shape& shape, int axis, int32_t* out) {
  int64_t outer = 1, len = shape.dims[axis], inner = 1;
  for (int i = 0; i < axis; ++i) outer *= shape.dims[i];
  for (int i = axis + 1; i < shape.ndim; ++i) inner *= shape.dims[i];
  bool isMax = op == ArgReduceOp::Argmax;
  parallelRange(outer * inner, (outer * inner * len) >= 2 * kParallelGrain ? std::max<int64_t>(1, kParallelGrain / len) : outer * inner,
                [&](int64_t b, int64_t e, int) {
                  for (int64_t t = b; t < e; ++t) {
                    int64_t o = t / inner, j = t % inner;
                    const float* p = x + o * len * inner + j;
                    int32_t best = 0;
                    float bv = p[0];
                    // The first NaN wins (as NumPy); otherwise the first extreme value.
                    if (bv == bv) {
                      for (int64_t r = 1; r < len; ++r) {
                        float v = p[r * inner];
                        if (v != v) { best = int32_t(r); break; }
                        if (isMax ? v > bv : v < bv) { bv = v; best = int32_t(r); }
                      }
                    }
                    out[t] = best;
                  }
                });
}

}  // namespace tsdl::cpu::TSDL_ISA
