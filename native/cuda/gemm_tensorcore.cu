// The tensor-core GEMM (sm_80+): the same contract as gemm.cu, with the products on tensor
// cores through WMMA fragments and the sums in FP32.
//   TF32: inputs rounded to TF32 (10-bit mantissa), m16n16k8 fragments; ~1e-3 relative error.
//   BF16: inputs rounded to BF16 (7-bit mantissa) when copied to shared memory, m16n16k16
//         fragments, FP32 accumulation; ~1e-2 relative error, half the shared-memory traffic.
// Which one runs is the backend's precision setting (README.md: "Precision"); FP32 never comes
// here. A block computes 64×64 of C with 4 warps (2×2, each 32×32 = 2×2 fragments), k in
// slices of 32; the accumulators go through shared memory so the epilogue of epilogue.cuh
// (bias, activation, beta·C, edges) is applied element by element, exactly as the SIMT path.
#include <cuda_bf16.h>
#include <mma.h>

#include <algorithm>

#include "epilogue.cuh"
#include "kernels.h"

namespace tsdl::cuda {
namespace {

using namespace nvcuda;

constexpr int BM = 64, BN = 64, BK = 32;
constexpr int kWarps = 4, kTcThreads = kWarps * 32;

template <Precision P>
struct TcTraits;
template <>
struct TcTraits<Precision::TF32> {
  using Elem = float;  // stored as float, rounded to tf32 in the fragment
  using FragIn = wmma::precision::tf32;
  static constexpr int FK = 8, Pad = 4;  // ldm must be a multiple of 4 floats (16 bytes)
  __device__ static Elem from(float v) { return v; }
};
template <>
struct TcTraits<Precision::BF16> {
  using Elem = __nv_bfloat16;
  using FragIn = __nv_bfloat16;
  static constexpr int FK = 16, Pad = 8;  // ldm must be a multiple of 8 bf16 (16 bytes)
  __device__ static Elem from(float v) { return __float2bfloat16_rn(v); }
};

template <Precision P, bool TA, bool TB>
__global__ void __launch_bounds__(kTcThreads)
tcGemmKernel(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
             int M, int N, int K, int64_t strideA, int64_t strideB, int64_t strideC,
             int64_t batch, Epilogue ep) {
  using T = TcTraits<P>;
  using E = typename T::Elem;
  constexpr int LDA = BK + T::Pad, LDB = BN + T::Pad, LDC = BN + 4;
  // Fragment pointers must be 32-byte aligned: every offset used below is a multiple of 32
  // bytes given these pitches (checked by the static_asserts).
  static_assert((16 * LDA * sizeof(E)) % 32 == 0 && (T::FK * sizeof(E)) % 32 == 0, "A fragment alignment");
  static_assert((T::FK * LDB * sizeof(E)) % 32 == 0 && (16 * sizeof(E)) % 32 == 0, "B fragment alignment");
  __shared__ __align__(128) E As[BM * LDA];  // m × k, row-major
  __shared__ __align__(128) E Bs[BK * LDB];  // k × n, row-major
  __shared__ __align__(128) float Cs[BM * LDC];

  const int tid = threadIdx.x, warp = tid / 32;
  const int wm = (warp / 2) * 32, wn = (warp % 2) * 32;  // this warp's 32×32 of the tile
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int lda = TA ? M : K, ldb = TB ? K : N;

  for (int64_t bi = blockIdx.z; bi < batch; bi += gridDim.z) {
    const float* a = A + bi * strideA;
    const float* b = B + bi * strideB;
    float* c = C + bi * strideC;
    wmma::fragment<wmma::accumulator, 16, 16, T::FK, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.f);

    for (int k0 = 0; k0 < K; k0 += BK) {
      // Coalesced copies as in gemm.cu (walk memory along its contiguous index), zero-padded.
      for (int t = tid; t < BM * BK; t += kTcThreads) {
        int mm, kk;
        if (TA) { mm = t % BM; kk = t / BM; } else { kk = t % BK; mm = t / BK; }
        int gm = m0 + mm, gk = k0 + kk;
        float v = 0.f;
        if (gm < M && gk < K) v = TA ? a[int64_t(gk) * lda + gm] : a[int64_t(gm) * lda + gk];
        As[mm * LDA + kk] = T::from(v);
      }
      for (int t = tid; t < BK * BN; t += kTcThreads) {
        int nn, kk;
        if (TB) { kk = t % BK; nn = t / BK; } else { nn = t % BN; kk = t / BN; }
        int gn = n0 + nn, gk = k0 + kk;
        float v = 0.f;
        if (gn < N && gk < K) v = TB ? b[int64_t(gn) * ldb + gk] : b[int64_t(gk) * ldb + gn];
        Bs[kk * LDB + nn] = T::from(v);
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < BK; kk += T::FK) {
        wmma::fragment<wmma::matrix_a, 16, 16, T::FK, typename T::FragIn, wmma::row_major> fa[2];
        wmma::fragment<wmma::matrix_b, 16, 16, T::FK, typename T::FragIn, wmma::row_major> fb[2];
#pragma unroll
        for (int i = 0; i < 2; ++i) {
          wmma::load_matrix_sync(fa[i], As + (wm + i * 16) * LDA + kk, LDA);
          if constexpr (P == Precision::TF32)
            for (int e = 0; e < fa[i].num_elements; ++e) fa[i].x[e] = wmma::__float_to_tf32(fa[i].x[e]);
        }
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          wmma::load_matrix_sync(fb[j], Bs + kk * LDB + wn + j * 16, LDB);
          if constexpr (P == Precision::TF32)
            for (int e = 0; e < fb[j].num_elements; ++e) fb[j].x[e] = wmma::__float_to_tf32(fb[j].x[e]);
        }
#pragma unroll
        for (int i = 0; i < 2; ++i)
#pragma unroll
          for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
      }
      __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int j = 0; j < 2; ++j)
        wmma::store_matrix_sync(Cs + (wm + i * 16) * LDC + wn + j * 16, acc[i][j], LDC, wmma::mem_row_major);
    __syncthreads();
    for (int t = tid; t < BM * BN; t += kTcThreads) {
      int mm = t / BN, nn = t % BN;
      int gm = m0 + mm, gn = n0 + nn;
      if (gm < M && gn < N) storeEpilogue(c, int64_t(gm) * N + gn, gn, Cs[mm * LDC + nn], ep);
    }
    __syncthreads();  // Cs is rewritten by the next matrix of the batch
  }
}

template <Precision P>
void launchTc(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& g,
              const Epilogue& ep) {
  dim3 grid(unsigned((g.n + BN - 1) / BN), unsigned((g.m + BM - 1) / BM),
            unsigned(std::min<int64_t>(g.batch, 65535)));
  int M = int(g.m), N = int(g.n), K = int(g.k);
#define TSDL_TC(TA, TB)                                                                      \
  tcGemmKernel<P, TA, TB><<<grid, kTcThreads, 0, c.stream>>>(a, b, out, M, N, K, g.strideA,  \
                                                             g.strideB, g.strideC, g.batch, ep)
  if (!g.transA && !g.transB) TSDL_TC(false, false);
  else if (!g.transA && g.transB) TSDL_TC(false, true);
  else if (g.transA && !g.transB) TSDL_TC(true, false);
  else TSDL_TC(true, true);
#undef TSDL_TC
}

}  // namespace

void matmulTensorCore(const Ctx& c, const float* a, const float* b, float* out,
                      const MatmulArgs& g, Precision p) {
  Epilogue ep{g.alpha, g.beta, g.bias, g.act};
  if (p == Precision::BF16) launchTc<Precision::BF16>(c, a, b, out, g, ep);
  else launchTc<Precision::TF32>(c, a, b, out, g, ep);
  checkLaunch(p == Precision::BF16 ? "matmul (bf16 tensor cores)" : "matmul (tf32 tensor cores)");
}

}  // namespace tsdl::cuda
