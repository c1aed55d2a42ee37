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
// (the MNIST layers: 128×512 is only 4 tiles of 128×128 for 132 SMs). When even 32×32 tiles
// are too few and k is long, k is split into slices whose raw sums go to the workspace, and a
// second kernel adds them and applies the epilogue (split-K).
#include <algorithm>

#include "epilogue.cuh"
#include "kernels.h"
#include "pool.h"

namespace tsdl::cuda {
namespace {

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB, bool SPLITK>
__global__ void __launch_bounds__((BM / TM) * (BN / TN))
sgemmKernel(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
            int M, int N, int K, int64_t strideA, int64_t strideB, int64_t strideC, int64_t batch,
            Epilogue ep, int kSlice, float* __restrict__ partial) {
  constexpr int NT = (BM / TM) * (BN / TN);  // threads per block
  constexpr int TX = BN / TN;                // threads along n
  static_assert(TM % 4 == 0 && TN % 4 == 0, "register blocks are groups of 4");
  __shared__ __align__(16) float As[BK][BM + 4];
  __shared__ __align__(16) float Bs[BK][BN + 4];

  const int tid = threadIdx.x;
  const int tx = tid % TX, ty = tid / TX;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int lda = TA ? M : K, ldb = TB ? K : N;

  // Split-K (partial != null, batch 1): blockIdx.z is the k slice, and the raw sums go to
  // partial[z] for splitKEpilogue; otherwise blockIdx.z walks the batch.
  const bool split = SPLITK && partial != nullptr;  // compiled out of the big-tile kernels
  const int kBegin = split ? int(blockIdx.z) * kSlice : 0;
  const int kEnd = split ? (kBegin + kSlice < K ? kBegin + kSlice : K) : K;
  for (int64_t bi = split ? 0 : blockIdx.z; bi < (split ? 1 : batch); bi += split ? 1 : gridDim.z) {
    const float* a = A + bi * strideA;
    const float* b = B + bi * strideB;
    float* c = C + bi * strideC;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
      for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;

    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
      // op(A)[m0.., k0..] → As[k][m]. Consecutive threads take consecutive addresses in memory:
      // along k when A is m×k, along m when A is stored k×m (transposed).
      for (int t = tid; t < BM * BK; t += NT) {
        int mm, kk;
        if (TA) { mm = t % BM; kk = t / BM; } else { kk = t % BK; mm = t / BK; }
        int gm = m0 + mm, gk = k0 + kk;
        float v = 0.f;
        if (gm < M && gk < kEnd) v = TA ? a[int64_t(gk) * lda + gm] : a[int64_t(gm) * lda + gk];
        As[kk][mm] = v;
      }
      // op(B)[k0.., n0..] → Bs[k][n]: along n when B is k×n, along k when stored n×k.
      for (int t = tid; t < BK * BN; t += NT) {
        int nn, kk;
        if (TB) { kk = t % BK; nn = t / BK; } else { nn = t % BN; kk = t / BN; }
        int gn = n0 + nn, gk = k0 + kk;
        float v = 0.f;
        if (gn < N && gk < kEnd) v = TB ? b[int64_t(gn) * ldb + gk] : b[int64_t(gk) * ldb + gn];
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
        if (gn >= N) continue;
        if (split) partial[int64_t(blockIdx.z) * M * N + int64_t(gm) * N + gn] = acc[i][j];
        else storeEpilogue(c, int64_t(gm) * N + gn, gn, acc[i][j], ep);
      }
    }
  }
}

// Sums the k slices of a split-K product and applies the epilogue (one thread per element of C).
__global__ void splitKEpilogue(const float* __restrict__ partial, int slices, int64_t mn, int N,
                               float* __restrict__ C, Epilogue ep) {
  TSDL_GRID_STRIDE(i, mn) {
    float s = 0.f;
    for (int z = 0; z < slices; ++z) s += partial[int64_t(z) * mn + i];
    storeEpilogue(C, i, i % N, s, ep);
  }
}

template <int BM, int BN, int BK, int TM, int TN, bool SPLITK>
void launchTile(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& g,
                const Epilogue& ep, int slices = 1) {
  constexpr int NT = (BM / TM) * (BN / TN);
  int M = int(g.m), N = int(g.n), K = int(g.k);
  float* partial = nullptr;
  int kSlice = K;
  if (SPLITK && slices > 1) {  // only split-k instantiations have the partial-sum path
    // Slices of whole BK steps; recount them so none is empty.
    kSlice = ((K + slices - 1) / slices + BK - 1) / BK * BK;
    slices = (K + kSlice - 1) / kSlice;
    partial = static_cast<float*>(c.workspace->get(size_t(slices) * size_t(M) * size_t(N) * sizeof(float)));
  }
  dim3 grid(unsigned((g.n + BN - 1) / BN), unsigned((g.m + BM - 1) / BM),
            unsigned(partial ? slices : std::min<int64_t>(g.batch, 65535)));
#define TSDL_SGEMM(TA, TB)                                                                   \
  sgemmKernel<BM, BN, BK, TM, TN, TA, TB, SPLITK><<<grid, NT, 0, c.stream>>>(                        \
      a, b, out, M, N, K, g.strideA, g.strideB, g.strideC, g.batch, ep, kSlice, partial)
  if (!g.transA && !g.transB) TSDL_SGEMM(false, false);
  else if (!g.transA && g.transB) TSDL_SGEMM(false, true);
  else if (g.transA && !g.transB) TSDL_SGEMM(true, false);
  else TSDL_SGEMM(true, true);
#undef TSDL_SGEMM
  if (partial) {
    checkLaunch("matmul (fp32, split-k)");
    int64_t mn = g.m * g.n;
    splitKEpilogue<<<gridFor(mn), kThreads, 0, c.stream>>>(partial, slices, mn, N, out, ep);
  }
}

}  // namespace

void matmulSimt(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& g) {
  Epilogue ep{g.alpha, g.beta, g.bias, g.act};
  auto tiles = [&](int64_t bm, int64_t bn) {
    return ((g.m + bm - 1) / bm) * ((g.n + bn - 1) / bn) * g.batch;
  };
  // The biggest tile that still gives every SM about two blocks.
  int64_t want = 2 * int64_t(c.smCount);
  if (tiles(128, 128) >= want) {
    launchTile<128, 128, 8, 8, 8, false>(c, a, b, out, g, ep);
  } else if (tiles(64, 64) >= want) {
    launchTile<64, 64, 16, 4, 4, false>(c, a, b, out, g, ep);
  } else {
    // Too few tiles even at 32×32 (the MNIST forward GEMM, 128×512 with k = 784, is 64 tiles
    // for 132 SMs): split k into slices of at least 128 so more blocks share the work, and sum
    // the slices in a second small kernel that also applies the epilogue.
    int64_t slices = 1;
    if (g.batch == 1 && g.k >= 256) slices = std::min<int64_t>((want + tiles(32, 32) - 1) / tiles(32, 32), g.k / 128);
    launchTile<32, 32, 16, 4, 4, true>(c, a, b, out, g, ep, int(slices));
  }
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
