// Reductions over any set of axes, and argmax/argmin along one axis.
//
// Axes are merged first as on the CPU (adjacent reduced or kept dims become one). Then:
//  - [kept, reduced] (row sums, e.g. a loss per sample): one warp per output row, lanes stride
//    along the contiguous row and combine with shuffles; a row so long that few rows cannot fill
//    the GPU (e.g. a whole-tensor sum) takes one 1024-thread block per row instead;
//  - everything else ([reduced, kept] column sums such as a bias gradient, and any mixed
//    pattern): one thread per output element walking its reduced elements, so neighbouring
//    threads read neighbouring addresses whenever the innermost dim is kept.
// NaN propagates through max/min as in NumPy; the summation order differs from the CPU's, so
// sums agree to rounding, not bit for bit.
#include <cmath>

#include "kernels.h"

namespace tsdl::cuda {
namespace {

__device__ inline float initial(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max: return -INFINITY;
    case ReduceOp::Min: return INFINITY;
    default: return 0.f;
  }
}
__device__ inline float combine(ReduceOp op, float acc, float v) {
  switch (op) {
    case ReduceOp::Max: return (v > acc || v != v) ? v : acc;
    case ReduceOp::Min: return (v < acc || v != v) ? v : acc;
    default: return acc + v;
  }
}
__device__ inline float warpCombine(ReduceOp op, float v) {
  for (int o = 16; o > 0; o >>= 1) v = combine(op, v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// One warp per row of `len` contiguous elements.
__global__ void rowReduceWarp(ReduceOp op, const float* x, int64_t rows, int64_t len, float scale,
                              float* out) {
  int lane = threadIdx.x % 32;
  int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t r = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; r < rows; r += warps) {
    const float* p = x + r * len;
    float acc = initial(op);
    for (int64_t j = lane; j < len; j += 32) acc = combine(op, acc, p[j]);
    acc = warpCombine(op, acc);
    if (lane == 0) out[r] = op == ReduceOp::Mean ? acc * scale : acc;
  }
}

// One block per row, for few very long rows.
__global__ void __launch_bounds__(1024) rowReduceBlock(ReduceOp op, const float* x, int64_t len, float scale, float* out) {
  __shared__ float part[32];
  const float* p = x + int64_t(blockIdx.x) * len;
  float acc = initial(op);
  for (int64_t j = threadIdx.x; j < len; j += blockDim.x) acc = combine(op, acc, p[j]);
  acc = warpCombine(op, acc);
  int lane = threadIdx.x % 32, w = threadIdx.x / 32;
  if (lane == 0) part[w] = acc;
  __syncthreads();
  if (w == 0) {
    int nw = blockDim.x / 32;
    acc = lane < nw ? part[lane] : initial(op);
    acc = warpCombine(op, acc);
    if (lane == 0) out[blockIdx.x] = op == ReduceOp::Mean ? acc * scale : acc;
  }
}

// The general case: kept dims give the output index, reduced dims are walked by each thread.
struct Layout {
  int nk, nr;
  int64_t keptDims[kMaxDims], keptStride[kMaxDims];  // input strides of the kept dims
  int64_t redDims[kMaxDims], redStride[kMaxDims];
  int64_t redCount;
};

__global__ void generalReduce(ReduceOp op, const float* x, Layout L, int64_t outSize, float scale,
                              float* out) {
  TSDL_GRID_STRIDE(o, outSize) {
    int64_t base = 0, r = o;
    for (int d = L.nk - 1; d >= 0; --d) {
      base += (r % L.keptDims[d]) * L.keptStride[d];
      r /= L.keptDims[d];
    }
    float acc = initial(op);
    if (L.nr == 1) {  // the common column case: one strided run
      for (int64_t t = 0; t < L.redCount; ++t) acc = combine(op, acc, x[base + t * L.redStride[0]]);
    } else {
      for (int64_t t = 0; t < L.redCount; ++t) {
        int64_t off = base, q = t;
        for (int d = L.nr - 1; d >= 0; --d) {
          off += (q % L.redDims[d]) * L.redStride[d];
          q /= L.redDims[d];
        }
        acc = combine(op, acc, x[off]);
      }
    }
    out[o] = op == ReduceOp::Mean ? acc * scale : acc;
  }
}

__global__ void argReduceKernel(bool isMax, const float* x, int64_t outer, int64_t len,
                                int64_t inner, int32_t* out) {
  TSDL_GRID_STRIDE(t, outer * inner) {
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
}

}  // namespace

void reduce(const Ctx& c, ReduceOp op, const float* x, const Shape& shape, const bool* reduced,
            float* out) {
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
  if (count == 0) {
    // Reducing over an empty axis: the sum is 0, the mean NaN (max/min are refused upstream).
    int64_t n = 1;
    for (int i = 0; i < shape.ndim; ++i) if (!reduced[i]) n *= shape.dims[i];
    fill(c, out, DType::Float32, op == ReduceOp::Mean ? NAN : 0.0, n);
    return;
  }
  int64_t outSize = total / count;
  if (outSize == 0) return;
  float scale = 1.f / float(count);

  if (nd == 0 || (nd == 1 && red[0]) || (nd == 2 && !red[0] && red[1])) {
    // [rows, len] with contiguous rows (nd 0 or a lone reduced dim: one row).
    int64_t rows = nd == 2 ? dims[0] : 1, len = nd == 0 ? 1 : dims[nd - 1];
    if (rows < 2 * int64_t(c.smCount) && len >= 8192 && rows <= 65535) {
      rowReduceBlock<<<unsigned(rows), 1024, 0, c.stream>>>(op, x, len, scale, out);
    } else {
      rowReduceWarp<<<gridFor(rows * 32), kThreads, 0, c.stream>>>(op, x, rows, len, scale, out);
    }
    checkLaunch("reduce");
    return;
  }
  Layout L{};
  int64_t stride = 1;
  int64_t strides[kMaxDims];
  for (int i = nd - 1; i >= 0; --i) { strides[i] = stride; stride *= dims[i]; }
  L.redCount = 1;
  for (int i = 0; i < nd; ++i) {
    if (red[i]) { L.redDims[L.nr] = dims[i]; L.redStride[L.nr] = strides[i]; ++L.nr; L.redCount *= dims[i]; }
    else { L.keptDims[L.nk] = dims[i]; L.keptStride[L.nk] = strides[i]; ++L.nk; }
  }
  generalReduce<<<gridFor(outSize), kThreads, 0, c.stream>>>(op, x, L, outSize, scale, out);
  checkLaunch("reduce");
}

void argReduce(const Ctx& c, ArgReduceOp op, const float* x, const Shape& shape, int axis,
               int32_t* out) {
  int64_t outer = 1, len = shape.dims[axis], inner = 1;
  for (int i = 0; i < axis; ++i) outer *= shape.dims[i];
  for (int i = axis + 1; i < shape.ndim; ++i) inner *= shape.dims[i];
  if (outer * inner == 0) return;
  argReduceKernel<<<gridFor(outer * inner), kThreads, 0, c.stream>>>(op == ArgReduceOp::Argmax, x, outer,
                                                                     len, inner, out);
  checkLaunch("argReduce");
}

}  // namespace tsdl::cuda
