// Fused optimizer updates over several tensors (one large enough to run on the pool) against
// the Keras formulas written out in double precision.
#include <cmath>
#include <cstdio>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;
using tsdl::test::randomVec;

struct Set {
  std::vector<float> w, g, s1, s2;
};
static std::vector<Set> make() {
  std::vector<Set> sets;
  unsigned seed = 1;
  for (size_t n : {size_t(1), size_t(1031), size_t(400000)}) {
    Set s{randomVec(n, seed++), randomVec(n, seed++), randomVec(n, seed++, 0.f, 1.f), randomVec(n, seed++, 0.f, 1.f)};
    sets.push_back(s);
  }
  return sets;
}
static std::vector<OptimizerSlot> slotsOf(std::vector<Set>& sets) {
  std::vector<OptimizerSlot> out;
  for (auto& s : sets) out.push_back({s.w.data(), s.g.data(), s.s1.data(), s.s2.data(), int64_t(s.w.size())});
  return out;
}

TEST(sgd_plain_momentum_and_nesterov) {
  for (int mode = 0; mode < 3; ++mode) {
    auto sets = make(), ref = sets;
    auto slots = slotsOf(sets);
    if (mode == 0) for (auto& s : slots) s.s1 = nullptr;
    cpu::sgdUpdate(slots.data(), int(slots.size()), 0.1f, mode ? 0.9f : 0.f, mode == 2);
    for (size_t k = 0; k < ref.size(); ++k) {
      auto& r = ref[k];
      std::vector<double> w(r.w.size()), v(r.w.size());
      for (size_t i = 0; i < w.size(); ++i) {
        double g = r.g[i];
        if (mode == 0) { w[i] = r.w[i] - 0.1 * g; v[i] = r.s1[i]; continue; }
        v[i] = 0.9 * r.s1[i] - 0.1 * g;
        w[i] = mode == 2 ? r.w[i] + 0.9 * v[i] - 0.1 * g : r.w[i] + v[i];
      }
      CHECK_ALL_NEAR(sets[k].w.data(), w.data(), w.size(), 1e-6, "sgd w mode " + std::to_string(mode));
      CHECK_ALL_NEAR(sets[k].s1.data(), v.data(), v.size(), 1e-6, "sgd velocity");
    }
  }
}

TEST(rmsprop_adam_and_adagrad_follow_keras) {
  for (int which = 0; which < 4; ++which) {
    auto sets = make(), ref = sets;
    auto slots = slotsOf(sets);
    const double lr = 0.001, rho = 0.9, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    const int step = 4;
    if (which == 0) cpu::rmspropUpdate(slots.data(), int(slots.size()), float(lr), float(rho), float(eps));
    if (which == 1 || which == 2)
      cpu::adamUpdate(slots.data(), int(slots.size()), float(lr), float(b1), float(b2), float(eps), step, which == 2 ? 0.01f : 0.f);
    if (which == 3) cpu::adagradUpdate(slots.data(), int(slots.size()), float(lr), float(eps));
    for (size_t k = 0; k < ref.size(); ++k) {
      auto& r = ref[k];
      std::vector<double> w(r.w.size()), s1(r.w.size());
      for (size_t i = 0; i < w.size(); ++i) {
        double g = r.g[i];
        if (which == 0) {
          s1[i] = rho * r.s1[i] + (1 - rho) * g * g;
          w[i] = r.w[i] - lr * g / std::sqrt(s1[i] + eps);
        } else if (which == 3) {
          s1[i] = r.s1[i] + g * g;
          w[i] = r.w[i] - lr * g / std::sqrt(s1[i] + eps);
        } else {
          double alpha = lr * std::sqrt(1 - std::pow(b2, step)) / (1 - std::pow(b1, step));
          s1[i] = r.s1[i] + (g - r.s1[i]) * (1 - b1);
          double v = r.s2[i] + (g * g - r.s2[i]) * (1 - b2);
          double w0 = which == 2 ? r.w[i] * (1 - 0.01 * lr) : r.w[i];
          w[i] = w0 - alpha * s1[i] / (std::sqrt(v) + eps);
        }
      }
      const char* names[] = {"rmsprop", "adam", "adamw", "adagrad"};
      CHECK_ALL_NEAR(sets[k].w.data(), w.data(), w.size(), 1e-6, std::string(names[which]) + " weights");
      CHECK_ALL_NEAR(sets[k].s1.data(), s1.data(), s1.size(), 1e-5, std::string(names[which]) + " slot");
    }
  }
}

// The AVX2 build computes 1/sqrt(v + eps) from the hardware estimate and a Newton step: each
// weight's step must stay within a few float ulp of the exact quotient over a wide range of
// gradients, and an overflowed v must not turn a weight into NaN.
TEST(rmsprop_step_is_within_a_few_ulp_and_an_overflowed_v_moves_nothing) {
  const float lr = 0.001f, rho = 0.9f, eps = 1e-7f;
  const size_t n = 4003;  // vector body and scalar tail
  std::vector<float> w(n, 0.f), g(n), v(n);  // w = 0: the new w is minus the step, unrounded
  for (size_t i = 0; i < n; ++i) {
    g[i] = float(std::pow(10.0, -6.0 + 9.0 * double(i) / double(n))) * (i % 2 ? -1.f : 1.f);
    v[i] = float(i % 7) * 0.25f * std::fabs(g[i]) * std::fabs(g[i]);
  }
  g[8] = 1e20f;  // g² overflows: v = inf, and the exact step is g/inf = 0
  g[9] = NAN;
  auto v0 = v;
  OptimizerSlot slot{w.data(), g.data(), v.data(), nullptr, int64_t(n)};
  cpu::rmspropUpdate(&slot, 1, lr, rho, eps);
  CHECK(w[8] == 0.f && std::isinf(v[8]));
  CHECK(std::isnan(w[9]));
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i == 8 || i == 9) continue;
    double nv = double(rho) * v0[i] + (1.0 - double(rho)) * double(g[i]) * g[i];
    double exact = double(lr) * g[i] / std::sqrt(nv + double(eps));
    worst = std::max(worst, std::fabs(-double(w[i]) - exact) / std::fabs(exact));
  }
  CHECK(worst < 6e-7);  // a few float ulp (2^-23 ≈ 1.2e-7)
  // epsilon 0 with v = 0 and a zero gradient: a zero step (not 0/0 = NaN), in every lane,
  // the vector body's and the tail's alike.
  std::vector<float> w2(11, 1.f), g2(11, 0.f), v2(11, 0.f);
  OptimizerSlot zero{w2.data(), g2.data(), v2.data(), nullptr, 11};
  cpu::rmspropUpdate(&zero, 1, lr, rho, 0.f);
  for (float x : w2) CHECK(x == 1.f);
  std::printf("rmsprop: worst relative error of a step %.2g\n", worst);
}

TSDL_TEST_MAIN
