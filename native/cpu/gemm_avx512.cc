// The AVX-512 6×32 micro-kernel. This file alone is compiled with -mavx512f -mfma; gemm.cc
// calls it only after dispatch.cc found AVX-512F on the CPU (and the OS saving zmm state).
//
// Same shape of loop as the AVX2 6×16 kernel, each row of C twice as wide: 12 zmm accumulators,
// 2 zmm B loads and 6 broadcasts per k step for 12 FMAs of 16 lanes. On a core with full-width
// 512-bit FMA units (AMD Zen 5, Intel server cores) that is twice the AVX2 kernel's work per
// cycle; on one that splits zmm into two halves it is about the same.
#include <immintrin.h>

#include "gemm.h"

namespace tsdl::cpu::gemm {

namespace {
// Packed: element (i, k) of the A panel is a[k·6 + i]. Strided: a[i·rs + k·cs], read straight
// from the caller's matrix (rows past m repeat the last row; their results are dropped).
template <bool Packed>
inline void kernel(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b, float* c,
                   int64_t ldc, int m, int n, float alpha, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  for (int i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
  }

  const float* r0 = a;
  const float* r1 = a + (m > 1 ? 1 : 0) * rs;
  const float* r2 = a + (m > 2 ? 2 : m - 1) * rs;
  const float* r3 = a + (m > 3 ? 3 : m - 1) * rs;
  const float* r4 = a + (m > 4 ? 4 : m - 1) * rs;
  const float* r5 = a + (m > 5 ? 5 : m - 1) * rs;
#define TSDL_A(I, K) (Packed ? a + (K) * 6 + (I) : r##I + (K) * cs)
#define TSDL_STEP(K)                                                                  \
  {                                                                                   \
    __m512 b0 = _mm512_load_ps(b + (K) * 32), b1 = _mm512_load_ps(b + (K) * 32 + 16); \
    __m512 av = _mm512_set1_ps(*TSDL_A(0, K));                                        \
    c00 = _mm512_fmadd_ps(av, b0, c00); c01 = _mm512_fmadd_ps(av, b1, c01);           \
    av = _mm512_set1_ps(*TSDL_A(1, K));                                               \
    c10 = _mm512_fmadd_ps(av, b0, c10); c11 = _mm512_fmadd_ps(av, b1, c11);           \
    av = _mm512_set1_ps(*TSDL_A(2, K));                                               \
    c20 = _mm512_fmadd_ps(av, b0, c20); c21 = _mm512_fmadd_ps(av, b1, c21);           \
    av = _mm512_set1_ps(*TSDL_A(3, K));                                               \
    c30 = _mm512_fmadd_ps(av, b0, c30); c31 = _mm512_fmadd_ps(av, b1, c31);           \
    av = _mm512_set1_ps(*TSDL_A(4, K));                                               \
    c40 = _mm512_fmadd_ps(av, b0, c40); c41 = _mm512_fmadd_ps(av, b1, c41);           \
    av = _mm512_set1_ps(*TSDL_A(5, K));                                               \
    c50 = _mm512_fmadd_ps(av, b0, c50); c51 = _mm512_fmadd_ps(av, b1, c51);           \
  }
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 512), _MM_HINT_T0);
    TSDL_STEP(0) TSDL_STEP(1) TSDL_STEP(2) TSDL_STEP(3)
    if (Packed) a += 24;
    else { r0 += 4 * cs; r1 += 4 * cs; r2 += 4 * cs; r3 += 4 * cs; r4 += 4 * cs; r5 += 4 * cs; }
    b += 128;
  }
  for (; k < kc; ++k) {
    TSDL_STEP(0)
    if (Packed) a += 6;
    else { r0 += cs; r1 += cs; r2 += cs; r3 += cs; r4 += cs; r5 += cs; }
    b += 32;
  }
#undef TSDL_STEP
#undef TSDL_A

  // Masked loads and stores write exactly C[0:m, 0:n], edge tiles included.
  __m512 va = _mm512_set1_ps(alpha);
  __m512 acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  __mmask16 k0 = static_cast<__mmask16>(n >= 16 ? 0xFFFF : (1u << n) - 1);
  __mmask16 k1 = static_cast<__mmask16>(n >= 32 ? 0xFFFF : n <= 16 ? 0 : (1u << (n - 16)) - 1);
  if (beta == 0.f) {
    for (int i = 0; i < m; ++i) {
      _mm512_mask_storeu_ps(c + i * ldc, k0, _mm512_mul_ps(va, acc[2 * i]));
      _mm512_mask_storeu_ps(c + i * ldc + 16, k1, _mm512_mul_ps(va, acc[2 * i + 1]));
    }
  } else {
    __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m; ++i) {
      float* r = c + i * ldc;
      __m512 old0 = _mm512_maskz_loadu_ps(k0, r), old1 = _mm512_maskz_loadu_ps(k1, r + 16);
      _mm512_mask_storeu_ps(r, k0, _mm512_fmadd_ps(va, acc[2 * i], _mm512_mul_ps(vb, old0)));
      _mm512_mask_storeu_ps(r + 16, k1, _mm512_fmadd_ps(va, acc[2 * i + 1], _mm512_mul_ps(vb, old1)));
    }
  }
}
}  // namespace

void microKernelAvx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                       int n, float alpha, float beta) {
  kernel<true>(kc, a, 1, MR, b, c, ldc, m, n, alpha, beta);
}

void microKernelAvx512Strided(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b,
                              float* c, int64_t ldc, int m, int n, float alpha, float beta) {
  kernel<false>(kc, a, rs, cs, b, c, ldc, m, n, alpha, beta);
}

}  // namespace tsdl::cpu::gemm
