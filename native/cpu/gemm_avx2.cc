// The AVX2+FMA 6×16 micro-kernel. This file alone is compiled with -mavx2 -mfma; gemm.cc
// calls it only after __builtin_cpu_supports says the CPU has both.
#include <immintrin.h>

#include "gemm.h"

namespace tsdl::cpu::gemm {

namespace {
// Packed: element (i, k) of the A panel is a[k·6 + i]. Strided: a[i·rs + k·cs], read straight
// from the caller's matrix (rows past m repeat the last row; their results are dropped).
template <bool Packed>
inline void kernel(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b, float* c,
                   int64_t ldc, int m, int n, float alpha, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int i = 0; i < m; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);

  const float* r0 = a;
  const float* r1 = a + (m > 1 ? 1 : 0) * rs;
  const float* r2 = a + (m > 2 ? 2 : m - 1) * rs;
  const float* r3 = a + (m > 3 ? 3 : m - 1) * rs;
  const float* r4 = a + (m > 4 ? 4 : m - 1) * rs;
  const float* r5 = a + (m > 5 ? 5 : m - 1) * rs;
#define TSDL_A(I, K) (Packed ? a + (K) * 6 + (I) : r##I + (K) * cs)
#define TSDL_STEP(K)                                                         \
  {                                                                          \
    __m256 b0 = _mm256_load_ps(b + (K) * 16), b1 = _mm256_load_ps(b + (K) * 16 + 8); \
    __m256 av = _mm256_broadcast_ss(TSDL_A(0, K));                           \
    c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);  \
    av = _mm256_broadcast_ss(TSDL_A(1, K));                                  \
    c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);  \
    av = _mm256_broadcast_ss(TSDL_A(2, K));                                  \
    c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);  \
    av = _mm256_broadcast_ss(TSDL_A(3, K));                                  \
    c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);  \
    av = _mm256_broadcast_ss(TSDL_A(4, K));                                  \
    c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);  \
    av = _mm256_broadcast_ss(TSDL_A(5, K));                                  \
    c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);  \
  }
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 256), _MM_HINT_T0);
    TSDL_STEP(0) TSDL_STEP(1) TSDL_STEP(2) TSDL_STEP(3)
    if (Packed) a += 24;
    else { r0 += 4 * cs; r1 += 4 * cs; r2 += 4 * cs; r3 += 4 * cs; r4 += 4 * cs; r5 += 4 * cs; }
    b += 64;
  }
  for (; k < kc; ++k) {
    TSDL_STEP(0)
    if (Packed) a += 6;
    else { r0 += cs; r1 += cs; r2 += cs; r3 += cs; r4 += cs; r5 += cs; }
    b += 16;
  }
#undef TSDL_STEP
#undef TSDL_A

  __m256 va = _mm256_set1_ps(alpha);
  __m256 acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  if (m == MR && n == NR) {
    if (beta == 0.f) {
      for (int i = 0; i < MR; ++i) {
        _mm256_storeu_ps(c + i * ldc, _mm256_mul_ps(va, acc[2 * i]));
        _mm256_storeu_ps(c + i * ldc + 8, _mm256_mul_ps(va, acc[2 * i + 1]));
      }
    } else {
      __m256 vb = _mm256_set1_ps(beta);
      for (int i = 0; i < MR; ++i) {
        float* r = c + i * ldc;
        _mm256_storeu_ps(r, _mm256_fmadd_ps(va, acc[2 * i], _mm256_mul_ps(vb, _mm256_loadu_ps(r))));
        _mm256_storeu_ps(r + 8, _mm256_fmadd_ps(va, acc[2 * i + 1], _mm256_mul_ps(vb, _mm256_loadu_ps(r + 8))));
      }
    }
    return;
  }
  // Edge tile: through a scratch tile so nothing outside C[0:m, 0:n] is touched.
  alignas(32) float t[MR * NR];
  for (int i = 0; i < MR; ++i) {
    _mm256_store_ps(t + i * NR, _mm256_mul_ps(va, acc[2 * i]));
    _mm256_store_ps(t + i * NR + 8, _mm256_mul_ps(va, acc[2 * i + 1]));
  }
  for (int i = 0; i < m; ++i) {
    float* r = c + i * ldc;
    if (beta == 0.f)
      for (int j = 0; j < n; ++j) r[j] = t[i * NR + j];
    else
      for (int j = 0; j < n; ++j) r[j] = t[i * NR + j] + beta * r[j];
  }
}
}  // namespace

namespace {
inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// R rows of A × C columns of Bt, each a dot product over k: R·C accumulators of 8 lanes, one A
// load feeding C FMAs. 5×2 keeps 10 accumulators + 2 B + 1 A in registers and issues 7 loads
// per 10 FMAs, so the FMA ports set the pace.
template <int R, int C>
inline void dots(int64_t k, const float* a, int64_t lda, const float* bt, float* c, int64_t ldc,
                 float alpha, float beta) {
  __m256 acc[R][C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) acc[i][j] = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 b[C];
    for (int j = 0; j < C; ++j) b[j] = _mm256_loadu_ps(bt + j * k + p);
    for (int i = 0; i < R; ++i) {
      __m256 av = _mm256_loadu_ps(a + i * lda + p);
      for (int j = 0; j < C; ++j) acc[i][j] = _mm256_fmadd_ps(av, b[j], acc[i][j]);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      float s = hsum(acc[i][j]);
      for (int64_t q = p; q < k; ++q) s += a[i * lda + q] * bt[j * k + q];
      float* out = c + i * ldc + j;
      *out = beta == 0.f ? alpha * s : alpha * s + beta * *out;
    }
}

template <int R>
inline void rowBlock(int64_t n, int64_t k, const float* a, int64_t lda, const float* bt, float* c,
                     int64_t ldc, float alpha, float beta) {
  int64_t j = 0;
  for (; j + 2 <= n; j += 2) dots<R, 2>(k, a, lda, bt + j * k, c + j, ldc, alpha, beta);
  if (j < n) dots<R, 1>(k, a, lda, bt + j * k, c + j, ldc, alpha, beta);
}
}  // namespace

void narrowAvx2(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* bt,
                float* c, int64_t ldc, float alpha, float beta) {
  int64_t i = 0;
  for (; i + 5 <= m; i += 5) rowBlock<5>(n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta);
  switch (m - i) {
    case 4: rowBlock<4>(n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta); break;
    case 3: rowBlock<3>(n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta); break;
    case 2: rowBlock<2>(n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta); break;
    case 1: rowBlock<1>(n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta); break;
    default: break;
  }
}

void microKernelAvx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                     int n, float alpha, float beta) {
  kernel<true>(kc, a, 1, MR, b, c, ldc, m, n, alpha, beta);
}

void microKernelAvx2Strided(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b,
                            float* c, int64_t ldc, int m, int n, float alpha, float beta) {
  kernel<false>(kc, a, rs, cs, b, c, ldc, m, n, alpha, beta);
}

}  // namespace tsdl::cpu::gemm
