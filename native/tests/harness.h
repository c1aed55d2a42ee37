// A tiny test harness: TEST(name) registers a function, CHECK/CHECK_NEAR count failures with
// the file and line, main() runs every test and returns non-zero when any failed.
#pragma once
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace tsdl::test {

struct Case {
  const char* name;
  std::function<void()> fn;
};
inline std::vector<Case>& cases() {
  static std::vector<Case> c;
  return c;
}
inline int& failures() {
  static int f = 0;
  return f;
}
struct Register {
  Register(const char* n, std::function<void()> f) { cases().push_back({n, std::move(f)}); }
};

// Relative+absolute tolerance; NaN equals NaN (a kernel must propagate NaN where the reference does).
inline bool near(double a, double b, double tol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= tol * (1.0 + std::fabs(b));
}

}  // namespace tsdl::test

#define TEST(NAME)                                                              \
  static void NAME();                                                           \
  static ::tsdl::test::Register reg_##NAME(#NAME, NAME);                        \
  static void NAME()

#define CHECK(COND)                                                             \
  do {                                                                          \
    if (!(COND)) {                                                              \
      std::printf("  FAILED %s:%d: %s\n", __FILE__, __LINE__, #COND);           \
      ++::tsdl::test::failures();                                               \
    }                                                                           \
  } while (0)

// Compares two arrays; reports the first mismatch only (and the context string).
#define CHECK_ALL_NEAR(GOT, WANT, N, TOL, CTX)                                  \
  do {                                                                          \
    for (long long i_ = 0; i_ < (long long)(N); ++i_) {                         \
      if (!::tsdl::test::near((GOT)[i_], (WANT)[i_], (TOL))) {                  \
        std::printf("  FAILED %s:%d: %s: element %lld is %.9g, expected %.9g\n", \
                    __FILE__, __LINE__, std::string(CTX).c_str(), i_,           \
                    (double)(GOT)[i_], (double)(WANT)[i_]);                     \
        ++::tsdl::test::failures();                                             \
        break;                                                                  \
      }                                                                         \
    }                                                                           \
  } while (0)

#define TSDL_TEST_MAIN                                                          \
  int main() {                                                                  \
    for (auto& c : ::tsdl::test::cases()) {                                     \
      int before = ::tsdl::test::failures();                                    \
      c.fn();                                                                   \
      std::printf("%s %s\n", ::tsdl::test::failures() == before ? "ok  " : "FAIL", c.name); \
    }                                                                           \
    std::printf("%d failure(s)\n", ::tsdl::test::failures());                   \
    return ::tsdl::test::failures() == 0 ? 0 : 1;                               \
  }

#include <random>

namespace tsdl::test {
// Reproducible values in [lo, hi).
inline std::vector<float> randomVec(size_t n, unsigned seed, float lo = -2.f, float hi = 2.f) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}
}  // namespace tsdl::test
