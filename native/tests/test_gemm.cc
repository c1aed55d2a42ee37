// GEMM against a naive triple loop: every transpose combination, odd sizes, k = 0, alpha/beta,
// batches with broadcast strides, and the bias+activation epilogue.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;

static std::vector<float> randomVec(size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

static void reference(const float* A, const float* B, float* C, const MatmulArgs& g) {
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

static void compare(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t batch = 1,
                    float alpha = 1.f, float beta = 0.f, bool bias = false,
                    Activation act = Activation::Linear, bool broadcastB = false) {
  MatmulArgs g;
  g.m = m; g.n = n; g.k = k; g.transA = ta; g.transB = tb; g.batch = batch;
  g.strideA = m * k; g.strideB = broadcastB ? 0 : k * n; g.strideC = m * n;
  g.alpha = alpha; g.beta = beta; g.act = act;
  auto A = randomVec(size_t(std::max<int64_t>(1, batch * m * k)), 1);
  auto B = randomVec(size_t(std::max<int64_t>(1, (broadcastB ? 1 : batch) * k * n)), 2);
  auto bv = randomVec(size_t(n), 3);
  g.bias = bias ? bv.data() : nullptr;
  auto C0 = randomVec(size_t(batch * m * n), 4);
  auto got = C0, want = C0;
  cpu::matmul(A.data(), B.data(), got.data(), g);
  reference(A.data(), B.data(), want.data(), g);
  char ctx[160];
  std::snprintf(ctx, sizeof ctx, "m=%lld n=%lld k=%lld transA=%d transB=%d batch=%lld alpha=%g beta=%g bias=%d act=%d",
                (long long)m, (long long)n, (long long)k, ta, tb, (long long)batch, alpha, beta, bias, int(act));
  CHECK_ALL_NEAR(got.data(), want.data(), got.size(), 1e-4 * std::sqrt(double(k) + 1), ctx);
}

TEST(every_transpose_combination_matches_the_triple_loop_on_odd_shapes) {
  const int64_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {13, 7, 5}, {6, 16, 8}, {5, 17, 300},
                               {129, 257, 33}, {37, 19, 600}, {2, 3, 1}, {1, 100, 7}, {100, 1, 7}};
  for (auto& s : shapes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) compare(s[0], s[1], s[2], ta, tb);
}

TEST(mnist_shapes_match_the_triple_loop) {
  compare(128, 512, 784, false, false);   // forward layer 1
  compare(128, 10, 512, false, false);    // forward layer 2
  compare(784, 512, 128, true, false);    // dW1 = xᵀ·dY
  compare(512, 10, 128, true, false);     // dW2 = hᵀ·dY
  compare(128, 512, 10, false, true);     // dH = dY·W2ᵀ
}

TEST(alpha_and_beta_scale_and_accumulate) {
  compare(7, 13, 5, false, false, 1, 0.5f, 0.f);
  compare(7, 13, 5, false, true, 1, 1.f, 1.f);
  compare(33, 45, 700, true, false, 1, -2.f, 0.25f);
}

TEST(k_zero_gives_beta_times_c) {
  compare(5, 9, 0, false, false, 1, 1.f, 0.f);
  compare(5, 9, 0, false, false, 1, 1.f, 2.f);
}

TEST(bias_and_activation_epilogue_matches) {
  compare(7, 13, 5, false, false, 1, 1.f, 0.f, true, Activation::Linear);
  compare(129, 70, 33, false, false, 1, 1.f, 0.f, true, Activation::Relu);
  compare(17, 23, 300, true, true, 1, 1.f, 0.f, true, Activation::Sigmoid);
  compare(17, 23, 9, false, true, 1, 1.f, 0.f, false, Activation::Tanh);
  compare(128, 512, 784, false, false, 1, 1.f, 0.f, true, Activation::Relu);
}

TEST(batched_matmul_matches_per_matrix_and_broadcasts_stride_zero) {
  compare(7, 13, 5, false, false, 3);
  compare(7, 13, 5, true, true, 4);
  compare(33, 20, 17, false, true, 5, 1.f, 0.f, false, Activation::Linear, true);
  compare(1, 1, 1, false, false, 7);
}

TEST(narrow_outputs_computed_as_dot_products_along_k_match) {
  // n ≤ 16 with A not transposed takes the dot-product path: every row remainder of its 5-row
  // blocks, odd n (a single last column), k not a multiple of 8, beta, bias and activation.
  for (int64_t n = 1; n <= 17; ++n) compare(23, n, 45, false, n % 2 == 0);
  compare(128, 10, 512, false, false, 1, 1.f, 0.f, true, Activation::Linear);
  compare(9, 10, 517, false, true, 1, 0.5f, 0.75f, true, Activation::Relu);
  compare(4, 3, 32, false, false, 3);
}

TEST(large_square_matches) { compare(300, 301, 302, false, false); }

TSDL_TEST_MAIN
