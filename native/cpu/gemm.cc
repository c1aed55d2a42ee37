// The CPU GEMM: C = alpha·op(A)·op(B) + beta·C (+ bias, activation), row-major, batched.
//
// Structure (Goto/BLIS): for each NC-wide block of columns, for each KC-deep slice of k, pack
// op(B)'s kc×nc block into Nr-wide k-major panels (stays in L3/L2); for each MC-tall block of
// rows pack op(A)'s mc×kc block into MR-tall panels (stays in L2); then the micro-kernel (6×32
// with AVX-512, 6×16 with AVX2 or portable) sweeps the block with one B panel in L1. Transposes
// are absorbed by the packing routines, so all four transpose combinations run the same inner
// loop. The driver and B packing are templates on the panel width Nr.
//
// Threads: C is cut into one tile per pool thread (by columns when N is wide, by rows when it
// is narrow, e.g. the 10-class layer), each thread packs what its tile needs into its own
// reusable buffers and runs the full k loop, so no synchronization is needed inside a GEMM
// and results do not depend on the thread count (each C element is summed in the same order).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#include "gemm.h"
#include "kernels.h"
#include "scratch.h"
#include "threadpool.h"
#include "vmath.h"

namespace tsdl::cpu {
namespace gemm {

// KC·Nr·4 bytes = 16 KiB (32 KiB with AVX-512) of B panel in L1: Zen 5's is 48 KiB; on a CPU
// with a 32 KiB L1 the AVX-512 panel fills it (KC is kept for both kernels so they sum in the
// same k slices and give the same bits). MC·KC·4 = 144 KiB of A in L2;
// KC·NC·4 = 3 MiB of B in the shared L3.
#ifndef TSDL_GEMM_KC  // overridable at compile time for tuning on another machine
#define TSDL_GEMM_KC 256
#define TSDL_GEMM_MC 144
#define TSDL_GEMM_NC 3072
#endif
constexpr int64_t KC = TSDL_GEMM_KC;
constexpr int64_t MC = TSDL_GEMM_MC;
constexpr int64_t NC = TSDL_GEMM_NC;

void microKernelPortableStrided(int64_t kc, const float* a, int64_t rs, int64_t cs,
                                const float* b, float* c, int64_t ldc, int m, int n, float alpha,
                                float beta) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    for (int i = 0; i < m; ++i) {
      float av = a[i * rs + k * cs];
      for (int j = 0; j < NR; ++j) acc[i][j] += av * b[k * NR + j];
    }
  }
  for (int i = 0; i < m; ++i) {
    float* r = c + i * ldc;
    if (beta == 0.f)
      for (int j = 0; j < n; ++j) r[j] = alpha * acc[i][j];
    else
      for (int j = 0; j < n; ++j) r[j] = alpha * acc[i][j] + beta * r[j];
  }
}

// Packed A panels are the strided case with rows 1 apart and k steps MR apart.
void microKernelPortable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m,
                         int n, float alpha, float beta) {
  microKernelPortableStrided(kc, a, 1, MR, b, c, ldc, m, n, alpha, beta);
}

namespace {

// The micro-kernels a GEMM runs, and their panel width.
struct Kernels {
  MicroKernel packed;
  MicroKernelStrided strided;
  int nr;
  const char* name;
};

// useAvx2()/useAvx512() (dispatch.cc) are false in builds without the kernel's file, on CPUs
// without the instructions and under TSDL_CPU_ISA caps; the #ifs keep absent symbols out.
// A C at most NR wide (the 10-class layer's dW2) keeps the 16-wide AVX2 kernel: a 32-lane row
// would be mostly padding.
Kernels selectKernels(int64_t n) {
#if defined(TSDL_HAVE_AVX512_BUILD)
  if (useAvx512() && n > NR) return {microKernelAvx512, microKernelAvx512Strided, NR512, "AVX-512 6x32"};
#endif
#if defined(TSDL_HAVE_AVX2_BUILD)
  if (useAvx2()) return {microKernelAvx2, microKernelAvx2Strided, NR, "AVX2+FMA 6x16"};
#endif
  return {microKernelPortable, microKernelPortableStrided, NR, "portable 6x16"};
}


// Narrow outputs with rows of A contiguous along k (the 10-class layer's forward, 128×512·512×10)
// run as dot products along k: the 6×16 micro-kernel would spend 6 of its 16 lanes on padding.
constexpr int64_t kNarrowMaxN = 16;
constexpr int64_t kNarrowMinK = 32;

// op(A) rows [i0, i0+mc) × cols [p0, p0+kc) → MR-tall k-major panels, zero-padded.
void packAPanels(const float* A, int64_t lda, bool trans, int64_t i0, int64_t mc, int64_t p0,
                 int64_t kc, float* out) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
    float* dst = out + ir * kc;
    if (trans) {  // A stored k×m: a row of the panel is contiguous in memory
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = A + (p0 + p) * lda + i0 + ir;
        if (mr == MR) {
          std::memcpy(dst + p * MR, src, MR * sizeof(float));  // vector moves, not six scalar ones
          continue;
        }
        int i = 0;
        for (; i < mr; ++i) dst[p * MR + i] = src[i];
        for (; i < MR; ++i) dst[p * MR + i] = 0.f;
      }
    } else {
      const float* rows[MR];
      for (int i = 0; i < MR; ++i) rows[i] = A + (i0 + ir + std::min(i, mr - 1)) * lda + p0;
      if (mr == MR) {
        int64_t p = 0;
#if defined(__SSE2__)
        // Four columns at a time: a 4×4 transpose of rows 0-3 and a 2×4 one of rows 4-5
        // (the scalar gather from six rows was a tenth of a training step's GEMM time).
        static_assert(MR == 6, "the SIMD packing below is written for 6-row panels");
        for (; p + 4 <= kc; p += 4) {
          __m128 r0 = _mm_loadu_ps(rows[0] + p), r1 = _mm_loadu_ps(rows[1] + p);
          __m128 r2 = _mm_loadu_ps(rows[2] + p), r3 = _mm_loadu_ps(rows[3] + p);
          __m128 r4 = _mm_loadu_ps(rows[4] + p), r5 = _mm_loadu_ps(rows[5] + p);
          _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
          __m128 lo = _mm_unpacklo_ps(r4, r5), hi = _mm_unpackhi_ps(r4, r5);
          float* d = dst + p * MR;
          _mm_storeu_ps(d, r0);
          _mm_storel_pi(reinterpret_cast<__m64*>(d + 4), lo);
          _mm_storeu_ps(d + 6, r1);
          _mm_storeh_pi(reinterpret_cast<__m64*>(d + 10), lo);
          _mm_storeu_ps(d + 12, r2);
          _mm_storel_pi(reinterpret_cast<__m64*>(d + 16), hi);
          _mm_storeu_ps(d + 18, r3);
          _mm_storeh_pi(reinterpret_cast<__m64*>(d + 22), hi);
        }
#endif
        for (; p < kc; ++p)
          for (int i = 0; i < MR; ++i) dst[p * MR + i] = rows[i][p];
      } else {
        for (int64_t p = 0; p < kc; ++p)
          for (int i = 0; i < MR; ++i) dst[p * MR + i] = i < mr ? rows[i][p] : 0.f;
      }
    }
  }
}

// op(B) rows [p0, p0+kc) × cols [j0, j0+nc) → Nr-wide k-major panels, zero-padded.
template <int Nr>
void packBPanels(const float* B, int64_t ldb, bool trans, int64_t p0, int64_t kc, int64_t j0,
                 int64_t nc, float* out) {
  if (!trans) {
    // B stored k×n: walk each row of B once, front to back (the hardware prefetcher streams
    // it), dealing its Nr-float pieces out to the panels.
    int64_t full = nc / Nr * Nr;
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = B + (p0 + p) * ldb + j0;
      float* dst = out + p * Nr;
      // A whole Nr-float piece per copy (vector moves; element by element it was scalar).
      for (int64_t jr = 0; jr < full; jr += Nr) std::memcpy(dst + jr * kc, src + jr, Nr * sizeof(float));
      if (full < nc) {
        int j = 0;
        for (; j < nc - full; ++j) dst[full * kc + j] = src[full + j];
        for (; j < Nr; ++j) dst[full * kc + j] = 0.f;
      }
    }
    return;
  }
  for (int64_t jr = 0; jr < nc; jr += Nr) {
    int nr = static_cast<int>(std::min<int64_t>(Nr, nc - jr));
    float* dst = out + jr * kc;
    // B stored n×k: each output column is a contiguous row of B.
    for (int j = 0; j < Nr; ++j) {
      if (j < nr) {
        const float* src = B + (j0 + jr + j) * ldb + p0;
        for (int64_t p = 0; p < kc; ++p) dst[p * Nr + j] = src[p];
      } else {
        for (int64_t p = 0; p < kc; ++p) dst[p * Nr + j] = 0.f;
      }
    }
  }
}

inline float activate(float v, Activation act) {
  switch (act) {
    case Activation::Relu: return v > 0.f ? v : 0.f;
    // The same formulas as the element-wise kernels, so dense(x, "sigmoid") agrees with
    // sigmoid(dense(x)) to an ulp or so (this file is not built with FMA contraction).
    case Activation::Sigmoid: return vsigmoid(v);
    case Activation::Tanh: return vtanh(v);
    default: return v;
  }
}

// Bias and activation on a finished tile while it is still in L1. Cloned for AVX-512 and AVX2
// (the CPU picks at load time): this file is built for baseline x86-64, and the SSE loop was
// 29% of a conv layer with a 9-deep k (conv1 of the MNIST convnet: the micro-kernel's work is
// short, the epilogue's is not). Bias adds and relu are exact, so the clones give the same bits;
// sigmoid/tanh may differ by an ulp between clones (FMA contraction), as the element-wise
// kernels' two builds do.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(TSDL_HAVE_AVX2_BUILD)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void epilogue(float* c, int64_t ldc, int64_t m, int64_t n, const float* bias, Activation act) {
  for (int64_t i = 0; i < m; ++i) {
    float* r = c + i * ldc;
    if (bias)
      for (int64_t j = 0; j < n; ++j) r[j] += bias[j];
    if (act == Activation::Relu) {
      for (int64_t j = 0; j < n; ++j) r[j] = r[j] > 0.f ? r[j] : 0.f;
    } else if (act != Activation::Linear) {
      for (int64_t j = 0; j < n; ++j) r[j] = activate(r[j], act);
    }
  }
}

struct Job {
  const float* a;
  const float* b;
  float* c;
  MatmulArgs args;
  int64_t tilesM, tilesN;  // tiles per matrix
  Kernels kernels;
  // A narrow C (n ≤ 32, e.g. the 10-class layer) reuses each A panel only once or
  // twice, so packing A would cost about as much as the multiply: read A in place instead.
  bool inPlaceA = false;
  // Narrower still, with A not transposed: dot products along k (narrowAvx2).
  bool dotsAlongK = false;
};

// Computes C rows [m0, m1) × cols [n0, n1) of matrix `bi` with Nr-wide B panels.
template <int Nr>
void tile(const Job& job, int64_t bi, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const MatmulArgs& g = job.args;
  const float* A = job.a + bi * g.strideA;
  const float* B = job.b + bi * g.strideB;
  float* C = job.c + bi * g.strideC;
  int64_t M = g.m, N = g.n, K = g.k;
  int64_t lda = g.transA ? M : K, ldb = g.transB ? K : N, ldc = N;
  if (m1 <= m0 || n1 <= n0) return;
  if (K == 0) {  // C = beta·C, then the epilogue
    for (int64_t i = m0; i < m1; ++i)
      for (int64_t j = n0; j < n1; ++j) C[i * ldc + j] = g.beta == 0.f ? 0.f : g.beta * C[i * ldc + j];
    if (g.bias || g.act != Activation::Linear)
      epilogue(C + m0 * ldc + n0, ldc, m1 - m0, n1 - n0, g.bias ? g.bias + n0 : nullptr, g.act);
    return;
  }
#if defined(TSDL_HAVE_AVX2_BUILD)
  if (job.dotsAlongK) {
    // narrowAvx2 reads B as n rows of k. Each tile transposes its own copy: the copy lands in
    // this thread's cache, and the threads do it at the same time (transposing once before
    // the split made the 128×512·512×10 forward 12% slower on 2 threads).
    const float* bt = B;
    if (!g.transB) {
      float* t = scratch(Scratch::GemmPackB, static_cast<size_t>(N * K));
      Shape shape;
      shape.ndim = 2;
      shape.dims[0] = K;
      shape.dims[1] = N;
      const int perm[2] = {1, 0};
      transpose(B, sizeof(float), shape, perm, t);
      bt = t;
    }
    float* ct = C + m0 * ldc + n0;
    narrowAvx2(m1 - m0, n1 - n0, K, A + m0 * lda, lda, bt + n0 * K, ct, ldc, g.alpha, g.beta);
    if (g.bias || g.act != Activation::Linear) epilogue(ct, ldc, m1 - m0, n1 - n0, g.bias ? g.bias + n0 : nullptr, g.act);
    return;
  }
#endif
  // Even k slices (784 → 4 × 196 rather than 3 × 256 + 16) keep every pass of the
  // micro-kernel long.
  int64_t kBlocks = (K + KC - 1) / KC;
  int64_t kcMax = (K + kBlocks - 1) / kBlocks;
  int64_t ncMax = std::min<int64_t>(NC, ((n1 - n0 + Nr - 1) / Nr) * Nr);
  int64_t mcMax = std::min<int64_t>(MC, ((m1 - m0 + MR - 1) / MR) * MR);
  float* bp = scratch(Scratch::GemmPackB, static_cast<size_t>(kcMax * ncMax));
  float* ap = scratch(Scratch::GemmPackA, static_cast<size_t>(kcMax * mcMax));
  bool epi = g.bias || g.act != Activation::Linear;
  for (int64_t jc = n0; jc < n1; jc += ncMax) {
    int64_t nc = std::min(ncMax, n1 - jc);
    for (int64_t pc = 0; pc < K; pc += kcMax) {
      int64_t kc = std::min(kcMax, K - pc);
      bool first = pc == 0, last = pc + kc >= K;
      float beta = first ? g.beta : 1.f;
      float alpha = g.alpha;
      packBPanels<Nr>(B, ldb, g.transB, pc, kc, jc, nc, bp);
      for (int64_t ic = m0; ic < m1; ic += mcMax) {
        int64_t mc = std::min(mcMax, m1 - ic);
        if (job.inPlaceA) {
          int64_t rs = g.transA ? 1 : lda, cs = g.transA ? lda : 1;
          for (int64_t jr = 0; jr < nc; jr += Nr) {
            int nr = static_cast<int>(std::min<int64_t>(Nr, nc - jr));
            for (int64_t ir = 0; ir < mc; ir += MR) {
              int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
              float* ct = C + (ic + ir) * ldc + jc + jr;
              job.kernels.strided(kc, A + (ic + ir) * rs + pc * cs, rs, cs, bp + jr * kc, ct, ldc, mr, nr, alpha, beta);
              if (last && epi) epilogue(ct, ldc, mr, nr, g.bias ? g.bias + jc + jr : nullptr, g.act);
            }
          }
          continue;
        }
        packAPanels(A, lda, g.transA, ic, mc, pc, kc, ap);
        auto micro = [&](int64_t ir, int64_t jr) {
          int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
          int nr = static_cast<int>(std::min<int64_t>(Nr, nc - jr));
          float* ct = C + (ic + ir) * ldc + jc + jr;
          job.kernels.packed(kc, ap + ir * kc, bp + jr * kc, ct, ldc, mr, nr, alpha, beta);
          if (last && epi) epilogue(ct, ldc, mr, nr, g.bias ? g.bias + jc + jr : nullptr, g.act);
        };
        if (kc * nc <= 8192) {
          // The whole packed B block fits in L1 (a short k, e.g. dH = dY·W2ᵀ with k = 10):
          // sweep C row block by row block so its writes stream through memory in order.
          for (int64_t ir = 0; ir < mc; ir += MR)
            for (int64_t jr = 0; jr < nc; jr += Nr) micro(ir, jr);
        } else {
          // One B micro-panel stays in L1 while the A panels stream from L2.
          for (int64_t jr = 0; jr < nc; jr += Nr)
            for (int64_t ir = 0; ir < mc; ir += MR) micro(ir, jr);
        }
      }
    }
  }
}

void runTask(void* ctx, int64_t task, int) {
  const Job& job = *static_cast<const Job*>(ctx);
  int64_t perMatrix = job.tilesM * job.tilesN;
  int64_t bi = task / perMatrix, t = task % perMatrix;
  int64_t tm = t / job.tilesN, tn = t % job.tilesN;
  const MatmulArgs& g = job.args;
  // Tile edges on micro-tile multiples so only the matrix's own edge has partial tiles.
  auto cut = [](int64_t len, int64_t parts, int64_t unit, int64_t i) {
    int64_t units = (len + unit - 1) / unit;
    return std::min(len, (units * i / parts) * unit);
  };
  int nr = job.kernels.nr;
  int64_t m0 = cut(g.m, job.tilesM, MR, tm), m1 = cut(g.m, job.tilesM, MR, tm + 1);
  int64_t n0 = cut(g.n, job.tilesN, nr, tn), n1 = cut(g.n, job.tilesN, nr, tn + 1);
#if defined(TSDL_HAVE_AVX512_BUILD)
  if (nr == NR512) return tile<NR512>(job, bi, m0, m1, n0, n1);
#endif
  tile<NR>(job, bi, m0, m1, n0, n1);
}

}  // namespace

}  // namespace gemm

// The kernel of a wide GEMM (what a training step's big matrices run; C at most NR wide runs the
// AVX2 or dot-product code).
const char* gemmKernelName() { return gemm::selectKernels(gemm::NR + 1).name; }

void matmul(const float* a, const float* b, float* c, const MatmulArgs& args) {
  using namespace gemm;
  Job job{a, b, c, args, 1, 1, selectKernels(args.n)};
  job.inPlaceA = args.n <= 2 * NR;
  job.dotsAlongK = useAvx2() && !args.transA && args.n <= kNarrowMaxN && args.k >= kNarrowMinK;
  int64_t T = threads();
  double flops = 2.0 * double(args.m) * double(args.n) * double(std::max<int64_t>(args.k, 1)) * double(args.batch);
  if (flops < 2.0e5 || T == 1) {
    T = 1;  // smaller than waking the pool is worth
  }
  if (args.batch < T) {
    // Split each matrix into about T / batch tiles: by columns while each tile keeps at least
    // 64 columns (B packing and the micro-kernel stay efficient), the rest by rows.
    int64_t want = (T + args.batch - 1) / args.batch;
    // A short k (dH = dY·W2ᵀ, k = 10) is bound by writing C: rows keep each thread's part of C
    // one contiguous block (by columns, two threads ran it at half the speed of one).
    int64_t byN = args.k < 32 ? 1 : std::max<int64_t>(1, std::min<int64_t>(want, args.n / 64));
    int64_t byM = std::max<int64_t>(1, std::min<int64_t>((want + byN - 1) / byN, (args.m + MR - 1) / MR));
    job.tilesN = byN;
    job.tilesM = byM;
  }
  int64_t tasks = args.batch * job.tilesM * job.tilesN;
  if (T == 1) {
    for (int64_t t = 0; t < tasks; ++t) runTask(&job, t, 0);
  } else {
    parallelFor(tasks, runTask, &job);
  }
}

}  // namespace tsdl::cpu
