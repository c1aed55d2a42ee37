// Softmax / log-softmax along rows, and the fused softmax cross-entropy: the loss of each row
// and its gradient (softmax − onehot)·gradScale in one kernel, one read of the logits. One warp
// per row: the rows of a classifier are short (10 classes for MNIST), so a warp per row keeps
// every lane busy with no shared memory and no block-wide barrier.
#include <cmath>

#include "kernels.h"

namespace tsdl::cuda {
namespace {

__device__ inline float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ inline float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
// The row max, with the CPU backend's rule: a non-finite max (all -inf, or inf/NaN) is
// replaced by 0 so the arithmetic shows the problem instead of hiding it.
__device__ inline float rowMax(const float* x, int64_t cols, int lane) {
  float m = -INFINITY;
  for (int64_t j = lane; j < cols; j += 32) m = x[j] > m ? x[j] : m;
  m = warpMax(m);
  return isfinite(m) ? m : 0.f;
}

#define TSDL_FOR_EACH_ROW(r, rows)                                                             \
  const int lane = threadIdx.x % 32;                                                           \
  const int64_t warpsInGrid = int64_t(gridDim.x) * (blockDim.x / 32);                          \
  for (int64_t r = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; r < (rows);     \
       r += warpsInGrid)

__global__ void softmaxKernel(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  TSDL_FOR_EACH_ROW(r, rows) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    float m = rowMax(xr, cols, lane);
    float s = 0.f;
    for (int64_t j = lane; j < cols; j += 32) s += expf(xr[j] - m);
    s = warpSum(s);
    if (log) {
      float ls = logf(s) + m;
      for (int64_t j = lane; j < cols; j += 32) o[j] = xr[j] - ls;
    } else {
      float inv = 1.f / s;
      for (int64_t j = lane; j < cols; j += 32) o[j] = expf(xr[j] - m) * inv;
    }
  }
}

// labels: int32 indices (sparse) or float32 rows (one-hot or soft labels). A sparse label
// outside [0, cols) cannot be reported from the device without a host wait, so it gives a NaN
// loss and a NaN gradient row: visible at once, never a read out of bounds.
__global__ void softmaxCrossEntropyKernel(const float* logits, const void* labels, bool sparse,
                                          int64_t rows, int64_t cols, float* loss, float* grad,
                                          float gradScale) {
  TSDL_FOR_EACH_ROW(r, rows) {
    const float* xr = logits + r * cols;
    float m = rowMax(xr, cols, lane);
    float s = 0.f;
    for (int64_t j = lane; j < cols; j += 32) s += expf(xr[j] - m);
    s = warpSum(s);
    float lse = logf(s) + m;  // log Σ exp(x)
    if (sparse) {
      int32_t y = static_cast<const int32_t*>(labels)[r];
      bool valid = y >= 0 && y < cols;
      float xy = valid ? xr[y] : 0.f;
      __syncwarp();  // grad may be the logits (in place): every lane has read x[y] before any write
      if (lane == 0) loss[r] = valid ? lse - xy : NAN;
      if (grad) {
        float* g = grad + r * cols;
        for (int64_t j = lane; j < cols; j += 32)
          g[j] = valid ? (expf(xr[j] - lse) - (j == y ? 1.f : 0.f)) * gradScale : NAN;
      }
    } else {
      // −Σ y·log softmax(x) = Σ y·(lse − x); the gradient is softmax·Σy − y (Σy = 1 for one-hot).
      const float* yr = static_cast<const float*>(labels) + r * cols;
      float l = 0.f, sy = 0.f;
      for (int64_t j = lane; j < cols; j += 32) { l += yr[j] * (lse - xr[j]); sy += yr[j]; }
      l = warpSum(l);
      sy = warpSum(sy);
      if (lane == 0) loss[r] = l;
      if (grad) {
        float* g = grad + r * cols;
        for (int64_t j = lane; j < cols; j += 32) g[j] = (expf(xr[j] - lse) * sy - yr[j]) * gradScale;
      }
    }
  }
}

}  // namespace

void softmax(const Ctx& c, const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  if (rows <= 0 || cols <= 0) return;
  softmaxKernel<<<gridFor(rows * 32), kThreads, 0, c.stream>>>(x, out, rows, cols, log);
  checkLaunch("softmax");
}

void softmaxCrossEntropy(const Ctx& c, const float* logits, const void* labels, bool sparse,
                         int64_t rows, int64_t cols, float* loss, float* grad, float gradScale) {
  if (rows <= 0) return;
  softmaxCrossEntropyKernel<<<gridFor(rows * 32), kThreads, 0, c.stream>>>(logits, labels, sparse, rows,
                                                                           cols, loss, grad, gradScale);
  checkLaunch("softmaxCrossEntropy");
}

}  // namespace tsdl::cuda
