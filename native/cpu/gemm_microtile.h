// The k loop of the SIMD micro-kernels, shared by gemm_avx2.cc (6×16) and gemm_avx512.cc (6×32).
// Each includes this header in its own translation unit, compiled with its own instruction-set
// flags, and passes a vector type V:
//   V::Reg          the register type; a row of the micro-tile is two of them (2·V::kLanes floats)
//   V::zero/set1/load (aligned)/loadu/storeu/broadcast/mul/fma
//   V::Mask, V::mask(k) (the first k lanes), V::loadMasked/storeMasked (no access past them)
//
// Twelve named accumulators, not an array, so the compiler keeps every one in a register.
#pragma once
#include <immintrin.h>

#include "gemm.h"

namespace tsdl::cpu::gemm {

// Writes alpha·acc (+ beta·C) to C[0:m, 0:n]: rows with plain stores when the tile is whole,
// masked ones at the edge, the same arithmetic either way (alpha·acc + beta·c as one FMA), so an
// output's bits depend neither on the tile it fell in nor on the vector width.
template <class V>
inline void storeTile(const typename V::Reg* acc, float* c, int64_t ldc, int m, int n, float alpha, float beta) {
  using R = typename V::Reg;
  constexpr int L = V::kLanes;
  const bool whole = n == 2 * L;
  const typename V::Mask k0 = V::mask(n < L ? n : L), k1 = V::mask(n > L ? n - L : 0);
  const R va = V::set1(alpha), vb = V::set1(beta);
  for (int i = 0; i < m; ++i) {
    float* r = c + i * ldc;
    R lo = V::mul(va, acc[2 * i]), hi = V::mul(va, acc[2 * i + 1]);
    if (beta != 0.f) {
      R old0 = whole ? V::loadu(r) : V::loadMasked(r, k0), old1 = whole ? V::loadu(r + L) : V::loadMasked(r + L, k1);
      lo = V::fma(va, acc[2 * i], V::mul(vb, old0));
      hi = V::fma(va, acc[2 * i + 1], V::mul(vb, old1));
    }
    if (whole) {
      V::storeu(r, lo);
      V::storeu(r + L, hi);
    } else {
      V::storeMasked(r, k0, lo);
      V::storeMasked(r + L, k1, hi);
    }
  }
}

// Packed: element (i, k) of the A panel is a[k·6 + i]. Strided: a[i·rs + k·cs], read straight
// from the caller's matrix (rows past m repeat the last row; their results are dropped).
// B is a packed panel of 2·V::kLanes floats per k step.
template <class V, bool Packed>
inline void microTile(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b, float* c,
                      int64_t ldc, int m, int n, float alpha, float beta) {
  using R = typename V::Reg;
  constexpr int L = V::kLanes, W = 2 * V::kLanes;
  static_assert(MR == 6, "the loop below is written for 6-row tiles");
  R c00 = V::zero(), c01 = V::zero(), c10 = V::zero(), c11 = V::zero();
  R c20 = V::zero(), c21 = V::zero(), c30 = V::zero(), c31 = V::zero();
  R c40 = V::zero(), c41 = V::zero(), c50 = V::zero(), c51 = V::zero();
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < W; j += 16) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + j), _MM_HINT_T0);

  const float* r0 = a;
  const float* r1 = a + (m > 1 ? 1 : 0) * rs;
  const float* r2 = a + (m > 2 ? 2 : m - 1) * rs;
  const float* r3 = a + (m > 3 ? 3 : m - 1) * rs;
  const float* r4 = a + (m > 4 ? 4 : m - 1) * rs;
  const float* r5 = a + (m > 5 ? 5 : m - 1) * rs;
#define TSDL_A(I, K) (Packed ? a + (K) * 6 + (I) : r##I + (K) * cs)
#define TSDL_STEP(K)                                                       \
  {                                                                        \
    R b0 = V::load(b + (K) * W), b1 = V::load(b + (K) * W + L);            \
    R av = V::broadcast(TSDL_A(0, K));                                     \
    c00 = V::fma(av, b0, c00); c01 = V::fma(av, b1, c01);                  \
    av = V::broadcast(TSDL_A(1, K));                                       \
    c10 = V::fma(av, b0, c10); c11 = V::fma(av, b1, c11);                  \
    av = V::broadcast(TSDL_A(2, K));                                       \
    c20 = V::fma(av, b0, c20); c21 = V::fma(av, b1, c21);                  \
    av = V::broadcast(TSDL_A(3, K));                                       \
    c30 = V::fma(av, b0, c30); c31 = V::fma(av, b1, c31);                  \
    av = V::broadcast(TSDL_A(4, K));                                       \
    c40 = V::fma(av, b0, c40); c41 = V::fma(av, b1, c41);                  \
    av = V::broadcast(TSDL_A(5, K));                                       \
    c50 = V::fma(av, b0, c50); c51 = V::fma(av, b1, c51);                  \
  }
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    // One line of the B panel 16 k steps ahead per 4 steps: the panel is mostly in L1 already
    // (it is reused by every A panel), this only starts its first pass early.
    _mm_prefetch(reinterpret_cast<const char*>(b + 16 * W), _MM_HINT_T0);
    TSDL_STEP(0) TSDL_STEP(1) TSDL_STEP(2) TSDL_STEP(3)
    if (Packed) a += 24;
    else { r0 += 4 * cs; r1 += 4 * cs; r2 += 4 * cs; r3 += 4 * cs; r4 += 4 * cs; r5 += 4 * cs; }
    b += 4 * W;
  }
  for (; k < kc; ++k) {
    TSDL_STEP(0)
    if (Packed) a += 6;
    else { r0 += cs; r1 += cs; r2 += cs; r3 += cs; r4 += cs; r5 += cs; }
    b += W;
  }
#undef TSDL_STEP
#undef TSDL_A
  R acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  storeTile<V>(acc, c, ldc, m, n, alpha, beta);
}

}  // namespace tsdl::cpu::gemm
