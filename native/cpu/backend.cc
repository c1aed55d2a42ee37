// The CPU backend: the Backend table routed to the kernels in this folder.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "../core/registry.h"
#include "kernels.h"
#include "threadpool.h"

namespace tsdl {
namespace {

// The machine's physical memory in bytes (SIZE_MAX when the system does not say).
size_t physicalMemory() {
  static const size_t bytes = [] {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(size) : SIZE_MAX;
  }();
  return bytes;
}

/**
 * Freed buffers kept for the next allocation of the same size. A training step asks for the same
 * sizes every step; handed back to malloc, the large ones went back to the system (or were
 * fragmented) and every step faulted its pages in again: the book's convnet took ~2,000 page
 * faults per step, half of its time (16–22 s per epoch against ~8 once nothing faulted). PyTorch
 * and TensorFlow keep CPU blocks too (TF's BFC allocator). Blocks are keyed by their size rounded
 * to 64 bytes (the alignment); each carries its size in a 64-byte header. At most CAP bytes are
 * kept: a block that does not fit evicts cached blocks of other sizes first (the sizes of the
 * current loop are the ones being freed), and a block over MAX_BLOCK always goes back to the
 * system (one-off intermediates, like a dataset's float32 copy).
 */
class BlockCache {
 public:
  static constexpr size_t HEADER = 64;
  static constexpr size_t MAX_BLOCK = size_t(64) << 20;

  void* take(size_t bytes) {
    size_t size = ((bytes + 63) / 64) * 64;
    if (size == 0) size = 64;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* base = it->second.back();
        it->second.pop_back();
        cached_ -= size;
        return static_cast<char*>(base) + HEADER;
      }
    }
    void* base = std::aligned_alloc(64, size + HEADER);
    if (!base) return nullptr;
    *static_cast<size_t*>(base) = size;
    return static_cast<char*>(base) + HEADER;
  }

  void give(void* p) {
    if (!p) return;
    void* base = static_cast<char*>(p) - HEADER;
    size_t size = *static_cast<size_t*>(base);
    if (size > MAX_BLOCK || size > cap()) return std::free(base);
    std::vector<void*> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = free_.begin(); cached_ + size > cap() && it != free_.end(); ++it) {
        if (it->first == size) continue;
        for (void* b : it->second) evicted.push_back(b), cached_ -= it->first;
        it->second.clear();
      }
      if (cached_ + size <= cap()) {
        free_[size].push_back(base);
        cached_ += size;
        base = nullptr;
      }
    }
    for (void* b : evicted) std::free(b);
    if (base) std::free(base);
  }

 private:
  // 512 MiB, or an eighth of the machine's memory where that is less.
  static size_t cap() {
    static const size_t bytes = std::min(size_t(512) << 20, physicalMemory() / 8);
    return bytes;
  }
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_ = 0;
};

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }
  std::string device() const override { return "cpu"; }
  std::string description() const override {
    int t = cpu::threads();
    return std::string("cpu: ") + cpu::gemmKernelName() + " GEMM, " + std::to_string(t) +
           (t == 1 ? " thread" : " threads");
  }

  void* alloc(size_t bytes) override {
    // A buffer larger than the machine's memory is refused here, whatever the overcommit policy:
    // with vm.overcommit_memory=1 the allocation would succeed and the OOM killer end the
    // process (the kernel, and the session with it) while the buffer is filled.
    if (bytes > physicalMemory()) return nullptr;
    return blocks_.take(bytes);
  }
  void free(void* p) override { blocks_.give(p); }
  void upload(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void download(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy(void* dst, const void* src, size_t bytes) override { std::memmove(dst, src, bytes); }
  void fill(void* dst, DType dt, double v, int64_t n) override { cpu::fill(dst, dt, v, n); }
  void cast(const void* s, DType st, void* d, DType dt, int64_t n) override { cpu::cast(s, st, d, dt, n); }
  void synchronize() override {}

  void random(RandomKind k, float* out, int64_t n, uint64_t seed, uint64_t off, float a, float b) override {
    cpu::random(k, out, n, seed, off, a, b);
  }

  void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) override {
    cpu::unary(op, x, out, n, alpha);
  }
  void unaryGrad(UnaryOp op, const float* s, const float* dy, float* dx, int64_t n, float alpha) override {
    cpu::unaryGrad(op, s, dy, dx, n, alpha);
  }
  void binary(BinaryOp op, DType it, const void* a, const Shape& as, const void* b, const Shape& bs,
              DType ot, void* out, const Shape& os) override {
    cpu::binary(op, it, a, as, b, bs, ot, out, os);
  }
  void binaryScalar(BinaryOp op, DType it, const void* a, double s, DType ot, void* out, int64_t n,
                    bool first) override {
    cpu::binaryScalar(op, it, a, s, ot, out, n, first);
  }
  void where(const uint8_t* c, DType dt, const void* a, const void* b, void* out, int64_t n) override {
    cpu::where(c, dt, a, b, out, n);
  }

  void matmul(const float* a, const float* b, float* c, const MatmulArgs& args) override {
    cpu::matmul(a, b, c, args);
  }
  void transpose(const void* x, size_t es, const Shape& s, const int* perm, void* out) override {
    cpu::transpose(x, es, s, perm, out);
  }

  void conv2d(const float* x, const float* w, float* y, const Conv2dArgs& a) override { cpu::conv2d(x, w, y, a); }
  void conv2dInputGrad(const float* dy, const float* w, float* dx, const Conv2dArgs& a) override {
    cpu::conv2dInputGrad(dy, w, dx, a);
  }
  void conv2dKernelGrad(const float* x, const float* dy, float* dw, const Conv2dArgs& a) override {
    cpu::conv2dKernelGrad(x, dy, dw, a);
  }
  void pool2d(PoolOp op, const float* x, float* y, int32_t* arg, const Pool2dArgs& a) override {
    cpu::pool2d(op, x, y, arg, a);
  }
  void pool2dGrad(PoolOp op, const float* dy, const int32_t* arg, float* dx, const Pool2dArgs& a) override {
    cpu::pool2dGrad(op, dy, arg, dx, a);
  }

  void reduce(ReduceOp op, const float* x, const Shape& s, const bool* red, float* out) override {
    cpu::reduce(op, x, s, red, out);
  }
  void argReduce(ArgReduceOp op, const float* x, const Shape& s, int axis, int32_t* out) override {
    cpu::argReduce(op, x, s, axis, out);
  }

  void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) override {
    cpu::softmax(x, out, rows, cols, log);
  }
  void softmaxCrossEntropy(const float* l, const void* y, bool sparse, int64_t rows, int64_t cols,
                           float* loss, float* grad, float scale) override {
    cpu::softmaxCrossEntropy(l, y, sparse, rows, cols, loss, grad, scale);
  }

  void gather(const void* x, size_t es, int64_t rs, int64_t /*srcRows: checked by the binding*/, const int32_t* idx,
              int64_t n, void* out) override {
    cpu::gather(x, es, rs, idx, n, out);
  }
  void oneHot(const int32_t* idx, int64_t n, int64_t depth, float* out) override {
    cpu::oneHot(idx, n, depth, out);
  }

  void sgdUpdate(const OptimizerSlot* s, int n, float lr, float mom, bool nest) override {
    cpu::sgdUpdate(s, n, lr, mom, nest);
  }
  void rmspropUpdate(const OptimizerSlot* s, int n, float lr, float rho, float eps) override {
    cpu::rmspropUpdate(s, n, lr, rho, eps);
  }
  void adamUpdate(const OptimizerSlot* s, int n, float lr, float b1, float b2, float eps, int64_t step,
                  float wd) override {
    cpu::adamUpdate(s, n, lr, b1, b2, eps, step, wd);
  }
  void adagradUpdate(const OptimizerSlot* s, int n, float lr, float eps) override {
    cpu::adagradUpdate(s, n, lr, eps);
  }

 private:
  // Never destroyed: a buffer's finalizer may run after static destructors, at process exit.
  BlockCache& blocks_ = *new BlockCache;
};

}  // namespace

Backend* cpuBackend() {
  static CpuBackend b;
  return &b;
}

}  // namespace tsdl
