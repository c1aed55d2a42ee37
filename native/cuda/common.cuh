// Shared by every CUDA kernel file: error checks, launch sizes, the per-call context (the
// backend's one stream and its memory pool), and the element conversions that must match the
// CPU backend bit for bit (native/cpu/elementwise.cc).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "../core/backend.h"

namespace tsdl::cuda {

class Pool;
class Workspace;

// What every launcher needs: kernels are queued on the backend's single stream, and scratch
// memory comes from the pool (stream-ordered reuse is safe because there is one stream).
struct Ctx {
  cudaStream_t stream;
  Pool* pool;
  Workspace* workspace;  // scratch inside one call (see pool.h)
  Workspace* patches;    // a convolution's patch matrix (conv.cu), apart from the GEMM's workspace
  int smCount;
};

// A CUDA error becomes a C++ exception whose message names the call; the binding turns it into
// a JS Error (see the request for NODE_ADDON_API_CPP_EXCEPTIONS_ALL in native/cuda/README.md).
inline void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("cuda: ") + what + ": " + cudaGetErrorName(e) + " (" +
                             cudaGetErrorString(e) + ")");
}
// After a kernel launch: reports a bad configuration at once (execution errors show at the next
// synchronizing call: download or synchronize).
inline void checkLaunch(const char* kernel) { check(cudaGetLastError(), kernel); }

constexpr int kThreads = 256;

// Grid for a grid-stride loop over n elements: enough blocks to fill the GPU, never more than
// needed, at least 1 (a launch with 0 blocks is an error).
inline unsigned gridFor(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > (1 << 20)) b = 1 << 20;
  return static_cast<unsigned>(b);
}

#define TSDL_GRID_STRIDE(i, n)                                                                 \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);                     \
       i += int64_t(blockDim.x) * gridDim.x)

// ---- conversions, identical to the CPU backend's (no UB on NaN or out-of-range floats) ----
template <class D>
__host__ __device__ inline D convert(double v);
template <>
__host__ __device__ inline float convert<float>(double v) { return static_cast<float>(v); }
template <>
__host__ __device__ inline int32_t convert<int32_t>(double v) {
  if (!(v == v)) return 0;
  if (v >= 2147483647.0) return 2147483647;
  if (v <= -2147483648.0) return -2147483647 - 1;
  return static_cast<int32_t>(v);  // truncates toward zero
}
template <>
__host__ __device__ inline uint8_t convert<uint8_t>(double v) {
  return static_cast<uint8_t>(static_cast<uint32_t>(convert<int32_t>(v)));
}

}  // namespace tsdl::cuda
