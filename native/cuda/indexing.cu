// Data movement: transpose (any permutation), gather of rows, one-hot.
#include "kernels.h"

namespace tsdl::cuda {
namespace {

// Output element i ← input at the permuted offset: the output multi-index is decoded from i
// (dims of the output) and dotted with the input strides of the permuted axes.
struct Perm {
  int nd;
  int64_t odims[kMaxDims], istride[kMaxDims];
};

template <class T>
__global__ void transposeKernel(const T* x, T* out, Perm p, int64_t n) {
  TSDL_GRID_STRIDE(i, n) {
    int64_t off = 0, r = i;
    for (int d = p.nd - 1; d >= 0; --d) {
      off += (r % p.odims[d]) * p.istride[d];
      r /= p.odims[d];
    }
    out[i] = x[off];
  }
}

// The 2-D case (a matrix transpose, e.g. of a weight) through a 32×33 shared tile so both the
// read and the write are coalesced; batch = leading dims kept in place.
template <class T>
__global__ void transpose2d(const T* x, T* out, int64_t R, int64_t C) {
  __shared__ T tile[32][33];
  int64_t c0 = int64_t(blockIdx.x) * 32, r0 = int64_t(blockIdx.y) * 32;
  for (int dy = threadIdx.y; dy < 32; dy += blockDim.y) {
    int64_t r = r0 + dy, cc = c0 + threadIdx.x;
    if (r < R && cc < C) tile[dy][threadIdx.x] = x[r * C + cc];
  }
  __syncthreads();
  for (int dy = threadIdx.y; dy < 32; dy += blockDim.y) {
    int64_t cc = c0 + dy, r = r0 + threadIdx.x;  // out is C×R
    if (cc < C && r < R) out[cc * R + r] = tile[threadIdx.x][dy];
  }
}

template <class T>
__global__ void gatherKernel(const T* x, int64_t rowSize, int64_t srcRows, const int32_t* idx,
                             int64_t n, T* out) {
  TSDL_GRID_STRIDE(i, n) {
    int64_t row = i / rowSize, j = i % rowSize;
    int64_t s = idx[row];
    out[i] = (s >= 0 && s < srcRows) ? x[s * rowSize + j] : T(0);
  }
}

__global__ void oneHotKernel(const int32_t* idx, int64_t n, int64_t depth, float* out) {
  TSDL_GRID_STRIDE(i, n * depth) {
    int64_t r = i / depth, j = i % depth;
    out[i] = idx[r] == j ? 1.f : 0.f;
  }
}

template <class T>
void transposeT(const Ctx& c, const T* x, const Shape& shape, const int* perm, T* out) {
  int64_t total = shape.size();
  if (total == 0) return;
  if (shape.ndim == 2 && perm[0] == 1) {
    int64_t R = shape.dims[0], C = shape.dims[1];
    dim3 grid(unsigned((C + 31) / 32), unsigned((R + 31) / 32));
    if (grid.y <= 65535) {
      transpose2d<<<grid, dim3(32, 8), 0, c.stream>>>(x, out, R, C);
      return;
    }
  }
  Perm p{};
  p.nd = shape.ndim;
  int64_t stride[kMaxDims];
  int64_t s = 1;
  for (int i = shape.ndim - 1; i >= 0; --i) { stride[i] = s; s *= shape.dims[i]; }
  for (int i = 0; i < shape.ndim; ++i) { p.odims[i] = shape.dims[perm[i]]; p.istride[i] = stride[perm[i]]; }
  transposeKernel<<<gridFor(total), kThreads, 0, c.stream>>>(x, out, p, total);
}

}  // namespace

void transpose(const Ctx& c, const void* x, size_t elemSize, const Shape& shape, const int* perm,
               void* out) {
  if (elemSize == 4)
    transposeT(c, static_cast<const uint32_t*>(x), shape, perm, static_cast<uint32_t*>(out));
  else
    transposeT(c, static_cast<const uint8_t*>(x), shape, perm, static_cast<uint8_t*>(out));
  checkLaunch("transpose");
}

void gather(const Ctx& c, const void* x, size_t elemSize, int64_t rowSize, int64_t srcRows,
            const int32_t* indices, int64_t count, void* out) {
  int64_t n = count * rowSize;
  if (n <= 0) return;
  if (elemSize == 4)
    gatherKernel<<<gridFor(n), kThreads, 0, c.stream>>>(static_cast<const uint32_t*>(x), rowSize, srcRows,
                                                        indices, n, static_cast<uint32_t*>(out));
  else
    gatherKernel<<<gridFor(n), kThreads, 0, c.stream>>>(static_cast<const uint8_t*>(x), rowSize, srcRows,
                                                        indices, n, static_cast<uint8_t*>(out));
  checkLaunch("gather");
}

void oneHot(const Ctx& c, const int32_t* indices, int64_t count, int64_t depth, float* out) {
  if (count * depth <= 0) return;
  oneHotKernel<<<gridFor(count * depth), kThreads, 0, c.stream>>>(indices, count, depth, out);
  checkLaunch("oneHot");
}

}  // namespace tsdl::cuda
