// The CUDA backend: the Backend table of native/core/backend.h routed to the kernels in this
// folder, on one device, one stream and one memory pool. Loaded with dlopen by
// native/core/registry.cc through the C function tsdl_create_cuda_backend, so a machine without
// a GPU (or without a driver) never touches this library's CUDA code and runs on the CPU.
//
// Nothing here waits for the device except download() and synchronize(): kernels are queued on
// the stream and the host goes on, which is what keeps a training step launch-bound, not
// latency-bound.
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace tsdl::cuda {
namespace {

std::atomic<int> gPrecision{int(Precision::FP32)};

bool parsePrecision(const char* s, Precision* out) {
  if (!s) return false;
  if (std::strcmp(s, "fp32") == 0) { *out = Precision::FP32; return true; }
  if (std::strcmp(s, "tf32") == 0) { *out = Precision::TF32; return true; }
  if (std::strcmp(s, "bf16") == 0) { *out = Precision::BF16; return true; }
  return false;
}

std::string gib(size_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f GiB", double(bytes) / (1024.0 * 1024.0 * 1024.0));
  return b;
}

__global__ void probeKernel(int* p) { *p = 42; }

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, const cudaDeviceProp& prop, cudaStream_t stream)
      : device_(device), prop_(prop) {
    ctx_.stream = stream;
    ctx_.pool = &pool_;
    ctx_.workspace = &workspace_;
    ctx_.patches = &patches_;
    ctx_.smCount = prop.multiProcessorCount;
  }

  const char* name() const override { return "cuda"; }
  std::string device() const override { return "cuda:" + std::to_string(device_); }
  std::string description() const override {
    return std::string("cuda: ") + prop_.name + " (sm_" + std::to_string(prop_.major) +
           std::to_string(prop_.minor) + ", " + std::to_string(prop_.multiProcessorCount) + " SMs, " +
           gib(prop_.totalGlobalMem) + "), matmul precision " +
           precisionName(Precision(gPrecision.load()));
  }

  // ---- memory ----
  void* alloc(size_t bytes) override { return pool_.alloc(bytes); }
  void free(void* p) override { pool_.free(p); }
  void upload(void* dst, const void* src, size_t bytes) override {
    // From pageable memory this returns once the data is staged, so the caller may reuse `src`.
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, ctx_.stream), "upload");
  }
  void download(void* dst, const void* src, size_t bytes) override {
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, ctx_.stream), "download");
    check(cudaStreamSynchronize(ctx_.stream), "download (a kernel queued earlier failed)");
  }
  void copy(void* dst, const void* src, size_t bytes) override {
    if (dst == src || bytes == 0) return;
    auto d = static_cast<char*>(dst);
    auto s = static_cast<const char*>(src);
    if (d < s + bytes && s < d + bytes) {
      // Overlapping ranges (memmove semantics, as the CPU backend): through the workspace.
      void* tmp = workspace_.get(bytes);
      check(cudaMemcpyAsync(tmp, src, bytes, cudaMemcpyDeviceToDevice, ctx_.stream), "copy");
      check(cudaMemcpyAsync(dst, tmp, bytes, cudaMemcpyDeviceToDevice, ctx_.stream), "copy");
      return;
    }
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, ctx_.stream), "copy");
  }
  void fill(void* dst, DType dt, double v, int64_t n) override { cuda::fill(ctx_, dst, dt, v, n); }
  void cast(const void* s, DType st, void* d, DType dt, int64_t n) override { cuda::cast(ctx_, s, st, d, dt, n); }
  void synchronize() override { check(cudaStreamSynchronize(ctx_.stream), "synchronize"); }

  void random(RandomKind k, float* out, int64_t n, uint64_t seed, uint64_t off, float a, float b) override {
    cuda::random(ctx_, k, out, n, seed, off, a, b);
  }

  void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) override {
    cuda::unary(ctx_, op, x, out, n, alpha);
  }
  void unaryGrad(UnaryOp op, const float* s, const float* dy, float* dx, int64_t n, float alpha) override {
    cuda::unaryGrad(ctx_, op, s, dy, dx, n, alpha);
  }
  void binary(BinaryOp op, DType it, const void* a, const Shape& as, const void* b, const Shape& bs,
              DType ot, void* out, const Shape& os) override {
    cuda::binary(ctx_, op, it, a, as, b, bs, ot, out, os);
  }
  void binaryScalar(BinaryOp op, DType it, const void* a, double s, DType ot, void* out, int64_t n,
                    bool first) override {
    cuda::binaryScalar(ctx_, op, it, a, s, ot, out, n, first);
  }
  void where(const uint8_t* c, DType dt, const void* a, const void* b, void* out, int64_t n) override {
    cuda::where(ctx_, c, dt, a, b, out, n);
  }

  void matmul(const float* a, const float* b, float* c, const MatmulArgs& args) override {
    cuda::matmul(ctx_, a, b, c, args, Precision(gPrecision.load()));
  }
  void transpose(const void* x, size_t es, const Shape& s, const int* perm, void* out) override {
    cuda::transpose(ctx_, x, es, s, perm, out);
  }

  void conv2d(const float* x, const float* w, float* y, const Conv2dArgs& a) override {
    cuda::conv2d(ctx_, x, w, y, a, Precision(gPrecision.load()));
  }
  void conv2dInputGrad(const float* dy, const float* w, float* dx, const Conv2dArgs& a) override {
    cuda::conv2dInputGrad(ctx_, dy, w, dx, a, Precision(gPrecision.load()));
  }
  void conv2dKernelGrad(const float* x, const float* dy, float* dw, const Conv2dArgs& a) override {
    cuda::conv2dKernelGrad(ctx_, x, dy, dw, a, Precision(gPrecision.load()));
  }
  void pool2d(PoolOp op, const float* x, float* y, int32_t* arg, const Pool2dArgs& a) override {
    cuda::pool2d(ctx_, op, x, y, arg, a);
  }
  void pool2dGrad(PoolOp op, const float* dy, const int32_t* arg, float* dx, const Pool2dArgs& a) override {
    cuda::pool2dGrad(ctx_, op, dy, arg, dx, a);
  }

  void reduce(ReduceOp op, const float* x, const Shape& s, const bool* red, float* out) override {
    cuda::reduce(ctx_, op, x, s, red, out);
  }
  void argReduce(ArgReduceOp op, const float* x, const Shape& s, int axis, int32_t* out) override {
    cuda::argReduce(ctx_, op, x, s, axis, out);
  }

  void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) override {
    cuda::softmax(ctx_, x, out, rows, cols, log);
  }
  void softmaxCrossEntropy(const float* l, const void* y, bool sparse, int64_t rows, int64_t cols,
                           float* loss, float* grad, float scale) override {
    cuda::softmaxCrossEntropy(ctx_, l, y, sparse, rows, cols, loss, grad, scale);
  }

  void gather(const void* x, size_t es, int64_t rs, int64_t srcRows, const int32_t* idx, int64_t n,
              void* out) override {
    cuda::gather(ctx_, x, es, rs, srcRows, idx, n, out);
  }
  void oneHot(const int32_t* idx, int64_t n, int64_t depth, float* out) override {
    cuda::oneHot(ctx_, idx, n, depth, out);
  }

  void sgdUpdate(const OptimizerSlot* s, int n, float lr, float mom, bool nest) override {
    cuda::sgdUpdate(ctx_, s, n, lr, mom, nest);
  }
  void rmspropUpdate(const OptimizerSlot* s, int n, float lr, float rho, float eps) override {
    cuda::rmspropUpdate(ctx_, s, n, lr, rho, eps);
  }
  void adamUpdate(const OptimizerSlot* s, int n, float lr, float b1, float b2, float eps, int64_t step,
                  float wd) override {
    cuda::adamUpdate(ctx_, s, n, lr, b1, b2, eps, step, wd);
  }
  void adagradUpdate(const OptimizerSlot* s, int n, float lr, float eps) override {
    cuda::adagradUpdate(ctx_, s, n, lr, eps);
  }

  // ---- CUDA graphs (an extension outside the Backend seam; see tsdl_cuda_graph_* below) ----
  // Capture records every kernel and copy queued on the stream, without running them; replay
  // launches the whole recorded step with one call. Relaxed mode, because the pool may have to
  // cudaMalloc a block the first time a captured step asks for it.
  void beginCapture() {
    check(cudaStreamBeginCapture(ctx_.stream, cudaStreamCaptureModeRelaxed), "graph capture begin");
  }
  int endCapture() {
    cudaGraph_t graph = nullptr;
    check(cudaStreamEndCapture(ctx_.stream, &graph), "graph capture end");
    cudaGraphExec_t exec = nullptr;
    cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    check(e, "graph instantiate");
    std::lock_guard<std::mutex> lock(graphMu_);
    for (size_t i = 0; i < graphs_.size(); ++i)
      if (!graphs_[i]) { graphs_[i] = exec; return int(i); }
    graphs_.push_back(exec);
    return int(graphs_.size() - 1);
  }
  void replay(int id) {
    cudaGraphExec_t exec = graphAt(id);
    if (!exec) throw std::runtime_error("cuda: graph replay: no graph " + std::to_string(id));
    check(cudaGraphLaunch(exec, ctx_.stream), "graph replay");
  }
  void release(int id) {
    std::lock_guard<std::mutex> lock(graphMu_);
    if (id >= 0 && size_t(id) < graphs_.size() && graphs_[size_t(id)]) {
      cudaGraphExecDestroy(graphs_[size_t(id)]);
      graphs_[size_t(id)] = nullptr;
    }
  }

 private:
  int device_;
  cudaDeviceProp prop_;
  Pool pool_;
  Workspace workspace_{&pool_};
  Workspace patches_{&pool_};
  Ctx ctx_{};
  std::mutex graphMu_;
  std::vector<cudaGraphExec_t> graphs_;

  cudaGraphExec_t graphAt(int id) {
    std::lock_guard<std::mutex> lock(graphMu_);
    return id >= 0 && size_t(id) < graphs_.size() ? graphs_[size_t(id)] : nullptr;
  }
};

void setWhy(char* why, size_t len, const std::string& s) {
  if (why && len > 0) std::snprintf(why, len, "%s", s.c_str());
}

CudaBackend* gBackend = nullptr;

}  // namespace
}  // namespace tsdl::cuda

#define TSDL_EXPORT extern "C" __attribute__((visibility("default")))

// Returns the backend for the first usable GPU (TSDL_CUDA_DEVICE picks another), or null with
// `why` saying what is missing in words a person can act on. Called once per process.
TSDL_EXPORT tsdl::Backend* tsdl_create_cuda_backend(char* why, size_t whyLen) {
  using namespace tsdl::cuda;
  if (gBackend) return gBackend;
  // The runtime loads the driver itself, but its error for a missing driver is a bare code:
  // look first, so the reason says which file is missing.
  if (!dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    const char* e = dlerror();
    setWhy(why, whyLen, std::string("no CUDA driver (") + (e ? e : "libcuda.so.1 not found") + ")");
    return nullptr;
  }
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorInsufficientDriver) {
    int drv = 0;
    cudaDriverGetVersion(&drv);
    setWhy(why, whyLen, "the CUDA driver (version " + std::to_string(drv / 1000) + "." +
                            std::to_string(drv % 1000 / 10) + ") is older than this build's CUDA " +
                            std::to_string(CUDART_VERSION / 1000) + "." +
                            std::to_string(CUDART_VERSION % 1000 / 10) + " runtime; update the driver");
    return nullptr;
  }
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    setWhy(why, whyLen, "no CUDA device (the driver is installed but sees no GPU)");
    return nullptr;
  }
  if (e != cudaSuccess) {
    setWhy(why, whyLen, std::string("CUDA initialisation failed: ") + cudaGetErrorName(e) + " (" +
                            cudaGetErrorString(e) + ")");
    return nullptr;
  }
  int dev = 0;
  if (const char* s = std::getenv("TSDL_CUDA_DEVICE")) dev = std::atoi(s);
  if (dev < 0 || dev >= count) {
    setWhy(why, whyLen, "TSDL_CUDA_DEVICE=" + std::to_string(dev) + " but there are " +
                            std::to_string(count) + " CUDA device(s)");
    return nullptr;
  }
  cudaDeviceProp prop{};
  if ((e = cudaGetDeviceProperties(&prop, dev)) != cudaSuccess) {
    setWhy(why, whyLen, std::string("cudaGetDeviceProperties failed: ") + cudaGetErrorString(e));
    return nullptr;
  }
  if (prop.major < 8) {
    setWhy(why, whyLen, std::string(prop.name) + " is sm_" + std::to_string(prop.major) +
                            std::to_string(prop.minor) +
                            "; this build has code for sm_80 and newer (Ampere, Hopper, and later through PTX)");
    return nullptr;
  }
  cudaStream_t stream = nullptr;
  int* probe = nullptr;
  int host = 0;
  if ((e = cudaSetDevice(dev)) != cudaSuccess ||
      (e = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking)) != cudaSuccess ||
      (e = cudaMalloc(&probe, sizeof(int))) != cudaSuccess) {
    setWhy(why, whyLen, std::string("CUDA context creation failed: ") + cudaGetErrorString(e));
    return nullptr;
  }
  // One tiny kernel proves this binary has code the GPU can run (a "no kernel image" error
  // otherwise shows only at the first real op).
  probeKernel<<<1, 1, 0, stream>>>(probe);
  e = cudaGetLastError();
  if (e == cudaSuccess) e = cudaMemcpyAsync(&host, probe, sizeof(int), cudaMemcpyDeviceToHost, stream);
  if (e == cudaSuccess) e = cudaStreamSynchronize(stream);
  cudaFree(probe);
  if (e != cudaSuccess || host != 42) {
    setWhy(why, whyLen, std::string("a test kernel failed on ") + prop.name + ": " + cudaGetErrorString(e));
    return nullptr;
  }
  Precision p;
  if (parsePrecision(std::getenv("TSDL_CUDA_PRECISION"), &p)) gPrecision = int(p);
  // Never destroyed: buffers may be freed by finalizers until the very end of the process.
  gBackend = new CudaBackend(dev, prop, stream);
  return gBackend;
}

// The matmul precision: "fp32" (CUDA cores, the default), "tf32" or "bf16" (tensor cores, FP32
// accumulation). Returns 0, or -1 for an unknown name. Applies to matmuls queued afterwards.
TSDL_EXPORT int tsdl_cuda_set_precision(const char* name) {
  tsdl::cuda::Precision p;
  if (!tsdl::cuda::parsePrecision(name, &p)) return -1;
  tsdl::cuda::gPrecision = int(p);
  return 0;
}

TSDL_EXPORT const char* tsdl_cuda_get_precision() {
  return tsdl::cuda::precisionName(tsdl::cuda::Precision(tsdl::cuda::gPrecision.load()));
}

// ---- CUDA graphs: capture a training step once, replay it with one launch ----
// An extension outside the Backend seam (the runtime reaches it with dlsym, like the precision
// setting). Every function returns 0 (or a graph id >= 0) on success and -1 with `why` filled
// on failure. The rules a caller must keep (README.md, "CUDA graphs"):
//  - between begin and end: no download, no synchronize, no upload from pageable memory;
//  - the graph holds raw pointers: every buffer the captured step touched must stay allocated
//    (not released to the pool) until the graph is released;
//  - a replay runs the same kernels on the same pointers with the same scalar arguments, so
//    whatever changes per step (the batch, Adam's step) must live in device memory.
namespace {
template <class F>
int guarded(char* why, size_t len, F&& f) {
  using namespace tsdl::cuda;
  if (!gBackend) { setWhy(why, len, "the CUDA backend is not created"); return -1; }
  try {
    return f();
  } catch (const std::exception& e) {
    setWhy(why, len, e.what());
    return -1;
  }
}
}  // namespace

TSDL_EXPORT int tsdl_cuda_graph_begin(char* why, size_t len) {
  return guarded(why, len, [] { tsdl::cuda::gBackend->beginCapture(); return 0; });
}
TSDL_EXPORT int tsdl_cuda_graph_end(char* why, size_t len) {
  return guarded(why, len, [] { return tsdl::cuda::gBackend->endCapture(); });
}
TSDL_EXPORT int tsdl_cuda_graph_replay(int id, char* why, size_t len) {
  return guarded(why, len, [id] { tsdl::cuda::gBackend->replay(id); return 0; });
}
TSDL_EXPORT int tsdl_cuda_graph_release(int id, char* why, size_t len) {
  return guarded(why, len, [id] { tsdl::cuda::gBackend->release(id); return 0; });
}
