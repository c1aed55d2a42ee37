// Philox4x32-10 against the Random123 known-answer vectors (through the uniform mapping), and
// the documented properties: element i depends only on (seed, offset + i), moments, bounds.
#include <cmath>
#include <cstring>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;

static float u01(uint32_t x) { return float(x >> 8) * (1.0f / 16777216.0f); }

TEST(uniform_reproduces_the_random123_known_answers) {
  // philox4x32_10(ctr = {0,0,0,0}, key = {0,0}) = {6627e8d5, e169c58d, bc57ac4c, 9b00dbd8}
  std::vector<float> out(4);
  cpu::random(RandomKind::Uniform, out.data(), 4, 0, 0, 0.f, 1.f);
  const uint32_t kat[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  for (int i = 0; i < 4; ++i) CHECK(out[size_t(i)] == u01(kat[i]));
}

TEST(element_i_depends_only_on_seed_and_offset_plus_i) {
  for (int k = 0; k < 3; ++k) {
    auto kind = RandomKind(k);
    std::vector<float> all(100003), part(1001);
    cpu::random(kind, all.data(), int64_t(all.size()), 1234567890123ull, 5, 0.f, 1.f);
    cpu::random(kind, part.data(), int64_t(part.size()), 1234567890123ull, 5 + 777, 0.f, 1.f);
    CHECK(std::memcmp(part.data(), all.data() + 777, part.size() * sizeof(float)) == 0);
    std::vector<float> other(1001);
    cpu::random(kind, other.data(), int64_t(other.size()), 1234567890124ull, 5 + 777, 0.f, 1.f);
    CHECK(std::memcmp(part.data(), other.data(), part.size() * sizeof(float)) != 0);
  }
}

TEST(moments_and_bounds) {
  const int64_t n = 200000;
  std::vector<float> u(n), g(n), t(n);
  cpu::random(RandomKind::Uniform, u.data(), n, 1, 0, -1.f, 3.f);
  cpu::random(RandomKind::Normal, g.data(), n, 2, 0, 1.f, 2.f);
  cpu::random(RandomKind::TruncatedNormal, t.data(), n, 3, 0, 0.f, 1.f);
  double su = 0, sg = 0, sg2 = 0, st2 = 0;
  float umin = 1e9f, umax = -1e9f, tmax = 0;
  for (int64_t i = 0; i < n; ++i) {
    su += u[size_t(i)];
    umin = std::fmin(umin, u[size_t(i)]);
    umax = std::fmax(umax, u[size_t(i)]);
    sg += g[size_t(i)];
    sg2 += double(g[size_t(i)]) * g[size_t(i)];
    st2 += double(t[size_t(i)]) * t[size_t(i)];
    tmax = std::fmax(tmax, std::fabs(t[size_t(i)]));
  }
  double gm = sg / n;
  CHECK(umin >= -1.f && umax < 3.f && std::fabs(su / n - 1.0) < 0.01);
  CHECK(std::fabs(gm - 1.0) < 0.02 && std::fabs(std::sqrt(sg2 / n - gm * gm) - 2.0) < 0.02);
  CHECK(tmax <= 2.f && std::fabs(std::sqrt(st2 / n) - 0.8796) < 0.01);  // sd of N(0,1) cut at ±2
}

TSDL_TEST_MAIN
