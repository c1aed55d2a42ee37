// Reductions over every axis subset (contiguous and strided patterns) and argmax/argmin,
// against plain loops; results must not depend on the thread count.
#include <cmath>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;
using tsdl::test::randomVec;

static std::vector<double> reduceRef(ReduceOp op, const std::vector<float>& x, const Shape& s, const bool* red) {
  int64_t outSize = 1, count = 1;
  for (int d = 0; d < s.ndim; ++d) (red[d] ? count : outSize) *= s.dims[d];
  double init = op == ReduceOp::Max ? -INFINITY : op == ReduceOp::Min ? INFINITY : 0;
  std::vector<double> out(size_t(outSize), init);
  for (int64_t i = 0; i < s.size(); ++i) {
    int64_t r = i, o = 0, mul = 1;
    for (int d = s.ndim - 1; d >= 0; --d) {
      int64_t k = r % s.dims[d];
      r /= s.dims[d];
      if (!red[d]) { o += k * mul; mul *= s.dims[d]; }
    }
    double v = x[size_t(i)];
    double& t = out[size_t(o)];
    t = op == ReduceOp::Max ? std::fmax(t, v) : op == ReduceOp::Min ? std::fmin(t, v) : t + v;
  }
  if (op == ReduceOp::Mean)
    for (auto& v : out) v /= double(count);
  return out;
}

TEST(every_axis_subset_of_odd_shapes_matches) {
  const std::vector<std::vector<int64_t>> shapes = {{1}, {7, 13, 5}, {3, 1, 4, 2}, {129, 257}, {600, 700}, {2, 3, 2, 3, 2}};
  for (auto& dims : shapes) {
    Shape s;
    for (auto d : dims) s.dims[s.ndim++] = d;
    auto x = randomVec(size_t(s.size()), unsigned(s.ndim * 7));
    for (int mask = 0; mask < (1 << s.ndim); ++mask) {
      bool red[kMaxDims] = {};
      for (int d = 0; d < s.ndim; ++d) red[d] = (mask >> d) & 1;
      for (int o = 0; o < int(ReduceOp::Count); ++o) {
        auto want = reduceRef(ReduceOp(o), x, s, red);
        std::vector<float> got(want.size());
        cpu::reduce(ReduceOp(o), x.data(), s, red, got.data());
        CHECK_ALL_NEAR(got.data(), want.data(), want.size(), 2e-5,
                       std::string(kReduceNames[o]) + " ndim=" + std::to_string(s.ndim) + " mask=" + std::to_string(mask));
      }
    }
  }
}

TEST(max_propagates_nan_and_empty_sums_are_zero) {
  std::vector<float> x = {1.f, NAN, 3.f};
  Shape s;
  s.ndim = 1;
  s.dims[0] = 3;
  bool red[kMaxDims] = {true};
  float out = 0;
  cpu::reduce(ReduceOp::Max, x.data(), s, red, &out);
  CHECK(std::isnan(out));
  Shape e;
  e.ndim = 2;
  e.dims[0] = 4;
  e.dims[1] = 0;
  bool red2[kMaxDims] = {false, true};
  std::vector<float> sums(4, 9.f);
  cpu::reduce(ReduceOp::Sum, x.data(), e, red2, sums.data());
  CHECK(sums[0] == 0.f && sums[3] == 0.f);
}

TEST(argmax_and_argmin_along_each_axis_take_the_first_extreme) {
  Shape s;
  s.ndim = 3;
  s.dims[0] = 7; s.dims[1] = 13; s.dims[2] = 5;
  auto x = randomVec(size_t(s.size()), 3);
  for (auto& v : x) v = std::round(v * 2);  // many ties
  for (int axis = 0; axis < 3; ++axis)
    for (int o = 0; o < 2; ++o) {
      int64_t len = s.dims[axis], inner = 1, outer = 1;
      for (int d = 0; d < axis; ++d) outer *= s.dims[d];
      for (int d = axis + 1; d < 3; ++d) inner *= s.dims[d];
      std::vector<int32_t> got(size_t(outer * inner));
      std::vector<double> want(got.size()), g(got.size());
      cpu::argReduce(ArgReduceOp(o), x.data(), s, axis, got.data());
      for (int64_t a = 0; a < outer; ++a)
        for (int64_t j = 0; j < inner; ++j) {
          int best = 0;
          for (int64_t r = 1; r < len; ++r) {
            float v = x[size_t((a * len + r) * inner + j)], bv = x[size_t((a * len + best) * inner + j)];
            if (o == 0 ? v > bv : v < bv) best = int(r);
          }
          want[size_t(a * inner + j)] = best;
          g[size_t(a * inner + j)] = got[size_t(a * inner + j)];
        }
      CHECK_ALL_NEAR(g.data(), want.data(), want.size(), 0, std::string(kArgReduceNames[o]) + " axis " + std::to_string(axis));
    }
}

TSDL_TEST_MAIN
