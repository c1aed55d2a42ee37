// Counter-based random numbers: the exact mapping of native/cpu/random.cc (Philox4x32-10 keyed
// by the seed, element e = offset + i), so a seed gives the same initial weights on both
// backends. Uniform is bit-exact: every float operation that could be contracted into an FMA
// (which the CPU build never does) is written with an explicit round-to-nearest intrinsic.
// Normal and truncated normal agree to an ulp or so (device logf/cosf are not glibc's).
#include "kernels.h"

namespace tsdl::cuda {
namespace {

struct U4 { uint32_t x[4]; };

__device__ inline U4 philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    uint32_t hi0 = __umulhi(M0, c0), lo0 = M0 * c0;
    uint32_t hi1 = __umulhi(M1, c2), lo1 = M1 * c2;
    uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += W0; k1 += W1;
  }
  return {{c0, c1, c2, c3}};
}

constexpr float kTwo24Inv = 1.0f / 16777216.0f;
constexpr float kTwoPi = 6.283185307179586f;
__device__ inline float u01(uint32_t x) { return __fmul_rn(__uint2float_rn(x >> 8), kTwo24Inv); }
__device__ inline float u01Open(uint32_t x) {
  return __fmul_rn(__fadd_rn(__uint2float_rn(x >> 8), 0.5f), kTwo24Inv);
}
__device__ inline float boxMuller(uint32_t a, uint32_t b) {
  return sqrtf(__fmul_rn(-2.f, logf(u01Open(a)))) * cosf(__fmul_rn(kTwoPi, u01(b)));
}

__global__ void randomKernel(RandomKind kind, float* out, int64_t n, uint32_t k0, uint32_t k1,
                             uint64_t offset, float a, float b) {
  TSDL_GRID_STRIDE(i, n) {
    uint64_t e = offset + uint64_t(i);
    float v;
    if (kind == RandomKind::Uniform) {
      uint64_t blk = e >> 2;
      U4 r = philox(uint32_t(blk), uint32_t(blk >> 32), 0, 0, k0, k1);
      v = __fadd_rn(a, __fmul_rn(__fsub_rn(b, a), u01(r.x[e & 3])));
    } else if (kind == RandomKind::Normal) {
      U4 r = philox(uint32_t(e), uint32_t(e >> 32), 1, 0, k0, k1);
      v = __fadd_rn(a, __fmul_rn(b, boxMuller(r.x[0], r.x[1])));
    } else {
      float z = 2.f;
      bool ok = false;
      for (uint32_t t = 0; t < 16 && !ok; ++t) {
        U4 r = philox(uint32_t(e), uint32_t(e >> 32), 2 + t, 0, k0, k1);
        z = boxMuller(r.x[0], r.x[1]);
        if (fabsf(z) <= 2.f) { ok = true; break; }
        z = boxMuller(r.x[2], r.x[3]);
        if (fabsf(z) <= 2.f) ok = true;
      }
      if (!ok) z = z > 0.f ? 2.f : -2.f;
      v = __fadd_rn(a, __fmul_rn(b, z));
    }
    out[i] = v;
  }
}

}  // namespace

void random(const Ctx& c, RandomKind kind, float* out, int64_t count, uint64_t seed,
            uint64_t offset, float a, float b) {
  if (count <= 0) return;
  randomKernel<<<gridFor(count), kThreads, 0, c.stream>>>(kind, out, count, uint32_t(seed),
                                                          uint32_t(seed >> 32), offset, a, b);
  checkLaunch("random");
}

}  // namespace tsdl::cuda
