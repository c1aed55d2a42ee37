// Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11), the generator of
// cuRAND and JAX. Element i of a draw depends only on (seed, offset + i), so the numbers do
// not depend on the thread count, and the CUDA backend reproduces them.
//
// THE EXACT MAPPING (the CUDA backend must implement the same, in float):
//   key     = (k0, k1) = (seed & 0xffffffff, seed >> 32)           seed: uint64
//   e       = offset + i                                            (uint64 element index)
//   philox(c0, c1, c2, c3) = Philox4x32-10 of that counter under the key -> (x0, x1, x2, x3)
//   u01(x)  = float(x >> 8) * 2^-24                                  in [0, 1), exact in float
//   uniform: (x0..x3) = philox(lo32(e / 4), hi32(e / 4), 0, 0); x = x[e % 4]
//            out = low + (high - low) * u01(x)                       (float arithmetic)
//   normal:  (x0..x3) = philox(lo32(e), hi32(e), 1, 0)
//            u1 = (float(x0 >> 8) + 0.5f) * 2^-24                    in (0, 1), never 0
//            u2 = u01(x1)
//            z  = sqrtf(-2 logf(u1)) * cosf(2π u2)                   (Box–Muller, cosine half)
//            out = mean + std * z
//   truncated normal: attempt t = 0, 1, 2, …:  (x0..x3) = philox(lo32(e), hi32(e), 2 + t, 0);
//            z from (x0, x1) as above, accepted when |z| <= 2; else z from (x2, x3) likewise;
//            else the next t. After 16 attempts (probability 0.0455^32) z is clamped to ±2.
//            out = mean + std * z
// Uniform is bit-exact across backends; normal may differ by an ulp where logf/cosf differ.
#include <cmath>

#include "kernels.h"
#include "threadpool.h"

namespace tsdl::cpu {
namespace {

struct U4 { uint32_t x[4]; };

inline U4 philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int r = 0; r < 10; ++r) {
    uint64_t p0 = uint64_t(M0) * c0, p1 = uint64_t(M1) * c2;
    uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += W0; k1 += W1;
  }
  return {{c0, c1, c2, c3}};
}

constexpr float kTwo24Inv = 1.0f / 16777216.0f;
constexpr float kTwoPi = 6.283185307179586f;
inline float u01(uint32_t x) { return float(x >> 8) * kTwo24Inv; }
inline float u01Open(uint32_t x) { return (float(x >> 8) + 0.5f) * kTwo24Inv; }
inline float boxMuller(uint32_t a, uint32_t b) {
  return std::sqrt(-2.f * std::log(u01Open(a))) * std::cos(kTwoPi * u01(b));
}

}  // namespace

void random(RandomKind kind, float* out, int64_t count, uint64_t seed, uint64_t offset, float a,
            float b) {
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  parallelRange(count, 4096, [&](int64_t bgn, int64_t end, int) {
    for (int64_t i = bgn; i < end; ++i) {
      uint64_t e = offset + uint64_t(i);
      float v;
      if (kind == RandomKind::Uniform) {
        uint64_t blk = e >> 2;
        U4 r = philox(uint32_t(blk), uint32_t(blk >> 32), 0, 0, k0, k1);
        v = a + (b - a) * u01(r.x[e & 3]);
      } else if (kind == RandomKind::Normal) {
        U4 r = philox(uint32_t(e), uint32_t(e >> 32), 1, 0, k0, k1);
        v = a + b * boxMuller(r.x[0], r.x[1]);
      } else {
        float z = 2.f;
        bool ok = false;
        for (uint32_t t = 0; t < 16 && !ok; ++t) {
          U4 r = philox(uint32_t(e), uint32_t(e >> 32), 2 + t, 0, k0, k1);
          z = boxMuller(r.x[0], r.x[1]);
          if (std::fabs(z) <= 2.f) { ok = true; break; }
          z = boxMuller(r.x[2], r.x[3]);
          if (std::fabs(z) <= 2.f) ok = true;
        }
        if (!ok) z = z > 0.f ? 2.f : -2.f;
        v = a + b * z;
      }
      out[i] = v;
    }
  });
}

}  // namespace tsdl::cpu
