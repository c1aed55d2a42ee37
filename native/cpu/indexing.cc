// Data movement: transpose (any permutation), gather of rows, one-hot.
#include <cstring>

#include "kernels.h"
#include "threadpool.h"

// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` (any x86-64) or `avx2`.
namespace tsdl::cpu::TSDL_ISA {
namespace {

template <class T>
void transposeT(const T* x, const Shape& shape, const int* perm, T* out) {
  int nd = shape.ndim;
  int64_t inStride[kMaxDims] = {}, odims[kMaxDims] = {}, ostr[kMaxDims] = {};
  {
    int64_t s = 1;
    for (int i = nd - 1; i >= 0; --i) { inStride[i] = s; s *= shape.dims[i]; }
  }
  for (int i = 0; i < nd; ++i) { odims[i] = shape.dims[perm[i]]; ostr[i] = inStride[perm[i]]; }
  int64_t total = shape.size();
  if (total == 0) return;
  if (nd == 0) { out[0] = x[0]; return; }
  // 2-D (the common case: a matrix transpose) goes in cache blocks of 32×32.
  if (nd == 2 && perm[0] == 1) {
    int64_t R = shape.dims[0], C = shape.dims[1];  // out is C×R
    constexpr int64_t B = 32;
    parallelRange((C + B - 1) / B, total >= 2 * kParallelGrain ? 1 : (C + B - 1) / B, [&](int64_t cb, int64_t ce, int) {
      for (int64_t c0 = cb * B; c0 < std::min(C, ce * B); c0 += B)
        for (int64_t r0 = 0; r0 < R; r0 += B)
          for (int64_t c = c0; c < std::min(C, c0 + B); ++c)
            for (int64_t r = r0; r < std::min(R, r0 + B); ++r) out[c * R + r] = x[r * C + c];
    });
    return;
  }
  int64_t inner = odims[nd - 1], istr = ostr[nd - 1];
  int64_t rows = total / inner;
  parallelRange(rows, total >= 2 * kParallelGrain ? std::max<int64_t>(1, kParallelGrain / inner) : rows, [&](int64_t rb, int64_t re, int) {
    int64_t idx[kMaxDims] = {0};
    int64_t r = rb;
    for (int i = nd - 2; i >= 0; --i) { idx[i] = r % odims[i]; r /= odims[i]; }
    for (int64_t row = rb; row < re; ++row) {
      int64_t off = 0;
      for (int i = 0; i < nd - 1; ++i) off += idx[i] * ostr[i];
      T* o = out + row * inner;
      for (int64_t j = 0; j < inner; ++j) o[j] = x[off + j * istr];
      for (int i = nd - 2; i >= 0; --i) {
        if (++idx[i] < odims[i]) break;
        idx[i] = 0;
      }
    }
  });
}

}  // namespace

void transpose(const void* x, size_t es, const Shape& shape, const int* perm, void* out) {
  if (es == 4) transposeT(static_cast<const uint32_t*>(x), shape, perm, static_cast<uint32_t*>(out));
  else transposeT(static_cast<const uint8_t*>(x), shape, perm, static_cast<uint8_t*>(out));
}

void gather(const void* x, size_t es, int64_t rowSize, const int32_t* indices, int64_t count,
            void* out) {
  size_t rowBytes = static_cast<size_t>(rowSize) * es;
  const char* src = static_cast<const char*>(x);
  char* dst = static_cast<char*>(out);
  // Split from 256 KiB up (a batch of 128 MNIST rows is 392 KiB): the copy waits on cache and
  // TLB misses, so a second thread halves it even when the bytes are few.
  int64_t bytes = count * rowSize * int64_t(es);
  parallelRange(count, bytes >= 2 * kParallelGrain ? 1 : count,
                [&](int64_t b, int64_t e, int) {
                  // Rows picked at random from a large dataset each miss the caches (and the
                  // TLB): ask for the row a few places ahead while this one is copied, so the
                  // misses overlap instead of queueing one after another.
                  constexpr int64_t kAhead = 4;
                  for (int64_t i = b; i < e; ++i) {
                    if (i + kAhead < e) {
                      const char* next = src + int64_t(indices[i + kAhead]) * rowBytes;
                      for (size_t off = 0; off < rowBytes; off += 64) __builtin_prefetch(next + off);
                    }
                    std::memcpy(dst + i * rowBytes, src + int64_t(indices[i]) * rowBytes, rowBytes);
                  }
                });
}

void oneHot(const int32_t* indices, int64_t count, int64_t depth, float* out) {
  std::memset(out, 0, static_cast<size_t>(count * depth) * sizeof(float));
  for (int64_t i = 0; i < count; ++i) out[i * depth + indices[i]] = 1.f;
}

}  // namespace tsdl::cpu::TSDL_ISA
