// The CPU kernels, one file per family (elementwise.cc, random.cc, gemm.cc, reduce.cc,
// softmax.cc, indexing.cc, optimizers.cc, conv.cc, pool.cc); cpu/backend.cc routes the Backend table to them.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../core/backend.h"

namespace tsdl::cpu {

// Element-wise work goes parallel only above this many elements: below it, waking the pool
// costs more than the loop (a 128×512 activation is 65,536 elements ≈ 10 µs single-threaded).
constexpr int64_t kParallelGrain = 1 << 17;

void random(RandomKind kind, float* out, int64_t count, uint64_t seed, uint64_t offset, float a,
            float b);

void matmul(const float* a, const float* b, float* c, const MatmulArgs& args);
const char* gemmKernelName();  // "AVX-512 6x32", "AVX2+FMA 6x16" or "portable 6x16"

// Which instruction set the element-wise kernels use: "AVX2+FMA" or "baseline".
const char* isaName();
bool useAvx2();    // false when the CPU lacks AVX2/FMA or TSDL_CPU_ISA=baseline
bool useAvx512();  // the GEMM's AVX-512 micro-kernel: AVX-512F CPU, not TSDL_CPU_ISA=avx2/baseline

namespace base {
#include "kernel_decls.inc"
}  // namespace base
namespace avx2 {
#include "kernel_decls.inc"
}  // namespace avx2
#include "kernel_decls.inc"

}  // namespace tsdl::cpu
