// Max and average pooling, forward and backward, against plain loops: "valid" and "same"
// (average divides by the cells inside the input), strides below, equal to and above the pool
// size (overlapping, tiling and skipping windows), non-square pools, one channel, a batch of 1,
// ties (the first maximum takes the gradient) and NaN (it wins, as in TensorFlow).
#include <cmath>
#include <string>
#include <vector>

#include "../cpu/kernels.h"
#include "conv_reference.h"
#include "harness.h"

using namespace tsdl;
using tsdl::test::poolCase;
using tsdl::test::randomVec;

namespace {

void checkPool(PoolOp op, const Pool2dArgs& a) {
  unsigned seed = unsigned(a.batch * 31 + a.inH * 7 + a.channels * 3 + a.poolH + int(op) * 1000);
  auto x = randomVec(size_t(a.batch * a.inH * a.inW * a.channels), seed);
  auto dy = randomVec(size_t(a.batch * a.outH * a.outW * a.channels), seed + 1);
  std::vector<double> wantY, wantDx;
  test::pool2dRef(op, x, dy, a, wantY, wantDx);
  std::string name = std::string(kPoolNames[int(op)]) + " b" + std::to_string(a.batch) + " " + std::to_string(a.inH) + "x" +
                     std::to_string(a.inW) + "x" + std::to_string(a.channels) + " pool" + std::to_string(a.poolH) + "x" +
                     std::to_string(a.poolW) + " s" + std::to_string(a.strideH) + "," + std::to_string(a.strideW) + " pad" +
                     std::to_string(a.padTop) + "," + std::to_string(a.padLeft);
  std::vector<float> y(wantY.size(), -7.f), dx(x.size(), -7.f);
  std::vector<int32_t> arg(y.size(), -5);
  cpu::pool2d(op, x.data(), y.data(), op == PoolOp::Max ? arg.data() : nullptr, a);
  CHECK_ALL_NEAR(y.data(), wantY.data(), wantY.size(), 1e-6, name + " forward");
  cpu::pool2dGrad(op, dy.data(), op == PoolOp::Max ? arg.data() : nullptr, dx.data(), a);
  CHECK_ALL_NEAR(dx.data(), wantDx.data(), wantDx.size(), 1e-6, name + " backward");
  if (op == PoolOp::Max) {  // without the indices output the values are the same
    std::vector<float> y2(y.size());
    cpu::pool2d(op, x.data(), y2.data(), nullptr, a);
    CHECK_ALL_NEAR(y2.data(), wantY.data(), wantY.size(), 0, name + " forward without argmax");
  }
}

}  // namespace

TEST(pooling_matches_the_loops_on_odd_shapes) {
  for (PoolOp op : {PoolOp::Max, PoolOp::Avg}) {
    //                      b  h  w  c  ph pw sh sw same
    checkPool(op, poolCase(2, 7, 9, 3, 2, 2, 2, 2, false));
    checkPool(op, poolCase(2, 7, 9, 3, 2, 2, 2, 2, true));
    checkPool(op, poolCase(1, 8, 7, 1, 3, 3, 1, 1, true));   // overlapping windows, "same", batch 1, 1 channel
    checkPool(op, poolCase(3, 9, 10, 5, 3, 2, 2, 3, true));  // non-square pool and strides
    checkPool(op, poolCase(2, 9, 10, 5, 3, 2, 2, 3, false));
    checkPool(op, poolCase(2, 10, 10, 4, 2, 2, 3, 3, false)); // stride above the pool: skipped cells
    checkPool(op, poolCase(2, 26, 26, 32, 2, 2, 2, 2, false)); // the book's first pooling layer
    checkPool(op, poolCase(1, 3, 3, 2, 5, 5, 1, 1, true));   // pool larger than the image
  }
}

TEST(ties_send_the_gradient_to_the_first_maximum_and_nan_wins) {
  Pool2dArgs a = poolCase(1, 2, 2, 1, 2, 2, 2, 2, false);
  std::vector<float> x = {1.f, 3.f, 3.f, 2.f}, y(1), dy = {1.f}, dx(4);
  std::vector<int32_t> arg(1);
  cpu::pool2d(PoolOp::Max, x.data(), y.data(), arg.data(), a);
  CHECK(y[0] == 3.f && arg[0] == 1);
  cpu::pool2dGrad(PoolOp::Max, dy.data(), arg.data(), dx.data(), a);
  CHECK(dx[0] == 0.f && dx[1] == 1.f && dx[2] == 0.f && dx[3] == 0.f);
  x = {1.f, NAN, 5.f, 2.f};
  cpu::pool2d(PoolOp::Max, x.data(), y.data(), arg.data(), a);
  CHECK(std::isnan(y[0]) && arg[0] == 1);
}

TEST(argmax_indices_outside_the_window_are_skipped_not_written) {
  Pool2dArgs a = poolCase(1, 4, 4, 1, 2, 2, 2, 2, false);
  std::vector<float> dy(4, 1.f), dx(16, 9.f);
  std::vector<int32_t> arg = {-1, 4, 1 << 30, 3};
  cpu::pool2dGrad(PoolOp::Max, dy.data(), arg.data(), dx.data(), a);
  double sum = 0;
  for (float v : dx) sum += v;
  CHECK(sum == 1.0 && dx[3 * 4 + 3] == 1.f);  // only the last window's index is valid: cell 3 = (3, 3)
}

TSDL_TEST_MAIN
