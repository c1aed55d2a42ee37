// The AVX2+FMA 6×16 micro-kernel (its k loop in gemm_microtile.h) and the narrow dot-product
// kernel. This file alone is compiled with -mavx2 -mfma; gemm.cc calls it only after
// __builtin_cpu_supports says the CPU has both.
#include <immintrin.h>

#include "gemm.h"
#include "gemm_microtile.h"

namespace tsdl::cpu::gemm {

namespace {
struct Avx2 {
  using Reg = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg load(const float* p) { return _mm256_load_ps(p); }
  static Reg loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Mask mask(int k) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  static Reg loadMasked(const float* p, Mask k) { return _mm256_maskload_ps(p, k); }
  static void storeMasked(float* p, Mask k, Reg v) { _mm256_maskstore_ps(p, k, v); }
};
static_assert(2 * Avx2::kLanes == NR, "a tile row is two registers");

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
  microTile<Avx2, true>(kc, a, 1, MR, b, c, ldc, m, n, alpha, beta);
}

void microKernelAvx2Strided(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b,
                            float* c, int64_t ldc, int m, int n, float alpha, float beta) {
  microTile<Avx2, false>(kc, a, rs, cs, b, c, ldc, m, n, alpha, beta);
}

}  // namespace tsdl::cpu::gemm
