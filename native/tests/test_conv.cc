// The CPU convolution (im2col + GEMM: forward with bias and activation, input gradient, kernel
// gradient) against plain double-precision loops, on the odd shapes the runtime's gradient
// checks use: stride 2, "same" padding, dilation, a batch of 1, a single channel, non-square
// kernels, a 1×1 kernel (no im2col), and shapes big enough to run several chunks on the pool.
#include <string>
#include <vector>

#include "../cpu/kernels.h"
#include "conv_reference.h"
#include "harness.h"

using namespace tsdl;
using tsdl::test::convCase;
using tsdl::test::randomVec;

namespace {

std::string nameOf(const Conv2dArgs& a) {
  return "conv b" + std::to_string(a.batch) + " " + std::to_string(a.inH) + "x" + std::to_string(a.inW) + "x" +
         std::to_string(a.inC) + " k" + std::to_string(a.kh) + "x" + std::to_string(a.kw) + "→" + std::to_string(a.outC) +
         " s" + std::to_string(a.strideH) + "," + std::to_string(a.strideW) + " d" + std::to_string(a.dilH) + "," +
         std::to_string(a.dilW) + " pad" + std::to_string(a.padTop) + "," + std::to_string(a.padLeft) + " out" +
         std::to_string(a.outH) + "x" + std::to_string(a.outW);
}

void checkConv(const Conv2dArgs& a0, bool bias = false, Activation act = Activation::Linear) {
  Conv2dArgs a = a0;
  unsigned seed = unsigned(a.batch * 131 + a.inH * 17 + a.inC * 7 + a.kh * 3 + a.outC);
  auto x = randomVec(size_t(a.batch * a.inH * a.inW * a.inC), seed);
  auto w = randomVec(size_t(a.kh * a.kw * a.inC * a.outC), seed + 1);
  auto bv = randomVec(size_t(a.outC), seed + 2);
  auto dy = randomVec(size_t(a.batch * a.outH * a.outW * a.outC), seed + 3);
  std::string name = nameOf(a);
  double tol = 2e-6 * std::sqrt(double(a.patchSize()) + 1) * 4;

  auto want = test::conv2dRef(x, w, a, bias ? &bv : nullptr, act);
  std::vector<float> y(want.size(), -7.f);
  a.bias = bias ? bv.data() : nullptr;
  a.act = act;
  cpu::conv2d(x.data(), w.data(), y.data(), a);
  CHECK_ALL_NEAR(y.data(), want.data(), want.size(), tol, name + " forward");

  std::vector<double> wantDx, wantDw;
  test::conv2dGradRef(x, w, dy, a, wantDx, wantDw);
  std::vector<float> dx(x.size(), -7.f), dw(w.size(), -7.f);
  cpu::conv2dInputGrad(dy.data(), w.data(), dx.data(), a);
  cpu::conv2dKernelGrad(x.data(), dy.data(), dw.data(), a);
  CHECK_ALL_NEAR(dx.data(), wantDx.data(), wantDx.size(), tol * 2, name + " input grad");
  double rows = double(a.outRows());
  CHECK_ALL_NEAR(dw.data(), wantDw.data(), wantDw.size(), 2e-6 * std::sqrt(rows + 1) * 4, name + " kernel grad");
}

}  // namespace

TEST(conv_matches_the_loops_on_odd_shapes_strides_padding_and_dilation) {
  //                        b  h  w  in out kh kw sh sw dh dw same
  checkConv(test::convCase(2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, false));
  checkConv(test::convCase(2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, true));
  checkConv(test::convCase(3, 9, 8, 2, 4, 3, 2, 2, 2, 1, 1, true));   // stride 2, non-square kernel
  checkConv(test::convCase(3, 9, 8, 2, 4, 3, 2, 2, 1, 1, 1, false));
  checkConv(test::convCase(1, 10, 11, 3, 2, 3, 3, 1, 1, 2, 2, true)); // dilation, batch of 1
  checkConv(test::convCase(2, 10, 11, 1, 3, 2, 3, 1, 1, 3, 1, false)); // one input channel
  checkConv(test::convCase(2, 6, 5, 4, 1, 1, 3, 1, 2, 1, 1, true));   // one output channel
  checkConv(test::convCase(2, 5, 5, 3, 7, 5, 5, 1, 1, 1, 1, false));  // kernel = image: 1×1 output
  checkConv(test::convCase(2, 5, 6, 3, 7, 1, 1, 1, 1, 1, 1, false));  // 1×1: x is the patch matrix
  checkConv(test::convCase(2, 5, 6, 3, 7, 1, 1, 2, 2, 1, 1, false));  // 1×1 with stride
  checkConv(test::convCase(1, 4, 4, 2, 3, 3, 3, 3, 3, 1, 1, true));   // stride = kernel, "same"
  checkConv(test::convCase(2, 3, 3, 2, 2, 5, 5, 1, 1, 1, 1, true));   // kernel larger than the image
}

TEST(fused_bias_and_activation_match) {
  checkConv(test::convCase(2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, true), true, Activation::Relu);
  checkConv(test::convCase(2, 7, 9, 3, 5, 3, 3, 2, 2, 1, 1, false), true, Activation::Linear);
  checkConv(test::convCase(1, 6, 6, 2, 3, 3, 3, 1, 1, 1, 1, true), true, Activation::Tanh);
  checkConv(test::convCase(1, 6, 6, 2, 3, 1, 1, 1, 1, 1, 1, false), true, Activation::Sigmoid);
}

TEST(the_book_network_layers_match_across_many_chunks) {
  // MNIST's three layers with a batch big enough for several chunks per call (and the pool).
  checkConv(test::convCase(5, 28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false), true, Activation::Relu);
  checkConv(test::convCase(9, 13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false), true, Activation::Relu);
  checkConv(test::convCase(7, 5, 5, 64, 128, 3, 3, 1, 1, 1, 1, false), true, Activation::Relu);
  // An image with more output rows than a chunk: the input gradient walks it in several chunks.
  checkConv(test::convCase(2, 40, 37, 32, 8, 3, 3, 1, 1, 1, 1, true));
  // Tiny patches: chunks capped at 2,048 rows (22 of them here).
  checkConv(test::convCase(3, 101, 150, 1, 4, 3, 3, 1, 1, 1, 1, false), true, Activation::Relu);
}

TEST(an_empty_batch_writes_nothing_and_zero_gradients_for_the_kernel) {
  Conv2dArgs a = test::convCase(0, 5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false);
  std::vector<float> x(1), w(size_t(3 * 3 * 2 * 3), 1.f), dw(w.size(), 5.f), y(1, 9.f);
  cpu::conv2d(x.data(), w.data(), y.data(), a);
  CHECK(y[0] == 9.f);
  cpu::conv2dKernelGrad(x.data(), y.data(), dw.data(), a);
  for (float v : dw) CHECK(v == 0.f);
}

TSDL_TEST_MAIN
