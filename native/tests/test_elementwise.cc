// Element-wise kernels against plain loops: every unary op and gradient, every binary op with
// NumPy broadcasting (odd and degenerate shapes), scalars, where, fill and cast.
#include <cmath>
#include <cstring>
#include <vector>

#include "../cpu/kernels.h"
#include "harness.h"

using namespace tsdl;
using tsdl::test::randomVec;

static Shape shape(std::initializer_list<int64_t> d) {
  Shape s;
  for (int64_t v : d) s.dims[s.ndim++] = v;
  return s;
}

static double unaryRef(UnaryOp op, double x, double a) {
  switch (op) {
    case UnaryOp::Neg: return -x;
    case UnaryOp::Abs: return std::fabs(x);
    case UnaryOp::Exp: return std::exp(x);
    case UnaryOp::Log: return std::log(x);
    case UnaryOp::Sqrt: return std::sqrt(x);
    case UnaryOp::Rsqrt: return 1 / std::sqrt(x);
    case UnaryOp::Square: return x * x;
    case UnaryOp::Sign: return (x > 0) - (x < 0);
    case UnaryOp::Relu: return x > 0 ? x : 0;
    case UnaryOp::Sigmoid: return 1 / (1 + std::exp(-x));
    case UnaryOp::Tanh: return std::tanh(x);
    case UnaryOp::Elu: return x > 0 ? x : a * std::expm1(x);
    case UnaryOp::Selu: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * std::expm1(x));
    case UnaryOp::Gelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case UnaryOp::LeakyRelu: return x > 0 ? x : a * x;
    case UnaryOp::Softplus: return std::log1p(std::exp(x));
    case UnaryOp::Relu6: return std::fmin(std::fmax(x, 0), 6);
    default: return 0;
  }
}

static bool positiveOnly(UnaryOp op) { return op == UnaryOp::Log || op == UnaryOp::Sqrt || op == UnaryOp::Rsqrt; }
static bool fromOutput(UnaryOp op) {
  return op == UnaryOp::Relu || op == UnaryOp::Sigmoid || op == UnaryOp::Tanh || op == UnaryOp::Elu ||
         op == UnaryOp::Selu || op == UnaryOp::Relu6;
}

TEST(every_unary_op_matches_libm_on_an_odd_length) {
  for (int o = 0; o < int(UnaryOp::Count); ++o) {
    auto op = UnaryOp(o);
    for (int64_t n : {1, 7 * 13 * 5, 300001}) {
      auto x = randomVec(size_t(n), unsigned(o + 1), positiveOnly(op) ? 0.01f : -8.f, 8.f);
      std::vector<float> got(x.size()), want(x.size());
      cpu::unary(op, x.data(), got.data(), n, 0.3f);
      for (size_t i = 0; i < x.size(); ++i) want[i] = float(unaryRef(op, x[i], 0.3));
      CHECK_ALL_NEAR(got.data(), want.data(), got.size(), 3e-6, std::string("unary ") + kUnaryNames[o] + " n=" + std::to_string(n));
    }
  }
}

TEST(exp_and_sigmoid_handle_infinities_and_nan) {
  std::vector<float> x = {-INFINITY, -1000.f, -87.5f, 0.f, 88.f, 1000.f, INFINITY, NAN};
  std::vector<float> e(x.size()), s(x.size());
  cpu::unary(UnaryOp::Exp, x.data(), e.data(), int64_t(x.size()), 0);
  cpu::unary(UnaryOp::Sigmoid, x.data(), s.data(), int64_t(x.size()), 0);
  CHECK(e[0] == 0.f && e[1] == 0.f && e[3] == 1.f && std::isinf(e[5]) && std::isinf(e[6]) && std::isnan(e[7]));
  CHECK(std::fabs(e[4] - std::exp(88.f)) <= 1e-5f * std::exp(88.f));
  CHECK(s[0] == 0.f && s[3] == 0.5f && s[6] == 1.f && std::isnan(s[7]));
}

TEST(every_unary_gradient_matches_a_central_difference) {
  for (int o = 0; o < int(UnaryOp::Count); ++o) {
    auto op = UnaryOp(o);
    if (op == UnaryOp::Sign) continue;
    const int64_t n = 257;
    auto x = randomVec(size_t(n), unsigned(o + 50), positiveOnly(op) ? 0.5f : -3.f, 3.f);
    for (auto& v : x)
      if (std::fabs(v) < 0.05f || std::fabs(v - 6.f) < 0.05f) v += 0.2f;  // away from kinks
    auto dy = randomVec(size_t(n), unsigned(o + 80));
    std::vector<float> saved(x.size()), got(x.size()), want(x.size());
    for (size_t i = 0; i < x.size(); ++i) saved[i] = fromOutput(op) ? float(unaryRef(op, x[i], 0.3)) : x[i];
    cpu::unaryGrad(op, saved.data(), dy.data(), got.data(), n, 0.3f);
    for (size_t i = 0; i < x.size(); ++i) {
      double h = 1e-4;
      want[i] = float(dy[i] * (unaryRef(op, double(x[i]) + h, 0.3) - unaryRef(op, double(x[i]) - h, 0.3)) / (2 * h));
    }
    CHECK_ALL_NEAR(got.data(), want.data(), got.size(), 2e-4, std::string("unaryGrad ") + kUnaryNames[o]);
  }
}

static double binRef(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Pow: return std::pow(a, b);
    case BinaryOp::Maximum: return std::fmax(a, b);
    case BinaryOp::Minimum: return std::fmin(a, b);
    case BinaryOp::Equal: return a == b;
    case BinaryOp::NotEqual: return a != b;
    case BinaryOp::Less: return a < b;
    case BinaryOp::LessEqual: return a <= b;
    case BinaryOp::Greater: return a > b;
    case BinaryOp::GreaterEqual: return a >= b;
    default: return 0;
  }
}

// Reference broadcasting through explicit multi-indices.
static std::vector<double> broadcastRef(BinaryOp op, const std::vector<float>& a, const Shape& as,
                                        const std::vector<float>& b, const Shape& bs, const Shape& os) {
  std::vector<double> out(size_t(os.size()));
  for (int64_t i = 0; i < os.size(); ++i) {
    int64_t idx[kMaxDims], r = i;
    for (int d = os.ndim - 1; d >= 0; --d) { idx[d] = r % os.dims[d]; r /= os.dims[d]; }
    auto offset = [&](const Shape& s) {
      int64_t off = 0;
      for (int d = 0; d < s.ndim; ++d) {
        int64_t k = idx[d + os.ndim - s.ndim];
        off = off * s.dims[d] + (s.dims[d] == 1 ? 0 : k);
      }
      return off;
    };
    out[size_t(i)] = binRef(op, a[size_t(offset(as))], b[size_t(offset(bs))]);
  }
  return out;
}

TEST(every_binary_op_broadcasts_like_numpy) {
  struct Case { Shape a, b, o; } cases[] = {
      {shape({7, 13, 5}), shape({7, 13, 5}), shape({7, 13, 5})},
      {shape({7, 13, 5}), shape({5}), shape({7, 13, 5})},
      {shape({7, 1, 5}), shape({13, 1}), shape({7, 13, 5})},
      {shape({129, 1}), shape({1, 257}), shape({129, 257})},
      {shape({}), shape({3, 4}), shape({3, 4})},
      {shape({1}), shape({1}), shape({1})},
      {shape({3}), shape({1}), shape({4, 2, 3})},
      {shape({2, 1, 3, 1}), shape({1, 5, 1, 4}), shape({2, 5, 3, 4})},
      {shape({600, 512}), shape({512}), shape({600, 512})},  // large: runs on the pool
      {shape({2, 0, 3}), shape({3}), shape({2, 0, 3})},
  };
  for (auto& c : cases) {
    auto a = randomVec(size_t(std::max<int64_t>(1, c.a.size())), 1);
    auto b = randomVec(size_t(std::max<int64_t>(1, c.b.size())), 2);
    for (auto& v : a) v = std::round(v * 2) / 2;  // ties exercise the comparisons
    for (auto& v : b) v = std::round(v * 2) / 2 + 0.25f;
    for (int o = 0; o < int(BinaryOp::Count); ++o) {
      auto op = BinaryOp(o);
      std::vector<float> aa = a;
      if (op == BinaryOp::Pow) for (auto& v : aa) v = std::fabs(v) + 0.5f;
      auto want = broadcastRef(op, aa, c.a, b, c.b, c.o);
      std::vector<float> got(want.size() + 1, -7.f);
      std::vector<uint8_t> gotB(want.size() + 1, 7);
      if (isComparison(op)) {
        cpu::binary(op, DType::Float32, aa.data(), c.a, b.data(), c.b, DType::Bool, gotB.data(), c.o);
        for (size_t i = 0; i < want.size(); ++i) got[i] = gotB[i];
        CHECK(gotB[want.size()] == 7);  // nothing written past the end
      } else {
        cpu::binary(op, DType::Float32, aa.data(), c.a, b.data(), c.b, DType::Float32, got.data(), c.o);
        CHECK(got[want.size()] == -7.f);
      }
      CHECK_ALL_NEAR(got.data(), want.data(), want.size(), 1e-6, std::string("binary ") + kBinaryNames[o]);
    }
  }
}

TEST(integer_binary_ops_wrap_and_never_trap) {
  std::vector<int32_t> a = {7, -7, INT32_MIN, INT32_MAX, 5, 0};
  std::vector<int32_t> b = {2, 0, -1, 1, -3, 0};
  std::vector<int32_t> out(6);
  Shape s = shape({6});
  cpu::binary(BinaryOp::Div, DType::Int32, a.data(), s, b.data(), s, DType::Int32, out.data(), s);
  CHECK(out[0] == 3 && out[1] == 0 && out[2] == INT32_MIN && out[3] == INT32_MAX && out[4] == -1 && out[5] == 0);
  cpu::binary(BinaryOp::Add, DType::Int32, a.data(), s, b.data(), s, DType::Int32, out.data(), s);
  CHECK(out[3] == INT32_MIN);
  std::vector<uint8_t> u = {250, 3}, v = {10, 0}, uo(2);
  Shape s2 = shape({2});
  cpu::binary(BinaryOp::Add, DType::Uint8, u.data(), s2, v.data(), s2, DType::Uint8, uo.data(), s2);
  CHECK(uo[0] == 4 && uo[1] == 3);
  cpu::binary(BinaryOp::Div, DType::Uint8, u.data(), s2, v.data(), s2, DType::Uint8, uo.data(), s2);
  CHECK(uo[0] == 25 && uo[1] == 0);
}

TEST(scalar_ops_where_fill_and_cast) {
  auto a = randomVec(1001, 9);
  std::vector<float> out(a.size());
  cpu::binaryScalar(BinaryOp::Sub, DType::Float32, a.data(), 0.5, DType::Float32, out.data(), 1001, true);
  std::vector<float> want(a.size());
  for (size_t i = 0; i < a.size(); ++i) want[i] = 0.5f - a[i];
  CHECK_ALL_NEAR(out.data(), want.data(), out.size(), 1e-7, "0.5 - a");
  std::vector<uint8_t> cond(a.size());
  for (size_t i = 0; i < a.size(); ++i) cond[i] = a[i] > 0;
  std::vector<float> zeros(a.size(), 0.f);
  cpu::where(cond.data(), DType::Float32, a.data(), zeros.data(), out.data(), 1001);
  for (size_t i = 0; i < a.size(); ++i) want[i] = a[i] > 0 ? a[i] : 0.f;
  CHECK_ALL_NEAR(out.data(), want.data(), out.size(), 0, "where");
  std::vector<int32_t> iv(5);
  cpu::fill(iv.data(), DType::Int32, -3.9, 5);
  CHECK(iv[0] == -3 && iv[4] == -3);
  std::vector<float> f = {-2.7f, 0.f, NAN, 1e10f, 255.9f, -1.f};
  std::vector<int32_t> fi(6);
  std::vector<uint8_t> fb(6), fu(6);
  cpu::cast(f.data(), DType::Float32, fi.data(), DType::Int32, 6);
  cpu::cast(f.data(), DType::Float32, fb.data(), DType::Bool, 6);
  cpu::cast(f.data(), DType::Float32, fu.data(), DType::Uint8, 6);
  CHECK(fi[0] == -2 && fi[1] == 0 && fi[2] == 0 && fi[3] == INT32_MAX && fi[4] == 255);
  CHECK(fb[0] == 1 && fb[1] == 0 && fb[2] == 1 && fb[5] == 1);
  CHECK(fu[4] == 255 && fu[5] == 255);
  std::vector<float> back(6);
  cpu::cast(fu.data(), DType::Uint8, back.data(), DType::Float32, 6);
  CHECK(back[4] == 255.f && back[0] == 254.f);
}

TSDL_TEST_MAIN
