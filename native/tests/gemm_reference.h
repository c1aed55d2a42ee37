// The GEMM reference both backends are tested against (native/tests/test_gemm.cc for the CPU,
// native/cuda/tests/test_cuda_kernels.cc for CUDA): a double-precision triple loop with the
// same alpha/beta, batch strides and bias+activation epilogue as MatmulArgs describes, and the
// random operands of one case.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../core/backend.h"
#include "harness.h"

namespace tsdl::test {

inline void referenceGemm(const float* A, const float* B, float* C, const MatmulArgs& g) {
  for (int64_t bi = 0; bi < g.batch; ++bi) {
    const float* a = A + bi * g.strideA;
    const float* b = B + bi * g.strideB;
    float* c = C + bi * g.strideC;
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < g.k; ++p) {
          double av = g.transA ? a[p * g.m + i] : a[i * g.k + p];
          double bv = g.transB ? b[j * g.k + p] : b[p * g.n + j];
          s += av * bv;
        }
        double v = g.alpha * s + (g.beta == 0.f ? 0.0 : g.beta * c[i * g.n + j]);
        if (g.bias) v += g.bias[j];
        switch (g.act) {
          case Activation::Relu: v = v > 0 ? v : 0; break;
          case Activation::Sigmoid: v = 1 / (1 + std::exp(-v)); break;
          case Activation::Tanh: v = std::tanh(v); break;
          default: break;
        }
        c[i * g.n + j] = float(v);
      }
  }
}

// One GEMM case: its arguments (args.bias points into `bias` when the case has one), random
// operands, the C it starts from, and the reference result.
struct GemmCase {
  MatmulArgs args;
  std::vector<float> A, B, bias, C0, want;
  std::string name;  // the arguments, for failure messages
};

inline GemmCase gemmCase(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t batch, float alpha, float beta,
                         bool bias, Activation act, bool broadcastB) {
  GemmCase c;
  MatmulArgs& g = c.args;
  g.m = m; g.n = n; g.k = k; g.transA = ta; g.transB = tb; g.batch = batch;
  g.strideA = m * k; g.strideB = broadcastB ? 0 : k * n; g.strideC = m * n;
  g.alpha = alpha; g.beta = beta; g.act = act;
  c.A = randomVec(size_t(std::max<int64_t>(1, batch * m * k)), 1, -1.f, 1.f);
  c.B = randomVec(size_t(std::max<int64_t>(1, (broadcastB ? 1 : batch) * k * n)), 2, -1.f, 1.f);
  c.bias = randomVec(size_t(n), 3, -1.f, 1.f);
  c.C0 = randomVec(size_t(batch * m * n), 4, -1.f, 1.f);
  g.bias = bias ? c.bias.data() : nullptr;
  c.want = c.C0;
  referenceGemm(c.A.data(), c.B.data(), c.want.data(), g);
  char text[200];
  std::snprintf(text, sizeof text, "m=%lld n=%lld k=%lld transA=%d transB=%d batch=%lld alpha=%g beta=%g bias=%d act=%d",
                (long long)m, (long long)n, (long long)k, ta, tb, (long long)batch, alpha, beta, bias, int(act));
  c.name = text;
  return c;
}

}  // namespace tsdl::test
