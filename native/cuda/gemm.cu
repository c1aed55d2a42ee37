// The FP32 GEMM on CUDA cores: C = alpha·op(A)·op(B) + beta·C (+ bias, activation), row-major,
// batched (blockIdx.z), with the epilogue of epilogue.cuh fused into the store.
//
// Structure (the classic shared-memory SGEMM): a block computes a BM×BN tile of C. For each
// BK-deep slice of k it copies op(A)'s BM×BK and op(B)'s BK×BN tiles into shared memory
// (k-major, so the inner loop reads both as rows), then every thread accumulates a TM×TN
// register block with TM+TN shared loads per k for TM·TN FMAs. Transposes are absorbed by the
// global→shared copy: the copy walks memory along whichever index is contiguous (coalesced) and
// only the shared-memory address changes, so all four combinations run the same inner loop.
//
// A thread's rows/columns are in groups of 4 spaced BM·4/TM apart (not TM consecutive ones), so
// the float4 reads of a warp from shared memory hit consecutive addresses (no bank conflicts).
//
// Three tile shapes (templates, 4 transposes each = 12 kernels): 128×128 with 8×8 per thread for
// big products; 64×64 and 32×32 with 4×4 per thread when the big tile would leave most SMs idle
// (the MNIST layers: 128×512 is only 4 tiles of 128×128 for 132 SMs).
#include <algorithm>

#include "epilogue.cuh"
#include "kernels.h"

namespace tsdl::cuda {
namespace {

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
__global__ void __launch_bounds__((BM / TM) * (BN / TN))
sgemmKernel(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
            int M, int N, int K, int64_t strideA, int64_t strideB, int64_t strideC, int64_t batch,
            Epilogue ep) {
  constexpr int NT = (BM / TM) * (BN / TN);  // threads per block
  constexpr int TX = BN / TN;                // threads along n
  static_assert(TM % 4 == 0 && TN % 4 == 0, "register blocks are groups of 4");
  __shared__ __align__(16) float As[BK][BM + 4];
  __shared__ __align__(16) float Bs[BK][BN + 4];

  const int tid = threadIdx.x;
  const int tx = tid % TX, ty = tid / TX;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int lda = TA ? M : K, ldb = TB ? K : N;

  for (int64_t bi = blockIdx.z; bi < batch; bi += gridDim.z) {
    const float* a = A + bi * strideA;
    const float* b = B + bi * strideB;
    float* c = C + bi * strideC;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
      for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;

    for (int k0 = 0; k0 < K; k0 += BK) {
      // op(A)[m0.., k0..] → As[k][m]. Consecutive threads take consecutive addresses in memory:
      // along k when A is m×k, along m when A is stored k×m (transposed).
      for (int t = tid; t < BM * BK; t += NT) {
        int mm, kk;
        if (TA) { mm = t % BM; kk = t / BM; } else { kk = t % BK; mm = t / BK; }
        int gm = m0 + mm, gk = k0 + kk;
        float v = 0.f;
        if (gm < M && gk < K) v = TA ? a[int64_t(gk) * lda + gm] : a[int64_t(gm) * lda + gk];
        As[kk][mm] = v;
      }
      // op(B)[k0.., n0..] → Bs[k][n]: along n when B is k×n, along k when stored n×k.
      for (int t = tid; t < BK * BN; t += NT) {
        int nn, kk;
        if (TB) { kk = t % BK; nn = t / BK; } else { nn = t % BN; kk = t / BN; }
        int gn = n0 + nn, gk = k0 + kk;
        float v = 0.f;
        if (gn < N && gk < K) v = TB ? b[int64_t(gn) * ldb + gk] : b[int64_t(gk) * ldb + gn];
        Bs[kk][nn] = v;
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < BK; ++kk) {
        float ar[TM], br[TN];
#pragma unroll
        for (int g = 0; g < TM / 4; ++g) {
          float4 v = *reinterpret_cast<const float4*>(&As[kk][g * (BM * 4 / TM) + ty * 4]);
          ar[g * 4 + 0] = v.x; ar[g * 4 + 1] = v.y; ar[g * 4 + 2] = v.z; ar[g * 4 + 3] = v.w;
        }
#pragma unroll
        for (int g = 0; g < TN / 4; ++g) {
          float4 v = *reinterpret_cast<const float4*>(&Bs[kk][g * (BN * 4 / TN) + tx * 4]);
          br[g * 4 + 0] = v.x; br[g * 4 + 1] = v.y; br[g * 4 + 2] = v.z; br[g * 4 + 3] = v.w;
        }
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
          for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(ar[i], br[j], acc[i][j]);
      }
      __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < TM; ++i) {
      int gm = m0 + (i / 4) * (BM * 4 / TM) + ty * 4 + (i % 4);
      if (gm >= M) continue;
#pragma unroll
      for (int j = 0; j < TN; ++j) {
        int gn = n0 + (j / 4) * (BN * 4 / TN) + tx * 4 + (j % 4);
        if (gn < N) storeEpilogue(c, int64_t(gm) * N + gn, gn, acc[i][j], ep);
      }
    }
  }
}

template <int BM, int BN, int BK, int TM, int TN>
void launchTile(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& g,
                const Epilogue& ep) {
  constexpr int NT = (BM / TM) * (BN / TN);
  dim3 grid(unsigned((g.n + BN - 1) / BN), unsigned((g.m + BM - 1) / BM),
            unsigned(std::min<int64_t>(g.batch, 65535)));
  int M = int(g.m), N = int(g.n), K = int(g.k);
#define TSDL_SGEMM(TA, TB)                                                                   \
  sgemmKernel<BM, BN, BK, TM, TN, TA, TB><<<grid, NT, 0, c.stream>>>(                        \
      a, b, out, M, N, K, g.strideA, g.strideB, g.strideC, g.batch, ep)
  if (!g.transA && !g.transB) TSDL_SGEMM(false, false);
  else if (!g.transA && g.transB) TSDL_SGEMM(false, true);
  else if (g.transA && !g.transB) TSDL_SGEMM(true, false);
  else TSDL_SGEMM(true, true);
#undef TSDL_SGEMM
}

}  // namespace

void matmulSimt(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& g) {
  Epilogue ep{g.alpha, g.beta, g.bias, g.act};
  auto tiles = [&](int64_t bm, int64_t bn) {
    return ((g.m + bm - 1) / bm) * ((g.n + bn - 1) / bn) * g.batch;
  };
  // The biggest tile that still gives every SM about two blocks.
  int64_t want = 2 * int64_t(c.smCount);
  if (tiles(128, 128) >= want) launchTile<128, 128, 8, 8, 8>(c, a, b, out, g, ep);
  else if (tiles(64, 64) >= want) launchTile<64, 64, 16, 4, 4>(c, a, b, out, g, ep);
  else launchTile<32, 32, 16, 4, 4>(c, a, b, out, g, ep);
  checkLaunch("matmul (fp32)");
}

const char* precisionName(Precision p) {
  switch (p) {
    case Precision::TF32: return "tf32";
    case Precision::BF16: return "bf16";
    default: return "fp32";
  }
}

void matmul(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& g,
            Precision p) {
  if (g.m <= 0 || g.n <= 0 || g.batch <= 0) return;
  if (p == Precision::FP32 || g.k == 0) matmulSimt(c, a, b, out, g);
  else matmulTensorCore(c, a, b, out, g, p);
}

}  // namespace tsdl::cuda
