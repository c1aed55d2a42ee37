// A host emulation of the part of CUDA that native/cuda uses, so the kernel tests can run the
// kernels' logic (index arithmetic, tiling, edges, barriers, shuffles, the multi-tensor table,
// graph capture order) on a machine without a GPU, in CI. Every CUDA thread of a block is a
// std::thread; blocks run one after another; __syncthreads is a std::barrier; a warp shuffle
// exchanges through per-warp slots between two warp barriers. A missing __syncthreads on one
// path deadlocks here as it would hang on a GPU.
//
// What it does NOT check: the GPU memory model and races between warps that a barrier would
// not order on real hardware, timing, occupancy, register or shared-memory limits, the real
// WMMA fragment layouts (mma.h here computes whole tiles per lane), and device libm (expf, logf
// are glibc's here). Passing here is necessary, not sufficient: the GPU run is the real test.
#pragma once
#include <dlfcn.h>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>
#include <type_traits>
#include <algorithm>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define CUDART_VERSION 13000

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct float4 { float x, y, z, w; };

namespace emu {
inline thread_local dim3 tIdx, bIdx, bDim, gDim;
struct Block {
  std::unique_ptr<std::barrier<>> all;
  std::vector<std::unique_ptr<std::barrier<>>> warps;
  std::vector<uint64_t> slots;
};
inline thread_local Block* blk = nullptr;
inline thread_local unsigned linearTid = 0;
inline bool capturing = false;
inline std::vector<std::function<void()>> captured;
inline int launches = 0;

inline void runGrid(dim3 g, dim3 b, const std::function<void()>& body) {
  ++launches;
  unsigned n = b.x * b.y * b.z;
  Block B;
  B.all = std::make_unique<std::barrier<>>(n);
  for (unsigned w = 0; w * 32 < n; ++w) B.warps.push_back(std::make_unique<std::barrier<>>(std::min(32u, n - w * 32)));
  B.slots.assign(n, 0);
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < n; ++t)
    ts.emplace_back([&, t] {
      blk = &B;
      linearTid = t;
      tIdx = dim3(t % b.x, (t / b.x) % b.y, t / (b.x * b.y));
      bDim = b;
      gDim = g;
      for (unsigned z = 0; z < g.z; ++z)
        for (unsigned y = 0; y < g.y; ++y)
          for (unsigned x = 0; x < g.x; ++x) {
            bIdx = dim3(x, y, z);
            body();
            B.all->arrive_and_wait();  // the next block reuses the shared memory
          }
    });
  for (auto& t : ts) t.join();
}

template <class F, class... A>
void launch(dim3 g, dim3 b, F k, A... a) {
  std::function<void()> run = [=] {
    std::function<void()> body = [&] { k(a...); };
    runGrid(g, b, body);
  };
  if (capturing) captured.push_back(run);
  else run();
}
}  // namespace emu

#define threadIdx (::emu::tIdx)
#define blockIdx (::emu::bIdx)
#define blockDim (::emu::bDim)
#define gridDim (::emu::gDim)

inline void __syncthreads() { emu::blk->all->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::blk->warps[emu::linearTid / 32]->arrive_and_wait(); }
template <class T>
T __shfl_xor_sync(unsigned, T v, int o) {
  static_assert(sizeof(T) <= 8);
  unsigned lane = emu::linearTid % 32, base = emu::linearTid - lane;
  std::memcpy(&emu::blk->slots[emu::linearTid], &v, sizeof(T));
  __syncwarp();
  T r;
  std::memcpy(&r, &emu::blk->slots[base + (lane ^ unsigned(o))], sizeof(T));
  __syncwarp();
  return r;
}
inline unsigned __umulhi(unsigned a, unsigned b) { return unsigned((uint64_t(a) * b) >> 32); }
inline float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }
inline float __fadd_rn(float a, float b) { volatile float r = a + b; return r; }
inline float __fsub_rn(float a, float b) { volatile float r = a - b; return r; }
inline float __uint2float_rn(unsigned x) { return float(x); }
using std::isfinite;

// ---- runtime API ----
enum cudaError_t { cudaSuccess = 0, cudaErrorInsufficientDriver = 35, cudaErrorNoDevice = 100, cudaErrorInvalidValue = 1 };
enum cudaMemcpyKind { cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice };
enum cudaStreamCaptureMode { cudaStreamCaptureModeRelaxed };
using cudaStream_t = struct CUstream_st*;
struct EmuGraph { std::vector<std::function<void()>> ops; };
using cudaGraph_t = EmuGraph*;
using cudaGraphExec_t = EmuGraph*;
constexpr unsigned cudaStreamNonBlocking = 1;
struct cudaDeviceProp {
  char name[256];
  int major, minor, multiProcessorCount;
  size_t totalGlobalMem;
};
inline const char* cudaGetErrorName(cudaError_t e) { return e == cudaSuccess ? "cudaSuccess" : "cudaErrorEmulated"; }
inline const char* cudaGetErrorString(cudaError_t e) { return e == cudaSuccess ? "no error" : "emulated error"; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaGetDeviceCount(int* n) { *n = 1; return cudaSuccess; }
inline cudaError_t cudaDriverGetVersion(int* v) { *v = 13000; return cudaSuccess; }
inline cudaError_t cudaSetDevice(int) { return cudaSuccess; }
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int) {
  std::strcpy(p->name, "host emulation");
  // TSDL_EMULATED_SMS picks which tile shapes the kernels choose (4: the big tiles of large
  // products on small test shapes; 132: an H100's choices, split-K included).
  const char* sms = std::getenv("TSDL_EMULATED_SMS");
  p->major = 9; p->minor = 0; p->multiProcessorCount = sms ? std::atoi(sms) : 4;
  p->totalGlobalMem = size_t(1) << 30;
  return cudaSuccess;
}
inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) { *s = reinterpret_cast<cudaStream_t>(1); return cudaSuccess; }
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
template <class T>
cudaError_t cudaMalloc(T** p, size_t n) {
  // Filled with 0xff (NaN as float) so a kernel that reads memory it never wrote shows it.
  *p = static_cast<T*>(std::malloc(n));
  std::memset(*p, 0xff, n);
  return *p ? cudaSuccess : cudaErrorInvalidValue;
}
inline cudaError_t cudaFree(void* p) { std::free(p); return cudaSuccess; }
inline cudaError_t cudaMemcpyAsync(void* d, const void* s, size_t n, cudaMemcpyKind, cudaStream_t) {
  if (emu::capturing) {
    emu::captured.push_back([=] { std::memmove(d, s, n); });
    return cudaSuccess;
  }
  std::memmove(d, s, n);
  return cudaSuccess;
}
inline cudaError_t cudaStreamBeginCapture(cudaStream_t, cudaStreamCaptureMode) { emu::capturing = true; emu::captured.clear(); return cudaSuccess; }
inline cudaError_t cudaStreamEndCapture(cudaStream_t, cudaGraph_t* g) { emu::capturing = false; *g = new EmuGraph{emu::captured}; emu::captured.clear(); return cudaSuccess; }
inline cudaError_t cudaGraphInstantiate(cudaGraphExec_t* e, cudaGraph_t g, unsigned long long) { *e = new EmuGraph(*g); return cudaSuccess; }
inline cudaError_t cudaGraphDestroy(cudaGraph_t g) { delete g; return cudaSuccess; }
inline cudaError_t cudaGraphExecDestroy(cudaGraphExec_t g) { delete g; return cudaSuccess; }
inline cudaError_t cudaGraphLaunch(cudaGraphExec_t g, cudaStream_t) { for (auto& f : g->ops) f(); return cudaSuccess; }

inline void* emu_dlopen(const char*, int) { return reinterpret_cast<void*>(1); }
#define dlopen(a, b) emu_dlopen(a, b)
