// Softmax, log-softmax and the fused cross-entropy (sparse and one-hot labels, loss and
// gradient) against double-precision loops, on 1×1, odd and wide rows and extreme logits.
#include <cmath>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;
using tsdl::test::randomVec;

static std::vector<double> softmaxRef(const std::vector<float>& x, int64_t rows, int64_t cols) {
  std::vector<double> p(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int64_t j = 0; j < cols; ++j) m = std::fmax(m, x[size_t(r * cols + j)]);
    for (int64_t j = 0; j < cols; ++j) s += std::exp(x[size_t(r * cols + j)] - m);
    for (int64_t j = 0; j < cols; ++j) p[size_t(r * cols + j)] = std::exp(x[size_t(r * cols + j)] - m) / s;
  }
  return p;
}

TEST(softmax_and_log_softmax_match_on_odd_shapes) {
  const int64_t shapes[][2] = {{1, 1}, {7, 13}, {128, 10}, {3, 1000}, {700, 512}};
  for (auto& sh : shapes) {
    int64_t rows = sh[0], cols = sh[1];
    auto x = randomVec(size_t(rows * cols), unsigned(rows + cols), -20.f, 20.f);
    auto p = softmaxRef(x, rows, cols);
    std::vector<float> got(x.size());
    cpu::softmax(x.data(), got.data(), rows, cols, false);
    CHECK_ALL_NEAR(got.data(), p.data(), p.size(), 2e-6, "softmax " + std::to_string(rows) + "x" + std::to_string(cols));
    std::vector<double> lp(p.size());
    for (size_t i = 0; i < p.size(); ++i) lp[i] = std::log(p[i]);
    cpu::softmax(x.data(), got.data(), rows, cols, true);
    CHECK_ALL_NEAR(got.data(), lp.data(), lp.size(), 2e-6, "log_softmax " + std::to_string(rows) + "x" + std::to_string(cols));
  }
}

TEST(softmax_is_stable_for_huge_and_infinite_logits) {
  std::vector<float> x = {1000.f, 1000.f, -INFINITY, -1000.f};
  std::vector<float> p(4);
  cpu::softmax(x.data(), p.data(), 1, 4, false);
  CHECK(p[0] == 0.5f && p[1] == 0.5f && p[2] == 0.f && p[3] == 0.f);
}

TEST(cross_entropy_loss_and_gradient_for_sparse_and_onehot_labels) {
  const int64_t shapes[][2] = {{1, 1}, {13, 10}, {128, 10}, {5, 1001}};
  for (auto& sh : shapes) {
    int64_t rows = sh[0], cols = sh[1];
    auto x = randomVec(size_t(rows * cols), unsigned(rows * 3 + cols), -10.f, 10.f);
    std::vector<int32_t> labels(static_cast<size_t>(rows));
    std::vector<float> onehot(size_t(rows * cols), 0.f);
    for (int64_t r = 0; r < rows; ++r) {
      labels[size_t(r)] = int32_t((r * 7) % cols);
      onehot[size_t(r * cols + labels[size_t(r)])] = 1.f;
    }
    auto p = softmaxRef(x, rows, cols);
    std::vector<double> wantLoss(static_cast<size_t>(rows)), wantGrad(p.size());
    float scale = 1.f / float(rows);
    for (int64_t r = 0; r < rows; ++r) {
      wantLoss[size_t(r)] = -std::log(p[size_t(r * cols + labels[size_t(r)])]);
      for (int64_t j = 0; j < cols; ++j)
        wantGrad[size_t(r * cols + j)] = (p[size_t(r * cols + j)] - (j == labels[size_t(r)])) * scale;
    }
    std::vector<float> loss(static_cast<size_t>(rows)), grad(p.size());
    cpu::softmaxCrossEntropy(x.data(), labels.data(), true, rows, cols, loss.data(), grad.data(), scale);
    CHECK_ALL_NEAR(loss.data(), wantLoss.data(), loss.size(), 2e-5, "sparse loss");
    CHECK_ALL_NEAR(grad.data(), wantGrad.data(), grad.size(), 2e-6, "sparse grad");
    std::fill(loss.begin(), loss.end(), 0.f);
    cpu::softmaxCrossEntropy(x.data(), onehot.data(), false, rows, cols, loss.data(), grad.data(), scale);
    CHECK_ALL_NEAR(loss.data(), wantLoss.data(), loss.size(), 2e-5, "onehot loss");
    CHECK_ALL_NEAR(grad.data(), wantGrad.data(), grad.size(), 2e-6, "onehot grad");
    cpu::softmaxCrossEntropy(x.data(), labels.data(), true, rows, cols, loss.data(), nullptr, 1.f);
    CHECK_ALL_NEAR(loss.data(), wantLoss.data(), loss.size(), 2e-5, "loss without gradient");
  }
}

TSDL_TEST_MAIN
