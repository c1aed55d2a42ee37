// Element-wise kernels: fill, cast, unary (+ gradients), binary with NumPy broadcasting,
// binary with a scalar, where. Each op is a template instantiation so the inner loop is a
// plain `out[i] = f(a[i], b[i])` that g++ -O3 vectorizes; the op switch sits outside the loop.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels.h"
#include "vmath.h"
#include "threadpool.h"

// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` (any x86-64) or `avx2`.
namespace tsdl::cpu::TSDL_ISA {
namespace {

// ---- conversions (well-defined for every input: no UB on NaN or out-of-range floats) ----
template <class D>
inline D convert(double v);
template <>
inline float convert<float>(double v) { return static_cast<float>(v); }
template <>
inline int32_t convert<int32_t>(double v) {
  if (!(v == v)) return 0;
  if (v >= 2147483647.0) return std::numeric_limits<int32_t>::max();
  if (v <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);  // truncates toward zero
}
template <>
inline uint8_t convert<uint8_t>(double v) {
  // NumPy wraps integers modulo 256; floats are truncated first (and NaN becomes 0).
  return static_cast<uint8_t>(static_cast<uint32_t>(convert<int32_t>(v)));
}

template <class T>
void fillT(T* p, T v, int64_t n) {
  parallelRange(n, kParallelGrain * 4, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) p[i] = v;
  });
}

template <class S, class D>
void castT(const S* s, D* d, int64_t n, bool toBool) {
  parallelRange(n, kParallelGrain, [&](int64_t b, int64_t e, int) {
    if (toBool) {
      for (int64_t i = b; i < e; ++i) d[i] = static_cast<D>(s[i] != S(0) || !(s[i] == s[i]));
    } else {
      for (int64_t i = b; i < e; ++i) d[i] = convert<D>(static_cast<double>(s[i]));
    }
  });
}

template <class S>
void castFrom(const S* s, void* dst, DType dt, int64_t n) {
  switch (dt) {
    case DType::Float32: castT(s, static_cast<float*>(dst), n, false); break;
    case DType::Int32: castT(s, static_cast<int32_t*>(dst), n, false); break;
    case DType::Uint8: castT(s, static_cast<uint8_t*>(dst), n, false); break;
    case DType::Bool: castT(s, static_cast<uint8_t*>(dst), n, true); break;
  }
}

// ---- unary ----
constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

template <UnaryOp Op>
inline float unaryF(float x, float alpha) {
    if constexpr (Op == UnaryOp::Neg) return -x;
    if constexpr (Op == UnaryOp::Abs) return std::fabs(x);
    if constexpr (Op == UnaryOp::Exp) return vexp(x);
    if constexpr (Op == UnaryOp::Log) return std::log(x);
    if constexpr (Op == UnaryOp::Sqrt) return std::sqrt(x);
    if constexpr (Op == UnaryOp::Rsqrt) return 1.f / std::sqrt(x);
    if constexpr (Op == UnaryOp::Square) return x * x;
    if constexpr (Op == UnaryOp::Sign) return x > 0.f ? 1.f : (x < 0.f ? -1.f : (x == 0.f ? 0.f : x));
    if constexpr (Op == UnaryOp::Relu) return x > 0.f ? x : 0.f;
    if constexpr (Op == UnaryOp::Sigmoid) return vsigmoid(x);
    if constexpr (Op == UnaryOp::Tanh) return vtanh(x);
    if constexpr (Op == UnaryOp::Elu) return x > 0.f ? x : alpha * (vexp(x) - 1.f);
    if constexpr (Op == UnaryOp::Selu) return x > 0.f ? kSeluScale * x : kSeluScale * kSeluAlpha * (vexp(x) - 1.f);
    if constexpr (Op == UnaryOp::Gelu) return 0.5f * x * (1.f + std::erf(x * kInvSqrt2));
    if constexpr (Op == UnaryOp::LeakyRelu) return x > 0.f ? x : alpha * x;
    if constexpr (Op == UnaryOp::Softplus) return std::fmax(x, 0.f) + std::log1p(std::exp(-std::fabs(x)));
    if constexpr (Op == UnaryOp::Relu6) return x > 0.f ? (x < 6.f ? x : 6.f) : 0.f;
    return x;
}

// d(op)/dx · dy, from the forward output `s` for relu, sigmoid, tanh, elu, selu and relu6 and
// from the forward input for every other op (see backend.ts).
template <UnaryOp Op>
inline float unaryGradF(float s, float dy, float alpha) {
    if constexpr (Op == UnaryOp::Neg) return -dy;
    if constexpr (Op == UnaryOp::Abs) return s > 0.f ? dy : (s < 0.f ? -dy : 0.f);
    if constexpr (Op == UnaryOp::Exp) return dy * vexp(s);
    if constexpr (Op == UnaryOp::Log) return dy / s;
    if constexpr (Op == UnaryOp::Sqrt) return dy * 0.5f / std::sqrt(s);
    if constexpr (Op == UnaryOp::Rsqrt) return dy * -0.5f / (s * std::sqrt(s));
    if constexpr (Op == UnaryOp::Square) return dy * 2.f * s;
    if constexpr (Op == UnaryOp::Sign) return 0.f;
    if constexpr (Op == UnaryOp::Relu) return s > 0.f ? dy : 0.f;
    if constexpr (Op == UnaryOp::Sigmoid) return dy * s * (1.f - s);
    if constexpr (Op == UnaryOp::Tanh) return dy * (1.f - s * s);
    if constexpr (Op == UnaryOp::Elu) return s > 0.f ? dy : dy * (s + alpha);
    if constexpr (Op == UnaryOp::Selu) return s > 0.f ? dy * kSeluScale : dy * (s + kSeluScale * kSeluAlpha);
    if constexpr (Op == UnaryOp::Gelu) {
      float cdf = 0.5f * (1.f + std::erf(s * kInvSqrt2));
      float pdf = kInvSqrt2Pi * vexp(-0.5f * s * s);
      return dy * (cdf + s * pdf);
    }
    if constexpr (Op == UnaryOp::LeakyRelu) return s > 0.f ? dy : dy * alpha;
    if constexpr (Op == UnaryOp::Softplus) return dy * vsigmoid(s);
    if constexpr (Op == UnaryOp::Relu6) return (s > 0.f && s < 6.f) ? dy : 0.f;
    return dy;
}

// The loops live in their own functions with plain pointer arguments: inside the lambda the
// captured references kept g++ from vectorizing some of them.
template <UnaryOp Op>
__attribute__((noinline)) void unaryRun(const float* x, float* out, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) out[i] = unaryF<Op>(x[i], alpha);
}
template <UnaryOp Op>
__attribute__((noinline)) void unaryGradRun(const float* s, const float* dy, float* dx, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) dx[i] = unaryGradF<Op>(s[i], dy[i], alpha);
}

template <UnaryOp Op>
void unaryT(const float* x, float* out, int64_t n, float alpha) {
  parallelRange(n, kParallelGrain, [=](int64_t b, int64_t e, int) {
    unaryRun<Op>(x + b, out + b, e - b, alpha);
  });
}
template <UnaryOp Op>
void unaryGradT(const float* s, const float* dy, float* dx, int64_t n, float alpha) {
  parallelRange(n, kParallelGrain, [=](int64_t b, int64_t e, int) {
    unaryGradRun<Op>(s + b, dy + b, dx + b, e - b, alpha);
  });
}

// ---- binary ----
template <class T>
inline T divT(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a / b;
  } else if constexpr (std::is_signed_v<T>) {
    // Integer division by zero (or INT_MIN / -1) would raise SIGFPE and kill the process.
    if (b == 0) return 0;
    if (b == -1) return static_cast<T>(0u - static_cast<uint32_t>(a));
    return a / b;
  } else {
    return b == 0 ? T(0) : T(a / b);
  }
}

template <BinaryOp Op, class T>
inline auto binaryF(T a, T b) {
  // Integers wrap as in NumPy (through unsigned arithmetic: signed overflow is undefined in C++).
  using W = std::conditional_t<std::is_floating_point_v<T>, T, uint32_t>;
  if constexpr (Op == BinaryOp::Add) return static_cast<T>(W(a) + W(b));
  else if constexpr (Op == BinaryOp::Sub) return static_cast<T>(W(a) - W(b));
  else if constexpr (Op == BinaryOp::Mul) return static_cast<T>(W(a) * W(b));
  else if constexpr (Op == BinaryOp::Div) return divT<T>(a, b);
  else if constexpr (Op == BinaryOp::Pow) {
    if constexpr (std::is_floating_point_v<T>) return std::pow(a, b);
    else return convert<T>(std::pow(double(a), double(b)));
  } else if constexpr (Op == BinaryOp::Maximum) {
    if constexpr (std::is_floating_point_v<T>) return (a != a || b != b) ? a + b : (a > b ? a : b);
    else return a > b ? a : b;
  } else if constexpr (Op == BinaryOp::Minimum) {
    if constexpr (std::is_floating_point_v<T>) return (a != a || b != b) ? a + b : (a < b ? a : b);
    else return a < b ? a : b;
  } else if constexpr (Op == BinaryOp::Equal) return a == b;
  else if constexpr (Op == BinaryOp::NotEqual) return a != b;
  else if constexpr (Op == BinaryOp::Less) return a < b;
  else if constexpr (Op == BinaryOp::LessEqual) return a <= b;
  else if constexpr (Op == BinaryOp::Greater) return a > b;
  else return a >= b;
}

// Coalesced broadcasting loop: dims where a and b both follow the output (stride 1 pattern)
// or both repeat are merged, so most calls end with one long innermost run with strides in
// {0, 1} for a and b, which is what the vectorizer likes.
struct BroadcastPlan {
  int nd = 0;
  int64_t dims[kMaxDims];
  int64_t sa[kMaxDims], sb[kMaxDims];  // element strides (0 where broadcast)
};

BroadcastPlan plan(const Shape& as, const Shape& bs, const Shape& os) {
  int nd = os.ndim;
  int64_t da[kMaxDims], db[kMaxDims];
  for (int i = 0; i < nd; ++i) {
    int ia = i - (nd - as.ndim), ib = i - (nd - bs.ndim);
    da[i] = ia >= 0 ? as.dims[ia] : 1;
    db[i] = ib >= 0 ? bs.dims[ib] : 1;
  }
  BroadcastPlan p;
  // Merge from the innermost dim outward; drop size-1 output dims.
  int64_t ra = 1, rb = 1;  // running contiguous strides of a and b
  int64_t tmpD[kMaxDims], tmpA[kMaxDims], tmpB[kMaxDims];
  int m = 0;
  for (int i = nd - 1; i >= 0; --i) {
    int64_t d = os.dims[i];
    if (d == 1) continue;
    int64_t sA = da[i] == 1 ? 0 : ra, sB = db[i] == 1 ? 0 : rb;
    if (m > 0 && ((sA == 0) == (tmpA[m - 1] == 0)) && ((sB == 0) == (tmpB[m - 1] == 0)) &&
        (sA == 0 || sA == tmpA[m - 1] * tmpD[m - 1]) && (sB == 0 || sB == tmpB[m - 1] * tmpD[m - 1])) {
      tmpD[m - 1] *= d;
    } else {
      tmpD[m] = d; tmpA[m] = sA; tmpB[m] = sB; ++m;
    }
    ra *= da[i];
    rb *= db[i];
  }
  p.nd = m;
  for (int i = 0; i < m; ++i) {  // back to outermost-first order
    p.dims[i] = tmpD[m - 1 - i];
    p.sa[i] = tmpA[m - 1 - i];
    p.sb[i] = tmpB[m - 1 - i];
  }
  return p;
}

template <BinaryOp Op, class T, class O>
inline void innerRun(const T* a, int64_t sa, const T* b, int64_t sb, O* o, int64_t n) {
  // Separate loops for each stride pattern so each one vectorizes.
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(binaryF<Op, T>(a[i], b[i]));
  } else if (sa == 1 && sb == 0) {
    T bv = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(binaryF<Op, T>(a[i], bv));
  } else if (sa == 0 && sb == 1) {
    T av = *a;
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(binaryF<Op, T>(av, b[i]));
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(binaryF<Op, T>(a[i * sa], b[i * sb]));
  }
}

template <BinaryOp Op, class T, class O>
void binaryT(const T* a, const T* b, O* out, const BroadcastPlan& p) {
  if (p.nd == 0) {  // every dim is 1: a single element
    out[0] = static_cast<O>(binaryF<Op, T>(a[0], b[0]));
    return;
  }
  int nd = p.nd;
  int64_t inner = p.dims[nd - 1];
  int64_t outer = 1;
  for (int i = 0; i < nd - 1; ++i) outer *= p.dims[i];
  int64_t total = outer * inner;
  // Split the outer rows among threads when the whole op is large; a single huge row
  // (outer == 1) is split along its length instead.
  if (outer == 1) {
    parallelRange(inner, kParallelGrain, [&](int64_t bgn, int64_t end, int) {
      innerRun<Op, T, O>(a + bgn * p.sa[0], p.sa[0], b + bgn * p.sb[0], p.sb[0], out + bgn, end - bgn);
    });
    return;
  }
  int64_t grain = total >= 2 * kParallelGrain ? std::max<int64_t>(1, kParallelGrain / inner) : outer;
  parallelRange(outer, grain, [&](int64_t rb, int64_t re, int) {
    int64_t idx[kMaxDims] = {0};
    // Decompose rb into the outer multi-index.
    int64_t r = rb;
    for (int i = nd - 2; i >= 0; --i) { idx[i] = r % p.dims[i]; r /= p.dims[i]; }
    for (int64_t row = rb; row < re; ++row) {
      int64_t oa = 0, ob = 0;
      for (int i = 0; i < nd - 1; ++i) { oa += idx[i] * p.sa[i]; ob += idx[i] * p.sb[i]; }
      innerRun<Op, T, O>(a + oa, p.sa[nd - 1], b + ob, p.sb[nd - 1], out + row * inner, inner);
      for (int i = nd - 2; i >= 0; --i) {
        if (++idx[i] < p.dims[i]) break;
        idx[i] = 0;
      }
    }
  });
}

template <BinaryOp Op, class T>
void binaryOut(const void* a, const void* b, DType outType, void* out, const BroadcastPlan& p) {
  auto* A = static_cast<const T*>(a);
  auto* B = static_cast<const T*>(b);
  if constexpr (Op >= BinaryOp::Equal) {
    if (outType == DType::Float32) binaryT<Op, T, float>(A, B, static_cast<float*>(out), p);
    else binaryT<Op, T, uint8_t>(A, B, static_cast<uint8_t*>(out), p);
  } else {
    binaryT<Op, T, T>(A, B, static_cast<T*>(out), p);
  }
}

template <BinaryOp Op>
void binaryTyped(DType inType, const void* a, const void* b, DType outType, void* out,
                 const BroadcastPlan& p) {
  switch (inType) {
    case DType::Float32: binaryOut<Op, float>(a, b, outType, out, p); break;
    case DType::Int32: binaryOut<Op, int32_t>(a, b, outType, out, p); break;
    case DType::Uint8:
    case DType::Bool: binaryOut<Op, uint8_t>(a, b, outType, out, p); break;
  }
}

template <class T>
void whereT(const uint8_t* c, const T* a, const T* b, T* o, int64_t n) {
  parallelRange(n, kParallelGrain, [&](int64_t bgn, int64_t end, int) {
    for (int64_t i = bgn; i < end; ++i) o[i] = c[i] ? a[i] : b[i];
  });
}

}  // namespace

void fill(void* dst, DType dt, double v, int64_t n) {
  switch (dt) {
    case DType::Float32: fillT(static_cast<float*>(dst), static_cast<float>(v), n); break;
    case DType::Int32: fillT(static_cast<int32_t*>(dst), convert<int32_t>(v), n); break;
    case DType::Uint8: fillT(static_cast<uint8_t*>(dst), convert<uint8_t>(v), n); break;
    case DType::Bool: fillT(static_cast<uint8_t*>(dst), uint8_t(v != 0.0), n); break;
  }
}

void cast(const void* src, DType st, void* dst, DType dt, int64_t n) {
  switch (st) {
    case DType::Float32: castFrom(static_cast<const float*>(src), dst, dt, n); break;
    case DType::Int32: castFrom(static_cast<const int32_t*>(src), dst, dt, n); break;
    case DType::Uint8:
    case DType::Bool: castFrom(static_cast<const uint8_t*>(src), dst, dt, n); break;
  }
}

#define TSDL_UNARY_CASES(X)                                                                   \
  X(Neg) X(Abs) X(Exp) X(Log) X(Sqrt) X(Rsqrt) X(Square) X(Sign) X(Relu) X(Sigmoid) X(Tanh)   \
  X(Elu) X(Selu) X(Gelu) X(LeakyRelu) X(Softplus) X(Relu6)

void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
#define X(N) case UnaryOp::N: unaryT<UnaryOp::N>(x, out, n, alpha); break;
    TSDL_UNARY_CASES(X)
#undef X
    default: break;
  }
}

void unaryGrad(UnaryOp op, const float* s, const float* dy, float* dx, int64_t n, float alpha) {
  switch (op) {
#define X(N) case UnaryOp::N: unaryGradT<UnaryOp::N>(s, dy, dx, n, alpha); break;
    TSDL_UNARY_CASES(X)
#undef X
    default: break;
  }
}

#define TSDL_BINARY_CASES(X)                                                                  \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Maximum) X(Minimum) X(Equal) X(NotEqual) X(Less)       \
  X(LessEqual) X(Greater) X(GreaterEqual)

void binary(BinaryOp op, DType inType, const void* a, const Shape& aShape, const void* b,
            const Shape& bShape, DType outType, void* out, const Shape& outShape) {
  BroadcastPlan p = plan(aShape, bShape, outShape);
  switch (op) {
#define X(N) case BinaryOp::N: binaryTyped<BinaryOp::N>(inType, a, b, outType, out, p); break;
    TSDL_BINARY_CASES(X)
#undef X
    default: break;
  }
}

void binaryScalar(BinaryOp op, DType inType, const void* a, double s, DType outType, void* out,
                  int64_t n, bool scalarFirst) {
  // A scalar is a broadcast operand of one element, converted to the tensor's dtype.
  alignas(8) unsigned char sv[8];
  fill(sv, inType, s, 1);
  Shape vs, one;
  vs.ndim = 1;
  vs.dims[0] = n;
  one.ndim = 0;
  if (scalarFirst) binary(op, inType, sv, one, a, vs, outType, out, vs);
  else binary(op, inType, a, vs, sv, one, outType, out, vs);
}

void where(const uint8_t* c, DType dt, const void* a, const void* b, void* out, int64_t n) {
  if (dtypeSize(dt) == 4)
    whereT(c, static_cast<const uint32_t*>(a), static_cast<const uint32_t*>(b), static_cast<uint32_t*>(out), n);
  else
    whereT(c, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b), static_cast<uint8_t*>(out), n);
}

}  // namespace tsdl::cpu::TSDL_ISA
