// Element-wise kernels: fill, cast, unary (+ gradients), binary with NumPy broadcasting,
// binary with a scalar, where. The formulas are those of native/cpu/elementwise.cc, written
// once as __device__ functions; the op is a template argument for unary (so each kernel is a
// straight line) and a uniform run-time switch for binary (every thread of a launch takes the
// same branch, and it keeps the instantiations to one per dtype pair: CI compiles on 2 cores).
#include <cmath>

#include "kernels.h"

namespace tsdl::cuda {
namespace {

// ---- fill and cast ----
template <class T>
__global__ void fillKernel(T* p, T v, int64_t n) {
  TSDL_GRID_STRIDE(i, n) p[i] = v;
}

template <class S, class D>
__global__ void castKernel(const S* s, D* d, int64_t n, bool toBool) {
  TSDL_GRID_STRIDE(i, n) {
    S v = s[i];
    d[i] = toBool ? static_cast<D>(v != S(0) || !(v == v)) : convert<D>(static_cast<double>(v));
  }
}

template <class S>
void castFrom(const Ctx& c, const S* s, void* dst, DType dt, int64_t n) {
  unsigned g = gridFor(n);
  switch (dt) {
    case DType::Float32: castKernel<<<g, kThreads, 0, c.stream>>>(s, static_cast<float*>(dst), n, false); break;
    case DType::Int32: castKernel<<<g, kThreads, 0, c.stream>>>(s, static_cast<int32_t*>(dst), n, false); break;
    case DType::Uint8: castKernel<<<g, kThreads, 0, c.stream>>>(s, static_cast<uint8_t*>(dst), n, false); break;
    case DType::Bool: castKernel<<<g, kThreads, 0, c.stream>>>(s, static_cast<uint8_t*>(dst), n, true); break;
  }
}

// ---- unary ----
constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

template <UnaryOp Op>
__device__ inline float unaryF(float x, float alpha) {
  switch (Op) {
    case UnaryOp::Neg: return -x;
    case UnaryOp::Abs: return fabsf(x);
    case UnaryOp::Exp: return expf(x);
    case UnaryOp::Log: return logf(x);
    case UnaryOp::Sqrt: return sqrtf(x);
    case UnaryOp::Rsqrt: return 1.f / sqrtf(x);
    case UnaryOp::Square: return x * x;
    case UnaryOp::Sign: return x > 0.f ? 1.f : (x < 0.f ? -1.f : (x == 0.f ? 0.f : x));
    case UnaryOp::Relu: return x > 0.f ? x : 0.f;
    case UnaryOp::Sigmoid: return 1.f / (1.f + expf(-x));
    case UnaryOp::Tanh: return tanhf(x);
    case UnaryOp::Elu: return x > 0.f ? x : alpha * expm1f(x);
    case UnaryOp::Selu: return x > 0.f ? kSeluScale * x : kSeluScale * kSeluAlpha * expm1f(x);
    case UnaryOp::Gelu: return 0.5f * x * (1.f + erff(x * kInvSqrt2));
    case UnaryOp::LeakyRelu: return x > 0.f ? x : alpha * x;
    case UnaryOp::Softplus: return fmaxf(x, 0.f) + log1pf(expf(-fabsf(x)));
    case UnaryOp::Relu6: return x > 0.f ? (x < 6.f ? x : 6.f) : 0.f;
    default: return x;
  }
}

// d(op)/dx · dy from the forward output `s` (relu, sigmoid, tanh, elu, selu, relu6) or the
// forward input (every other op), as the CPU backend.
template <UnaryOp Op>
__device__ inline float unaryGradF(float s, float dy, float alpha) {
  switch (Op) {
    case UnaryOp::Neg: return -dy;
    case UnaryOp::Abs: return s > 0.f ? dy : (s < 0.f ? -dy : 0.f);
    case UnaryOp::Exp: return dy * expf(s);
    case UnaryOp::Log: return dy / s;
    case UnaryOp::Sqrt: return dy * 0.5f / sqrtf(s);
    case UnaryOp::Rsqrt: return dy * -0.5f / (s * sqrtf(s));
    case UnaryOp::Square: return dy * 2.f * s;
    case UnaryOp::Sign: return 0.f;
    case UnaryOp::Relu: return s > 0.f ? dy : 0.f;
    case UnaryOp::Sigmoid: return dy * s * (1.f - s);
    case UnaryOp::Tanh: return dy * (1.f - s * s);
    case UnaryOp::Elu: return s > 0.f ? dy : dy * (s + alpha);
    case UnaryOp::Selu: return s > 0.f ? dy * kSeluScale : dy * (s + kSeluScale * kSeluAlpha);
    case UnaryOp::Gelu: {
      float cdf = 0.5f * (1.f + erff(s * kInvSqrt2));
      float pdf = kInvSqrt2Pi * expf(-0.5f * s * s);
      return dy * (cdf + s * pdf);
    }
    case UnaryOp::LeakyRelu: return s > 0.f ? dy : dy * alpha;
    case UnaryOp::Softplus: return dy / (1.f + expf(-s));
    case UnaryOp::Relu6: return (s > 0.f && s < 6.f) ? dy : 0.f;
    default: return dy;
  }
}

template <UnaryOp Op>
__global__ void unaryKernel(const float* x, float* out, int64_t n, float alpha) {
  TSDL_GRID_STRIDE(i, n) out[i] = unaryF<Op>(x[i], alpha);
}
template <UnaryOp Op>
__global__ void unaryGradKernel(const float* s, const float* dy, float* dx, int64_t n, float alpha) {
  TSDL_GRID_STRIDE(i, n) dx[i] = unaryGradF<Op>(s[i], dy[i], alpha);
}

// ---- binary ----
template <class T>
__device__ inline T divT(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a / b;
  } else if constexpr (std::is_signed_v<T>) {
    if (b == 0) return 0;  // the CPU backend's rule: x / 0 = 0 for integers
    if (b == -1) return static_cast<T>(0u - static_cast<uint32_t>(a));
    return a / b;
  } else {
    return b == 0 ? T(0) : T(a / b);
  }
}

template <class T>
__device__ inline T arith(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::Add: return static_cast<T>(a + b);
    case BinaryOp::Sub: return static_cast<T>(a - b);
    case BinaryOp::Mul: return static_cast<T>(a * b);
    case BinaryOp::Div: return divT<T>(a, b);
    case BinaryOp::Pow:
      if constexpr (std::is_floating_point_v<T>) return powf(a, b);
      else return convert<T>(pow(double(a), double(b)));
    case BinaryOp::Maximum:
      if constexpr (std::is_floating_point_v<T>) return (a != a || b != b) ? a + b : (a > b ? a : b);
      else return a > b ? a : b;
    case BinaryOp::Minimum:
      if constexpr (std::is_floating_point_v<T>) return (a != a || b != b) ? a + b : (a < b ? a : b);
      else return a < b ? a : b;
    default: return T(0);
  }
}

template <class T>
__device__ inline bool compare(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::Equal: return a == b;
    case BinaryOp::NotEqual: return a != b;
    case BinaryOp::Less: return a < b;
    case BinaryOp::LessEqual: return a <= b;
    case BinaryOp::Greater: return a > b;
    default: return a >= b;
  }
}

template <class T, class O>
__device__ inline O binaryF(BinaryOp op, T a, T b) {
  if (op >= BinaryOp::Equal) return static_cast<O>(compare<T>(op, a, b) ? 1 : 0);
  return static_cast<O>(arith<T>(op, a, b));
}

// The broadcast plan travels by value in the kernel's parameters: merged output dims
// (outermost first) and the element strides of a and b (0 where broadcast).
struct Plan {
  int nd;
  int64_t dims[kMaxDims];
  int64_t sa[kMaxDims], sb[kMaxDims];
};

// Same merging as the CPU backend: size-1 output dims are dropped and neighbours with the same
// broadcast pattern merge, so most calls become 1 or 2 dims (cheap index arithmetic).
Plan makePlan(const Shape& as, const Shape& bs, const Shape& os) {
  int nd = os.ndim;
  int64_t da[kMaxDims], db[kMaxDims];
  for (int i = 0; i < nd; ++i) {
    int ia = i - (nd - as.ndim), ib = i - (nd - bs.ndim);
    da[i] = ia >= 0 ? as.dims[ia] : 1;
    db[i] = ib >= 0 ? bs.dims[ib] : 1;
  }
  int64_t ra = 1, rb = 1;
  int64_t tD[kMaxDims], tA[kMaxDims], tB[kMaxDims];
  int m = 0;
  for (int i = nd - 1; i >= 0; --i) {
    int64_t d = os.dims[i];
    if (d == 1) continue;
    int64_t sA = da[i] == 1 ? 0 : ra, sB = db[i] == 1 ? 0 : rb;
    if (m > 0 && ((sA == 0) == (tA[m - 1] == 0)) && ((sB == 0) == (tB[m - 1] == 0)) &&
        (sA == 0 || sA == tA[m - 1] * tD[m - 1]) && (sB == 0 || sB == tB[m - 1] * tD[m - 1])) {
      tD[m - 1] *= d;
    } else {
      tD[m] = d; tA[m] = sA; tB[m] = sB; ++m;
    }
    ra *= da[i];
    rb *= db[i];
  }
  Plan p{};
  p.nd = m;
  for (int i = 0; i < m; ++i) {
    p.dims[i] = tD[m - 1 - i];
    p.sa[i] = tA[m - 1 - i];
    p.sb[i] = tB[m - 1 - i];
  }
  return p;
}

template <class T, class O>
__global__ void binaryKernel(BinaryOp op, const T* a, const T* b, O* out, Plan p, int64_t n) {
  TSDL_GRID_STRIDE(i, n) {
    if (p.nd <= 1) {  // the common merged case: no 64-bit division per element
      int64_t sa = p.nd ? p.sa[0] : 0, sb = p.nd ? p.sb[0] : 0;
      out[i] = binaryF<T, O>(op, a[i * sa], b[i * sb]);
      continue;
    }
    int64_t oa = 0, ob = 0, r = i;
    for (int d = p.nd - 1; d >= 0; --d) {
      int64_t k = r % p.dims[d];
      r /= p.dims[d];
      oa += k * p.sa[d];
      ob += k * p.sb[d];
    }
    out[i] = binaryF<T, O>(op, a[oa], b[ob]);
  }
}

template <class T, class O>
__global__ void binaryScalarKernel(BinaryOp op, const T* a, T s, O* out, int64_t n, bool first) {
  TSDL_GRID_STRIDE(i, n) out[i] = first ? binaryF<T, O>(op, s, a[i]) : binaryF<T, O>(op, a[i], s);
}

template <class T>
__global__ void whereKernel(const uint8_t* c, const T* a, const T* b, T* o, int64_t n) {
  TSDL_GRID_STRIDE(i, n) o[i] = c[i] ? a[i] : b[i];
}

// Arithmetic writes the input dtype; comparisons write bool (uint8) or float32.
template <class T, class F>
void dispatchOut(BinaryOp op, DType outType, F&& launch) {
  if (!isComparison(op)) launch(static_cast<T*>(nullptr));
  else if (outType == DType::Float32) launch(static_cast<float*>(nullptr));
  else launch(static_cast<uint8_t*>(nullptr));
}

template <class T>
void binaryTyped(const Ctx& c, BinaryOp op, const void* a, const void* b, DType outType, void* out,
                 const Plan& p, int64_t n) {
  dispatchOut<T>(op, outType, [&](auto* tag) {
    using O = std::remove_pointer_t<decltype(tag)>;
    binaryKernel<T, O><<<gridFor(n), kThreads, 0, c.stream>>>(
        op, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<O*>(out), p, n);
  });
}

template <class T>
void binaryScalarTyped(const Ctx& c, BinaryOp op, const void* a, T s, DType outType, void* out,
                       int64_t n, bool first) {
  dispatchOut<T>(op, outType, [&](auto* tag) {
    using O = std::remove_pointer_t<decltype(tag)>;
    binaryScalarKernel<T, O><<<gridFor(n), kThreads, 0, c.stream>>>(
        op, static_cast<const T*>(a), s, static_cast<O*>(out), n, first);
  });
}

}  // namespace

void fill(const Ctx& c, void* dst, DType dt, double v, int64_t n) {
  if (n <= 0) return;
  unsigned g = gridFor(n);
  switch (dt) {
    case DType::Float32: fillKernel<<<g, kThreads, 0, c.stream>>>(static_cast<float*>(dst), convert<float>(v), n); break;
    case DType::Int32: fillKernel<<<g, kThreads, 0, c.stream>>>(static_cast<int32_t*>(dst), convert<int32_t>(v), n); break;
    case DType::Uint8: fillKernel<<<g, kThreads, 0, c.stream>>>(static_cast<uint8_t*>(dst), convert<uint8_t>(v), n); break;
    case DType::Bool: fillKernel<<<g, kThreads, 0, c.stream>>>(static_cast<uint8_t*>(dst), uint8_t(v != 0.0), n); break;
  }
  checkLaunch("fill");
}

void cast(const Ctx& c, const void* src, DType st, void* dst, DType dt, int64_t n) {
  if (n <= 0) return;
  switch (st) {
    case DType::Float32: castFrom(c, static_cast<const float*>(src), dst, dt, n); break;
    case DType::Int32: castFrom(c, static_cast<const int32_t*>(src), dst, dt, n); break;
    case DType::Uint8:
    case DType::Bool: castFrom(c, static_cast<const uint8_t*>(src), dst, dt, n); break;
  }
  checkLaunch("cast");
}

#define TSDL_UNARY_CASES(X)                                                                   \
  X(Neg) X(Abs) X(Exp) X(Log) X(Sqrt) X(Rsqrt) X(Square) X(Sign) X(Relu) X(Sigmoid) X(Tanh)   \
  X(Elu) X(Selu) X(Gelu) X(LeakyRelu) X(Softplus) X(Relu6)

void unary(const Ctx& c, UnaryOp op, const float* x, float* out, int64_t n, float alpha) {
  if (n <= 0) return;
  unsigned g = gridFor(n);
  switch (op) {
#define X(N) case UnaryOp::N: unaryKernel<UnaryOp::N><<<g, kThreads, 0, c.stream>>>(x, out, n, alpha); break;
    TSDL_UNARY_CASES(X)
#undef X
    default: break;
  }
  checkLaunch("unary");
}

void unaryGrad(const Ctx& c, UnaryOp op, const float* s, const float* dy, float* dx, int64_t n,
               float alpha) {
  if (n <= 0) return;
  unsigned g = gridFor(n);
  switch (op) {
#define X(N) case UnaryOp::N: unaryGradKernel<UnaryOp::N><<<g, kThreads, 0, c.stream>>>(s, dy, dx, n, alpha); break;
    TSDL_UNARY_CASES(X)
#undef X
    default: break;
  }
  checkLaunch("unaryGrad");
}

void binary(const Ctx& c, BinaryOp op, DType inType, const void* a, const Shape& aShape,
            const void* b, const Shape& bShape, DType outType, void* out, const Shape& outShape) {
  int64_t n = outShape.size();
  if (n <= 0) return;
  Plan p = makePlan(aShape, bShape, outShape);
  switch (inType) {
    case DType::Float32: binaryTyped<float>(c, op, a, b, outType, out, p, n); break;
    case DType::Int32: binaryTyped<int32_t>(c, op, a, b, outType, out, p, n); break;
    case DType::Uint8:
    case DType::Bool: binaryTyped<uint8_t>(c, op, a, b, outType, out, p, n); break;
  }
  checkLaunch("binary");
}

void binaryScalar(const Ctx& c, BinaryOp op, DType inType, const void* a, double s, DType outType,
                  void* out, int64_t n, bool first) {
  if (n <= 0) return;
  // The scalar is converted to the tensor's dtype first, as the CPU backend does.
  switch (inType) {
    case DType::Float32: binaryScalarTyped<float>(c, op, a, convert<float>(s), outType, out, n, first); break;
    case DType::Int32: binaryScalarTyped<int32_t>(c, op, a, convert<int32_t>(s), outType, out, n, first); break;
    case DType::Uint8: binaryScalarTyped<uint8_t>(c, op, a, convert<uint8_t>(s), outType, out, n, first); break;
    case DType::Bool: binaryScalarTyped<uint8_t>(c, op, a, uint8_t(s != 0.0), outType, out, n, first); break;
  }
  checkLaunch("binaryScalar");
}

void where(const Ctx& c, const uint8_t* cond, DType dt, const void* a, const void* b, void* out,
           int64_t n) {
  if (n <= 0) return;
  if (dtypeSize(dt) == 4)
    whereKernel<<<gridFor(n), kThreads, 0, c.stream>>>(cond, static_cast<const uint32_t*>(a),
                                                        static_cast<const uint32_t*>(b), static_cast<uint32_t*>(out), n);
  else
    whereKernel<<<gridFor(n), kThreads, 0, c.stream>>>(cond, static_cast<const uint8_t*>(a),
                                                        static_cast<const uint8_t*>(b), static_cast<uint8_t*>(out), n);
  checkLaunch("where");
}

}  // namespace tsdl::cuda
