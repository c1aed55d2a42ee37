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
  static constexpr int kLanes = 16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_load_ps(p); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }

  // Masked loads and stores write exactly C[0:m, 0:n], edge tiles included.
  static void store(const Reg* acc, float* c, int64_t ldc, int m, int n, float alpha, float beta) {
    __m512 va = _mm512_set1_ps(alpha);
    __mmask16 k0 = static_cast<__mmask16>(n >= 16 ? 0xFFFF : (1u << n) - 1);
    __mmask16 k1 = static_cast<__mmask16>(n >= 32 ? 0xFFFF : n <= 16 ? 0 : (1u << (n - 16)) - 1);
    if (beta == 0.f) {
      for (int i = 0; i < m; ++i) {
        _mm512_mask_storeu_ps(c + i * ldc, k0, _mm512_mul_ps(va, acc[2 * i]));
        _mm512_mask_storeu_ps(c + i * ldc + 16, k1, _mm512_mul_ps(va, acc[2 * i + 1]));
      }
      return;
    }
    __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m; ++i) {
      float* r = c + i * ldc;
      __m512 old0 = _mm512_maskz_loadu_ps(k0, r), old1 = _mm512_maskz_loadu_ps(k1, r + 16);
      _mm512_mask_storeu_ps(r, k0, _mm512_fmadd_ps(va, acc[2 * i], _mm512_mul_ps(vb, old0)));
      _mm512_mask_storeu_ps(r + 16, k1, _mm512_fmadd_ps(va, acc[2 * i + 1], _mm512_mul_ps(vb, old1)));
    }
  }
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
