// GEMM against a naive triple loop: every transpose combination, odd sizes, k = 0, alpha/beta,
// batches with broadcast strides, and the bias+activation epilogue.
#include <cmath>
#include <string>
#include <vector>

#include "../cpu/kernels.h"
#include "gemm_reference.h"
#include "harness.h"

using namespace tsdl;

static void compare(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t batch = 1,
                    float alpha = 1.f, float beta = 0.f, bool bias = false,
                    Activation act = Activation::Linear, bool broadcastB = false) {
  test::GemmCase c = test::gemmCase(m, n, k, ta, tb, batch, alpha, beta, bias, act, broadcastB);
  auto got = c.C0;
  cpu::matmul(c.A.data(), c.B.data(), got.data(), c.args);
  CHECK_ALL_NEAR(got.data(), c.want.data(), got.size(), 1e-4 * std::sqrt(double(k) + 1), c.name.c_str());
}

TEST(every_transpose_combination_matches_the_triple_loop_on_odd_shapes) {
  const int64_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {13, 7, 5}, {6, 16, 8}, {5, 17, 300},
                               {129, 257, 33}, {37, 19, 600}, {2, 3, 1}, {1, 100, 7}, {100, 1, 7}};
  for (auto& s : shapes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) compare(s[0], s[1], s[2], ta, tb);
}

TEST(mnist_shapes_match_the_triple_loop) {
  std::printf("GEMM kernel for wide outputs: %s\n", cpu::gemmKernelName());
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
  for (int64_t m = 1; m <= 11; ++m) compare(m, 10, 40, false, false);  // each remainder in one tile
  compare(128, 10, 512, false, false, 1, 1.f, 0.f, true, Activation::Linear);
  compare(9, 10, 517, false, true, 1, 0.5f, 0.75f, true, Activation::Relu);
  compare(4, 3, 32, false, false, 3);
  // Batches with B untransposed (each tile transposes its own copy): one B per matrix, and one
  // B shared by all (stride 0).
  compare(21, 10, 64, false, false, 3);
  compare(26, 7, 64, false, false, 4, 1.f, 0.f, false, Activation::Linear, true);
}

TEST(large_square_matches) { compare(300, 301, 302, false, false); }

TSDL_TEST_MAIN
