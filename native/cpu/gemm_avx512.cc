// The AVX-512 6×32 micro-kernel. This file alone is compiled with -mavx512f -mfma; gemm.cc
// calls it only after dispatch.cc found AVX-512F on the CPU (and the OS saving zmm state).
//
// The AVX2 6×16 kernel's loop (gemm_microtile.h), each row of C twice as wide: 12 zmm accumulators,
// 2 zmm B loads and 6 broadcasts per k step for 12 FMAs of 16 lanes. On a core with full-width
// 512-bit FMA units (AMD Zen 5, Intel server cores) that is twice the AVX2 kernel's work per
// cycle; on one that splits zmm into two halves it is about the same.
#include <immintrin.h>

#include "gemm.h"
#include "gemm_microtile.h"

namespace tsdl::cpu::gemm {

namespace {
struct Avx512 {
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg load(const float* p) { return _mm512_load_ps(p); }
  static Reg loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Mask mask(int k) { return static_cast<Mask>(k >= 16 ? 0xFFFFu : (1u << k) - 1); }
  static Reg loadMasked(const float* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  static void storeMasked(float* p, Mask k, Reg v) { _mm512_mask_storeu_ps(p, k, v); }
};
static_assert(2 * Avx512::kLanes == NR512, "a tile row is two registers");
}  // namespace

void microKernelAvx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                       int n, float alpha, float beta) {
  microTile<Avx512, true>(kc, a, 1, MR, b, c, ldc, m, n, alpha, beta);
}

void microKernelAvx512Strided(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b,
                              float* c, int64_t ldc, int m, int n, float alpha, float beta) {
  microTile<Avx512, false>(kc, a, rs, cs, b, c, ldc, m, n, alpha, beta);
}

}  // namespace tsdl::cpu::gemm
