// Transpose (every permutation of a 4-D tensor, 1- and 4-byte elements), gather and one-hot.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;

TEST(transpose_matches_index_arithmetic_for_every_permutation) {
  Shape s;
  s.ndim = 4;
  s.dims[0] = 3; s.dims[1] = 5; s.dims[2] = 1; s.dims[3] = 7;
  std::vector<uint32_t> x(size_t(s.size()));
  std::iota(x.begin(), x.end(), 0u);
  std::vector<uint8_t> x8(x.size());
  for (size_t i = 0; i < x.size(); ++i) x8[i] = uint8_t(i * 7);
  int perm[4] = {0, 1, 2, 3};
  do {
    std::vector<uint32_t> got(x.size());
    std::vector<uint8_t> got8(x.size());
    cpu::transpose(x.data(), 4, s, perm, got.data());
    cpu::transpose(x8.data(), 1, s, perm, got8.data());
    int64_t od[4], st[4] = {s.dims[1] * s.dims[2] * s.dims[3], s.dims[2] * s.dims[3], s.dims[3], 1};
    for (int d = 0; d < 4; ++d) od[d] = s.dims[perm[d]];
    bool ok = true;
    for (int64_t i = 0; i < s.size() && ok; ++i) {
      int64_t r = i, src = 0;
      for (int d = 3; d >= 0; --d) { src += (r % od[d]) * st[perm[d]]; r /= od[d]; }
      ok = got[size_t(i)] == x[size_t(src)] && got8[size_t(i)] == x8[size_t(src)];
    }
    CHECK(ok);
  } while (std::next_permutation(perm, perm + 4));
}

TEST(matrix_transpose_of_odd_and_large_sizes) {
  for (auto [r, c] : {std::pair<int64_t, int64_t>{1, 1}, {129, 257}, {1000, 333}}) {
    Shape s;
    s.ndim = 2;
    s.dims[0] = r; s.dims[1] = c;
    std::vector<uint32_t> x(size_t(r * c)), y(x.size());
    std::iota(x.begin(), x.end(), 0u);
    int perm[2] = {1, 0};
    cpu::transpose(x.data(), 4, s, perm, y.data());
    bool ok = true;
    for (int64_t i = 0; i < r && ok; ++i)
      for (int64_t j = 0; j < c && ok; ++j) ok = y[size_t(j * r + i)] == x[size_t(i * c + j)];
    CHECK(ok);
  }
}

TEST(gather_rows_and_one_hot) {
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<int32_t> idx = {2, 0, 2, 1};
  std::vector<float> out(12);
  cpu::gather(x.data(), 4, 3, idx.data(), 4, out.data());
  std::vector<float> want = {7, 8, 9, 1, 2, 3, 7, 8, 9, 4, 5, 6};
  CHECK(out == want);
  std::vector<float> oh(12, 5.f);
  cpu::oneHot(idx.data(), 4, 3, oh.data());
  std::vector<float> wantOh = {0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0};
  CHECK(oh == wantOh);
}

TSDL_TEST_MAIN
