// Vectorizable float math for the element-wise kernels. glibc's expf is a scalar call, so a
// loop over it runs at ~1 element per 3 ns; this exp is plain arithmetic that g++ -O3 turns
// into SIMD (4 or 8 lanes), which is what makes softmax and sigmoid run at memory speed.
// The CUDA backend uses its own __expf; results agree to ~2 ulp, not bit for bit.
// `static`: this header is compiled into both ISA builds, and each must keep its own copy.
#pragma once
#include <cstdint>

namespace tsdl::cpu {

// exp(x) = 2^k · e^r with k = round(x·log2 e), |r| ≤ ln2/2, e^r by a degree-6 Taylor
// polynomial (relative error < 3e-7). Returns 0 below -87.3 (so exp(-inf) = 0), +inf above
// 88.7, NaN for NaN.
static inline float vexp(float x) {
  float xc = x < -87.33f ? -87.33f : (x > 88.72f ? 88.72f : x);
  // Round to nearest through the 1.5·2^23 trick (no call to rint, which would not vectorize).
  float kf = (xc * 1.44269504088896341f + 12582912.f) - 12582912.f;
  float r = xc - kf * 0.693145751953125f - kf * 1.42860682030941723e-6f;
  float p = 1.f + r * (1.f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f + r * 0.00138888892f)))));
  int32_t bits = (static_cast<int32_t>(kf) + 127) << 23;
  // __builtin_bit_cast (not memcpy): no memory operation, so the call can sit inside a
  // select (elu, selu) and still be if-converted and vectorized.
  float y = p * __builtin_bit_cast(float, bits);
  y = x < -87.33f ? 0.f : y;
  return x != x ? x : y;
}

static inline float vsigmoid(float x) { return 1.f / (1.f + vexp(-x)); }

// tanh through exp of a non-positive argument, so it never overflows.
static inline float vtanh(float x) {
  float ax = x < 0.f ? -x : x;
  float e = vexp(-2.f * ax);
  float t = (1.f - e) / (1.f + e);
  return x < 0.f ? -t : t;
}

}  // namespace tsdl::cpu
