// Internals of the CPU GEMM shared by gemm.cc (driver, packing, portable micro-kernel),
// gemm_avx2.cc (the AVX2+FMA micro-kernel, compiled with -mavx2 -mfma) and gemm_avx512.cc (the
// AVX-512 micro-kernel, compiled with -mavx512f -mfma).
#pragma once
#include <cstdint>

namespace tsdl::cpu::gemm {

// Micro-tile 6×16: with AVX2 a 16-float row of C is two ymm registers, so 6 rows keep 12
// accumulators live, plus 2 registers for the B row and 1 for the broadcast A element = 15 of
// the 16 ymm registers. Per k step it issues 12 FMAs for 2 loads + 6 broadcasts, enough to
// keep both FMA ports busy (an 8×8 tile would need 8 broadcasts for 8 FMAs).
constexpr int MR = 6;
constexpr int NR = 16;
// The AVX-512 micro-tile is 6×32: a 32-float row of C is two zmm registers, the same 12
// accumulators, twice the lanes. It keeps 6 rows although AVX-512 has 32 registers: the A
// packing (its SSE transposes) is shared with the AVX2 kernel, and 12 independent FMA chains per
// k step already cover both FMA ports' latency. A taller tile has not been tried.
constexpr int NR512 = 32;

// C[0:m, 0:n] = alpha · Apanel·Bpanel + beta · C (beta == 0: C is not read), where Apanel is
// kc×MR (k-major, packed) and Bpanel kc×nr (k-major, packed; nr = NR, or NR512 for the AVX-512
// kernel); m <= MR, n <= nr.
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                             int m, int n, float alpha, float beta);

// The same with A read in place: element (i, k) at a[i·rs + k·cs] (no packing of A).
using MicroKernelStrided = void (*)(int64_t kc, const float* a, int64_t rs, int64_t cs,
                                    const float* b, float* c, int64_t ldc, int m, int n,
                                    float alpha, float beta);

void microKernelPortable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                         int n, float alpha, float beta);
void microKernelPortableStrided(int64_t kc, const float* a, int64_t rs, int64_t cs,
                                const float* b, float* c, int64_t ldc, int m, int n, float alpha,
                                float beta);
#if defined(TSDL_HAVE_AVX2_BUILD)
// C[0:m, 0:n] = alpha·A·Btᵀ + beta·C (beta == 0: C is not read) for a narrow C (the 10-class
// layer): A row-major with row stride lda, Bt = op(B)ᵀ as n contiguous rows of k floats. Each
// element is a dot product vectorized along k, so no SIMD lane is spent on padding columns.
void narrowAvx2(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* bt,
                float* c, int64_t ldc, float alpha, float beta);
void microKernelAvx2Strided(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b,
                            float* c, int64_t ldc, int m, int n, float alpha, float beta);
void microKernelAvx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                     int n, float alpha, float beta);
#endif
#if defined(TSDL_HAVE_AVX512_BUILD)
// Packed A panels as above; B panels NR512 wide.
void microKernelAvx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                       int n, float alpha, float beta);
void microKernelAvx512Strided(int64_t kc, const float* a, int64_t rs, int64_t cs, const float* b,
                              float* c, int64_t ldc, int m, int n, float alpha, float beta);
#endif

}  // namespace tsdl::cpu::gemm
