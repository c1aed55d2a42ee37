// The JS entry points of the Backend table (runtime/backend/backend.ts), one function per
// kernel, same names and argument order. Each validates everything against the buffers and
// only then calls the backend, so nothing passed from JS can crash the process.
#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "args.h"
#include "../core/registry.h"

namespace tsdl::binding {
namespace {

constexpr std::initializer_list<DType> kF32 = {DType::Float32};

Backend* backendOf(const Napi::CallbackInfo& info) { return static_cast<Backend*>(info.Data()); }

#define ENTRY(NAME) Napi::Value NAME(const Napi::CallbackInfo& info)
#define ARGS(NAME) Args args(info, #NAME, backendOf(info))

bool hostArrayMatches(Napi::TypedArray t, DType d) {
  switch (d) {
    case DType::Float32: return t.TypedArrayType() == napi_float32_array;
    case DType::Int32: return t.TypedArrayType() == napi_int32_array;
    case DType::Uint8:
    case DType::Bool:
      return t.TypedArrayType() == napi_uint8_array || t.TypedArrayType() == napi_uint8_clamped_array;
  }
  return false;
}

const char* hostArrayName(DType d) {
  return d == DType::Float32 ? "Float32Array" : d == DType::Int32 ? "Int32Array" : "Uint8Array";
}

Napi::TypedArray hostArray(const Args& args, size_t i, const char* name, DType d) {
  Napi::Value v = args.has(i) ? args.at(i) : args.env().Undefined();
  if (!v.IsTypedArray() || !hostArrayMatches(v.As<Napi::TypedArray>(), d))
    args.typeFail(std::string(name) + " must be a " + hostArrayName(d) + " for a " + dtypeName(d) +
                  " buffer, received " + describe(v));
  return v.As<Napi::TypedArray>();
}

// The typed array's first element (napi_get_typedarray_info also works when the array views
// a SharedArrayBuffer, where ArrayBuffer() would not).
void* hostData(Napi::TypedArray t) {
  void* data = nullptr;
  napi_get_typedarray_info(t.Env(), t, nullptr, nullptr, &data, nullptr, nullptr);
  return data;
}

// Indices and labels must lie in [0, bound). The check reads them, so it runs only where the
// backend's memory is host memory; the CUDA kernels are safe without it (an index out of range
// gives a zero row or a NaN loss, never a bad access). `what`/`where` name them in the message.
void checkIndices(const Args& args, const int32_t* ix, int64_t n, int64_t bound, const char* what, const char* where) {
  if (args.backend() != cpuBackend()) return;
  for (int64_t i = 0; i < n; ++i)
    if (ix[i] < 0 || ix[i] >= bound)
      args.rangeFail(std::string(what) + " " + std::to_string(ix[i]) + " at " + where + " " + std::to_string(i) +
                     " is outside [0, " + std::to_string(bound) + ")");
}

template <class T>
T* ptr(NativeBuffer* b) { return static_cast<T*>(b->data()); }

// ---- memory ----------------------------------------------------------------------------------

ENTRY(alloc) {
  ARGS(alloc);
  std::string d = args.string(0, "dtype");
  DType dt;
  if (!parseDType(d, &dt)) args.typeFail("unknown dtype '" + d + "'; allowed: float32, int32, uint8, bool");
  int64_t size = args.integer(1, "size", 0, int64_t(1) << 40);
  return NativeBuffer::Create(info.Env(), args.backend(), dt, size);
}

ENTRY(release) {
  // Idempotent, and it accepts a buffer of any backend (release is about the buffer).
  NativeBuffer* b = NativeBuffer::From(info.Length() > 0 ? info[0] : info.Env().Undefined());
  if (!b) throw Napi::TypeError::New(info.Env(), "release: buf must be a NativeBuffer, received " +
                                                    describe(info.Length() > 0 ? info[0] : info.Env().Undefined()));
  b->Release(info.Env());
  return info.Env().Undefined();
}

ENTRY(upload) {
  ARGS(upload);
  NativeBuffer* b = args.buffer(0, "buf");
  Napi::TypedArray src = hostArray(args, 1, "src", b->dtype());
  int64_t off = args.integerOr(2, "offset", 0);
  int64_t n = static_cast<int64_t>(src.ElementLength());
  if (off + n > b->size())
    args.rangeFail("cannot copy " + std::to_string(n) + " elements at offset " + std::to_string(off) +
                   " into a buffer of " + std::to_string(b->size()));
  size_t es = dtypeSize(b->dtype());
  if (n > 0) args.backend()->upload(ptr<char>(b) + off * es, hostData(src), n * es);
  return info.Env().Undefined();
}

ENTRY(download) {
  ARGS(download);
  NativeBuffer* b = args.buffer(0, "buf");
  Napi::TypedArray dst = hostArray(args, 1, "dst", b->dtype());
  int64_t off = args.integerOr(2, "offset", 0);
  int64_t n = static_cast<int64_t>(dst.ElementLength());
  if (off + n > b->size())
    args.rangeFail("cannot read " + std::to_string(n) + " elements at offset " + std::to_string(off) +
                   " from a buffer of " + std::to_string(b->size()));
  size_t es = dtypeSize(b->dtype());
  if (n > 0) args.backend()->download(hostData(dst), ptr<char>(b) + off * es, n * es);
  return info.Env().Undefined();
}

ENTRY(copy) {
  ARGS(copy);
  NativeBuffer* src = args.buffer(0, "src");
  int64_t so = args.integer(1, "srcOffset");
  NativeBuffer* dst = args.buffer(2, "dst");
  int64_t dof = args.integer(3, "dstOffset");
  int64_t n = args.integer(4, "count");
  args.requireSameDType(src, "src", dst, "dst");
  if (so + n > src->size())
    args.rangeFail("src has " + std::to_string(src->size()) + " elements; cannot read " + std::to_string(n) +
                   " from offset " + std::to_string(so));
  if (dof + n > dst->size())
    args.rangeFail("dst has " + std::to_string(dst->size()) + " elements; cannot write " + std::to_string(n) +
                   " at offset " + std::to_string(dof));
  size_t es = dtypeSize(src->dtype());
  if (n > 0) args.backend()->copy(ptr<char>(dst) + dof * es, ptr<char>(src) + so * es, n * es);
  return info.Env().Undefined();
}

ENTRY(fill) {
  ARGS(fill);
  NativeBuffer* b = args.buffer(0, "buf");
  double v = args.number(1, "value");
  int64_t off = args.integerOr(2, "offset", 0);
  if (off > b->size())
    args.rangeFail("offset " + std::to_string(off) + " is past the end of a buffer of " + std::to_string(b->size()));
  int64_t n = args.integerOr(3, "count", b->size() - off);
  if (off + n > b->size())
    args.rangeFail("cannot fill " + std::to_string(n) + " elements at offset " + std::to_string(off) +
                   " in a buffer of " + std::to_string(b->size()));
  if (n > 0) args.backend()->fill(ptr<char>(b) + off * dtypeSize(b->dtype()), b->dtype(), v, n);
  return info.Env().Undefined();
}

ENTRY(cast) {
  ARGS(cast);
  NativeBuffer* s = args.buffer(0, "src");
  NativeBuffer* d = args.buffer(1, "dst");
  args.requireSize(d, "dst", s->size(), "a cast of src");
  if (s == d && dtypeSize(s->dtype()) != dtypeSize(d->dtype())) args.fail("src and dst must differ");
  args.recheck();
  args.backend()->cast(s->data(), s->dtype(), d->data(), d->dtype(), s->size());
  return info.Env().Undefined();
}

ENTRY(synchronize) {
  backendOf(info)->synchronize();
  return info.Env().Undefined();
}

// ---- random ----------------------------------------------------------------------------------

Napi::Value randomEntry(const Napi::CallbackInfo& info, const char* name, RandomKind kind) {
  Args args(info, name, backendOf(info));
  NativeBuffer* out = args.buffer(0, "out", kF32);
  int64_t seed = args.integer(1, "seed", 0, (int64_t(1) << 53));
  int64_t off = args.integer(2, "offset", 0, (int64_t(1) << 53));
  double a = args.number(3, kind == RandomKind::Uniform ? "low" : "mean");
  double b = args.number(4, kind == RandomKind::Uniform ? "high" : "std");
  if (!std::isfinite(a) || !std::isfinite(b)) args.rangeFail("parameters must be finite numbers");
  if (kind != RandomKind::Uniform && b < 0) args.rangeFail("std must be >= 0, received " + describe(args.at(4)));
  args.recheck();
  args.backend()->random(kind, ptr<float>(out), out->size(), uint64_t(seed), uint64_t(off), float(a), float(b));
  return info.Env().Undefined();
}
ENTRY(randomUniform) { return randomEntry(info, "randomUniform", RandomKind::Uniform); }
ENTRY(randomNormal) { return randomEntry(info, "randomNormal", RandomKind::Normal); }
ENTRY(randomTruncatedNormal) { return randomEntry(info, "randomTruncatedNormal", RandomKind::TruncatedNormal); }

// ---- element-wise ----------------------------------------------------------------------------

float defaultAlpha(UnaryOp op) {
  // Keras's defaults: leaky_relu negative_slope 0.2, elu alpha 1.
  return op == UnaryOp::LeakyRelu ? 0.2f : 1.f;
}

ENTRY(unary) {
  ARGS(unary);
  auto op = static_cast<UnaryOp>(args.opName(0, kUnaryNames, "unary op"));
  NativeBuffer* x = args.buffer(1, "x", kF32);
  NativeBuffer* out = args.buffer(2, "out", kF32);
  args.requireSize(out, "out", x->size(), "the result of x");
  float alpha = float(args.numberOr(3, "alpha", defaultAlpha(op)));
  args.recheck();
  args.backend()->unary(op, ptr<float>(x), ptr<float>(out), x->size(), alpha);
  return info.Env().Undefined();
}

ENTRY(unaryGrad) {
  ARGS(unaryGrad);
  auto op = static_cast<UnaryOp>(args.opName(0, kUnaryNames, "unary op"));
  NativeBuffer* s = args.buffer(1, "saved", kF32);
  NativeBuffer* dy = args.buffer(2, "dy", kF32);
  NativeBuffer* dx = args.buffer(3, "dx", kF32);
  args.requireSize(dy, "dy", s->size(), "the size of saved");
  args.requireSize(dx, "dx", s->size(), "the size of saved");
  float alpha = float(args.numberOr(4, "alpha", defaultAlpha(op)));
  args.recheck();
  args.backend()->unaryGrad(op, ptr<float>(s), ptr<float>(dy), ptr<float>(dx), s->size(), alpha);
  return info.Env().Undefined();
}

ENTRY(binary) {
  ARGS(binary);
  auto op = static_cast<BinaryOp>(args.opName(0, kBinaryNames, "binary op"));
  NativeBuffer* a = args.buffer(1, "a");
  Shape as = args.shape(2, "aShape");
  NativeBuffer* b = args.buffer(3, "b");
  Shape bs = args.shape(4, "bShape");
  NativeBuffer* out = args.buffer(5, "out");
  Shape os = args.shape(6, "outShape");
  args.requireSameDType(a, "a", b, "b");
  args.requireShapeSize(a, "a", as, "aShape");
  args.requireShapeSize(b, "b", bs, "bShape");
  args.requireShapeSize(out, "out", os, "outShape");
  // Each input must broadcast to outShape (NumPy rules, right-aligned). outShape may be larger
  // than the broadcast of the two (NumPy's out=), which gradients use as broadcastTo.
  int nd = os.ndim;
  if (as.ndim > nd || bs.ndim > nd)
    args.rangeFail("outShape " + shapeString(os) + " has fewer dimensions than the inputs " + shapeString(as) +
                   " and " + shapeString(bs));
  for (int i = 0; i < nd; ++i) {
    int ia = i - (nd - as.ndim), ib = i - (nd - bs.ndim);
    int64_t da = ia >= 0 ? as.dims[ia] : 1, db = ib >= 0 ? bs.dims[ib] : 1;
    if (da != db && da != 1 && db != 1)
      args.rangeFail("shapes " + shapeString(as) + " and " + shapeString(bs) + " do not broadcast (" +
                     std::to_string(da) + " vs " + std::to_string(db) + " at axis " + std::to_string(i) + ")");
    if ((da != 1 && da != os.dims[i]) || (db != 1 && db != os.dims[i]))
      args.rangeFail("outShape " + shapeString(os) + " is not a broadcast of " + shapeString(as) + " and " +
                     shapeString(bs) + " (axis " + std::to_string(i) + ")");
  }
  if (isComparison(op)) {
    if (out->dtype() != DType::Bool && out->dtype() != DType::Float32)
      args.typeFail(std::string("out of a comparison must be bool or float32, received ") + dtypeName(out->dtype()));
  } else {
    args.requireSameDType(a, "a", out, "out");
  }
  args.recheck();
  args.backend()->binary(op, a->dtype(), a->data(), as, b->data(), bs, out->dtype(), out->data(), os);
  return info.Env().Undefined();
}

ENTRY(binaryScalar) {
  ARGS(binaryScalar);
  auto op = static_cast<BinaryOp>(args.opName(0, kBinaryNames, "binary op"));
  NativeBuffer* a = args.buffer(1, "a");
  double s = args.number(2, "s");
  NativeBuffer* out = args.buffer(3, "out");
  bool first = args.boolean(4, "scalarFirst", false);
  args.requireSize(out, "out", a->size(), "the result of a");
  if (isComparison(op)) {
    if (out->dtype() != DType::Bool && out->dtype() != DType::Float32)
      args.typeFail(std::string("out of a comparison must be bool or float32, received ") + dtypeName(out->dtype()));
  } else {
    args.requireSameDType(a, "a", out, "out");
  }
  args.recheck();
  args.backend()->binaryScalar(op, a->dtype(), a->data(), s, out->dtype(), out->data(), a->size(), first);
  return info.Env().Undefined();
}

ENTRY(where) {
  ARGS(where);
  NativeBuffer* c = args.buffer(0, "cond", {DType::Bool, DType::Uint8});
  NativeBuffer* a = args.buffer(1, "a");
  NativeBuffer* b = args.buffer(2, "b");
  NativeBuffer* out = args.buffer(3, "out");
  args.requireSameDType(a, "a", b, "b");
  args.requireSameDType(a, "a", out, "out");
  args.requireSize(a, "a", c->size(), "the size of cond");
  args.requireSize(b, "b", c->size(), "the size of cond");
  args.requireSize(out, "out", c->size(), "the size of cond");
  args.recheck();
  args.backend()->where(ptr<uint8_t>(c), a->dtype(), a->data(), b->data(), out->data(), c->size());
  return info.Env().Undefined();
}

// ---- linear algebra --------------------------------------------------------------------------

ENTRY(matmul) {
  ARGS(matmul);
  NativeBuffer* a = args.buffer(0, "a", kF32);
  NativeBuffer* b = args.buffer(1, "b", kF32);
  NativeBuffer* c = args.buffer(2, "c", kF32);
  if (!args.has(3) || !args.at(3).IsObject())
    args.typeFail("opts must be an object { m, n, k, ... }, received " + describe(args.has(3) ? args.at(3) : info.Env().Undefined()));
  Napi::Object o = args.at(3).As<Napi::Object>();
  auto get = [&](const char* k) { return o.Get(k); };
  auto intOpt = [&](const char* k, int64_t fallback, int64_t lo) {
    Napi::Value v = get(k);
    if (v.IsUndefined()) {
      if (fallback < 0) args.typeFail(std::string("opts.") + k + " is required");
      return fallback;
    }
    return args.integerValue(v, std::string("opts.") + k, lo, int64_t(1) << 40);
  };
  auto boolOpt = [&](const char* k) {
    Napi::Value v = get(k);
    if (v.IsUndefined()) return false;
    if (!v.IsBoolean()) args.typeFail(std::string("opts.") + k + " must be a boolean, received " + describe(v));
    return v.As<Napi::Boolean>().Value();
  };
  auto numOpt = [&](const char* k, double fallback) {
    Napi::Value v = get(k);
    if (v.IsUndefined()) return fallback;
    if (!v.IsNumber()) args.typeFail(std::string("opts.") + k + " must be a number, received " + describe(v));
    return v.As<Napi::Number>().DoubleValue();
  };
  MatmulArgs m;
  m.m = intOpt("m", -1, 0);
  m.n = intOpt("n", -1, 0);
  m.k = intOpt("k", -1, 0);
  m.transA = boolOpt("transA");
  m.transB = boolOpt("transB");
  m.batch = intOpt("batch", 1, 1);
  m.strideA = intOpt("strideA", m.m * m.k, 0);
  m.strideB = intOpt("strideB", m.k * m.n, 0);
  m.strideC = intOpt("strideC", m.m * m.n, 0);
  m.alpha = float(numOpt("alpha", 1.0));
  m.beta = float(numOpt("beta", 0.0));
  Napi::Value bias = get("bias");
  NativeBuffer* bb = nullptr;
  if (!bias.IsUndefined() && !bias.IsNull()) {
    bb = args.bufferValue(bias, "opts.bias", kF32);
    args.requireSize(bb, "opts.bias", m.n, "a bias over n columns");
  }
  m.bias = bb ? ptr<float>(bb) : nullptr;
  Napi::Value act = get("activation");
  if (!act.IsUndefined()) {
    if (!act.IsString()) args.typeFail("opts.activation must be a string, received " + describe(act));
    int k = findName(kActivationNames, act.As<Napi::String>().Utf8Value().c_str());
    if (k < 0) args.fail("unknown opts.activation " + describe(act) + "; allowed: linear, relu, sigmoid, tanh");
    m.act = static_cast<Activation>(k);
  }
  // The dimensions text is built only when a check fails (matmul runs several times a step).
  auto dims = [&](char which) -> std::string {
    auto two = [](const char* names, int64_t x, int64_t y) { return std::string(names) + " = " + std::to_string(x) + "×" + std::to_string(y); };
    if (which == 'a') return m.transA ? two("k×m", m.k, m.m) : two("m×k", m.m, m.k);
    if (which == 'b') return m.transB ? two("n×k", m.n, m.k) : two("k×n", m.k, m.n);
    return two("m×n", m.m, m.n);
  };
  auto need = [&](NativeBuffer* buf, const char* name, int64_t stride, int64_t one) {
    int64_t n = (m.batch - 1) * stride + one;
    if (one == 0) return;
    if (buf->size() < n)
      args.rangeFail(std::string(name) + " has " + std::to_string(buf->size()) + " elements but " + dims(name[0]) + " = " +
                     std::to_string(one) + (m.batch > 1 ? " per matrix with batch " + std::to_string(m.batch) +
                                                            " and stride " + std::to_string(stride) : std::string()) +
                     " needs " + std::to_string(n));
  };
  need(a, "a", m.strideA, m.m * m.k);
  need(b, "b", m.strideB, m.k * m.n);
  need(c, "c", m.strideC, m.m * m.n);
  if (m.batch > 1 && m.strideC < m.m * m.n)
    args.rangeFail("opts.strideC " + std::to_string(m.strideC) + " would make the " + std::to_string(m.batch) +
                   " output matrices overlap; it must be at least m·n = " + std::to_string(m.m * m.n));
  if (c == a || c == b) args.fail("c must be a different buffer from a and b (it is written while they are read)");
  if (m.m == 0 || m.n == 0) return info.Env().Undefined();
  args.recheck();
  args.backend()->matmul(ptr<float>(a), ptr<float>(b), ptr<float>(c), m);
  return info.Env().Undefined();
}

ENTRY(transpose) {
  ARGS(transpose);
  NativeBuffer* x = args.buffer(0, "x");
  Shape s = args.shape(1, "shape");
  if (!args.has(2) || !args.at(2).IsArray())
    args.typeFail("perm must be an array of axes, received " + describe(args.has(2) ? args.at(2) : info.Env().Undefined()));
  Napi::Array pa = args.at(2).As<Napi::Array>();
  NativeBuffer* out = args.buffer(3, "out");
  args.requireShapeSize(x, "x", s, "shape");
  args.requireSameDType(x, "x", out, "out");
  args.requireSize(out, "out", s.size(), "the transposed shape");
  if (static_cast<int>(pa.Length()) != s.ndim)
    args.rangeFail("perm has " + std::to_string(pa.Length()) + " axes but shape " + shapeString(s) + " has " +
                   std::to_string(s.ndim));
  int perm[kMaxDims];
  bool seen[kMaxDims] = {};
  for (int i = 0; i < s.ndim; ++i) {
    perm[i] = int(args.integerValue(pa.Get(uint32_t(i)), "perm[" + std::to_string(i) + "]", 0, s.ndim - 1));
    if (seen[perm[i]]) args.rangeFail("perm repeats axis " + std::to_string(perm[i]) + "; it must be a permutation");
    seen[perm[i]] = true;
  }
  if (x == out) args.fail("out must be a different buffer from x");
  args.recheck();
  args.backend()->transpose(x->data(), dtypeSize(x->dtype()), s, perm, out->data());
  return info.Env().Undefined();
}

// ---- convolution and pooling -----------------------------------------------------------------

// Reads opts' integer fields; `lo` is each field's smallest allowed value.
struct IntField {
  const char* name;
  int64_t* dst;
  int64_t lo;
};
Napi::Object optsObject(const Args& args, size_t i, const char* fields) {
  if (!args.has(i) || !args.at(i).IsObject())
    args.typeFail(std::string("opts must be an object { ") + fields + " }, received " +
                  describe(args.has(i) ? args.at(i) : args.env().Undefined()));
  return args.at(i).As<Napi::Object>();
}
// A product of sizes that must stay below 2^40 elements (no int64 overflow in the kernels).
int64_t sizeProduct(const Args& args, std::initializer_list<int64_t> dims, const char* what) {
  __int128 p = 1;
  for (int64_t d : dims) p = std::min<__int128>(p * d, __int128(1) << 62);
  if (p > (__int128(1) << 40)) args.rangeFail(std::string(what) + " would have more than 2^40 elements");
  return int64_t(p);
}

void readFields(const Args& args, Napi::Object o, std::initializer_list<IntField> fields) {
  for (const IntField& f : fields) {
    Napi::Value v = o.Get(f.name);
    if (v.IsUndefined()) args.typeFail(std::string("opts.") + f.name + " is required");
    *f.dst = args.integerValue(v, std::string("opts.") + f.name, f.lo, int64_t(1) << 31);
  }
}

Conv2dArgs convArgs(const Args& args, size_t i) {
  Napi::Object o = optsObject(args, i, "batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft");
  Conv2dArgs a;
  readFields(args, o, {{"batch", &a.batch, 0}, {"inHeight", &a.inH, 1}, {"inWidth", &a.inW, 1},
                       {"inChannels", &a.inC, 1}, {"outHeight", &a.outH, 1}, {"outWidth", &a.outW, 1},
                       {"outChannels", &a.outC, 1}, {"kernelHeight", &a.kh, 1}, {"kernelWidth", &a.kw, 1},
                       {"strideHeight", &a.strideH, 1}, {"strideWidth", &a.strideW, 1},
                       {"dilationHeight", &a.dilH, 1}, {"dilationWidth", &a.dilW, 1},
                       {"padTop", &a.padTop, 0}, {"padLeft", &a.padLeft, 0}});
  sizeProduct(args, {a.batch, a.inH, a.inW, a.inC}, "x");
  sizeProduct(args, {a.kh, a.kw, a.inC, a.outC}, "the kernel");
  sizeProduct(args, {a.batch, a.outH, a.outW, a.outC}, "the output");
  return a;
}

void requireConvSizes(const Args& args, const Conv2dArgs& a, NativeBuffer* x, const char* xn, NativeBuffer* w,
                      const char* wn, NativeBuffer* y, const char* yn) {
  args.requireSize(x, xn, a.batch * a.inH * a.inW * a.inC, "batch·inHeight·inWidth·inChannels");
  args.requireSize(w, wn, a.kh * a.kw * a.inC * a.outC, "kernelHeight·kernelWidth·inChannels·outChannels");
  args.requireSize(y, yn, a.batch * a.outH * a.outW * a.outC, "batch·outHeight·outWidth·outChannels");
  if (x == y || w == y || x == w) args.fail(std::string(xn) + ", " + wn + " and " + yn + " must be three different buffers");
}

ENTRY(conv2d) {
  ARGS(conv2d);
  NativeBuffer* x = args.buffer(0, "x", kF32);
  NativeBuffer* w = args.buffer(1, "kernel", kF32);
  NativeBuffer* y = args.buffer(2, "out", kF32);
  Conv2dArgs a = convArgs(args, 3);
  Napi::Object o = args.at(3).As<Napi::Object>();
  Napi::Value bias = o.Get("bias");
  NativeBuffer* bb = nullptr;
  if (!bias.IsUndefined() && !bias.IsNull()) {
    bb = args.bufferValue(bias, "opts.bias", kF32);
    args.requireSize(bb, "opts.bias", a.outC, "one bias per output channel");
  }
  a.bias = bb ? ptr<float>(bb) : nullptr;
  Napi::Value act = o.Get("activation");
  if (!act.IsUndefined()) {
    if (!act.IsString()) args.typeFail("opts.activation must be a string, received " + describe(act));
    int k = findName(kActivationNames, act.As<Napi::String>().Utf8Value().c_str());
    if (k < 0) args.fail("unknown opts.activation " + describe(act) + "; allowed: linear, relu, sigmoid, tanh");
    a.act = static_cast<Activation>(k);
  }
  requireConvSizes(args, a, x, "x", w, "kernel", y, "out");
  if (bb == y) args.fail("opts.bias must be a different buffer from out");
  args.recheck();
  args.backend()->conv2d(ptr<float>(x), ptr<float>(w), ptr<float>(y), a);
  return info.Env().Undefined();
}

ENTRY(conv2dInputGrad) {
  ARGS(conv2dInputGrad);
  NativeBuffer* dy = args.buffer(0, "dy", kF32);
  NativeBuffer* w = args.buffer(1, "kernel", kF32);
  NativeBuffer* dx = args.buffer(2, "dx", kF32);
  Conv2dArgs a = convArgs(args, 3);
  requireConvSizes(args, a, dx, "dx", w, "kernel", dy, "dy");
  args.recheck();
  args.backend()->conv2dInputGrad(ptr<float>(dy), ptr<float>(w), ptr<float>(dx), a);
  return info.Env().Undefined();
}

ENTRY(conv2dKernelGrad) {
  ARGS(conv2dKernelGrad);
  NativeBuffer* x = args.buffer(0, "x", kF32);
  NativeBuffer* dy = args.buffer(1, "dy", kF32);
  NativeBuffer* dw = args.buffer(2, "dkernel", kF32);
  Conv2dArgs a = convArgs(args, 3);
  requireConvSizes(args, a, x, "x", dw, "dkernel", dy, "dy");
  args.recheck();
  args.backend()->conv2dKernelGrad(ptr<float>(x), ptr<float>(dy), ptr<float>(dw), a);
  return info.Env().Undefined();
}

Pool2dArgs poolArgs(const Args& args, size_t i) {
  Napi::Object o = optsObject(args, i, "batch, inHeight, inWidth, channels, outHeight, outWidth, poolHeight, poolWidth, strideHeight, strideWidth, padTop, padLeft");
  Pool2dArgs a;
  readFields(args, o, {{"batch", &a.batch, 0}, {"inHeight", &a.inH, 1}, {"inWidth", &a.inW, 1},
                       {"channels", &a.channels, 1}, {"outHeight", &a.outH, 1}, {"outWidth", &a.outW, 1},
                       {"poolHeight", &a.poolH, 1}, {"poolWidth", &a.poolW, 1},
                       {"strideHeight", &a.strideH, 1}, {"strideWidth", &a.strideW, 1},
                       {"padTop", &a.padTop, 0}, {"padLeft", &a.padLeft, 0}});
  sizeProduct(args, {a.batch, a.inH, a.inW, a.channels}, "x");
  sizeProduct(args, {a.batch, a.outH, a.outW, a.channels}, "the output");
  if (a.poolH * a.poolW > std::numeric_limits<int32_t>::max())
    args.rangeFail("the pool window has more cells than an int32 argmax can index");
  return a;
}

ENTRY(pool2d) {
  ARGS(pool2d);
  auto op = static_cast<PoolOp>(args.opName(0, kPoolNames, "pool op"));
  NativeBuffer* x = args.buffer(1, "x", kF32);
  NativeBuffer* y = args.buffer(2, "out", kF32);
  NativeBuffer* idx = args.optionalBuffer(3, "argmax", {DType::Int32});
  Pool2dArgs a = poolArgs(args, 4);
  args.requireSize(x, "x", a.batch * a.inH * a.inW * a.channels, "batch·inHeight·inWidth·channels");
  args.requireSize(y, "out", a.batch * a.outH * a.outW * a.channels, "batch·outHeight·outWidth·channels");
  if (idx) {
    if (op != PoolOp::Max) args.fail("argmax is only written by max pooling; pass null for avg");
    args.requireSize(idx, "argmax", y->size(), "one index per output");
  }
  if (x == y) args.fail("out must be a different buffer from x");
  args.recheck();
  args.backend()->pool2d(op, ptr<float>(x), ptr<float>(y), idx ? ptr<int32_t>(idx) : nullptr, a);
  return info.Env().Undefined();
}

ENTRY(pool2dGrad) {
  ARGS(pool2dGrad);
  auto op = static_cast<PoolOp>(args.opName(0, kPoolNames, "pool op"));
  NativeBuffer* dy = args.buffer(1, "dy", kF32);
  NativeBuffer* idx = args.optionalBuffer(2, "argmax", {DType::Int32});
  NativeBuffer* dx = args.buffer(3, "dx", kF32);
  Pool2dArgs a = poolArgs(args, 4);
  args.requireSize(dx, "dx", a.batch * a.inH * a.inW * a.channels, "batch·inHeight·inWidth·channels");
  args.requireSize(dy, "dy", a.batch * a.outH * a.outW * a.channels, "batch·outHeight·outWidth·channels");
  if (op == PoolOp::Max) {
    if (!idx) args.fail("max pooling's gradient needs the forward's argmax indices (received null)");
    args.requireSize(idx, "argmax", dy->size(), "one index per output");
  } else if (idx) {
    args.fail("avg pooling's gradient takes no argmax; pass null");
  }
  if (dx == dy) args.fail("dx must be a different buffer from dy");
  args.recheck();
  args.backend()->pool2dGrad(op, ptr<float>(dy), idx ? ptr<int32_t>(idx) : nullptr, ptr<float>(dx), a);
  return info.Env().Undefined();
}

// ---- reductions ------------------------------------------------------------------------------

ENTRY(reduce) {
  ARGS(reduce);
  auto op = static_cast<ReduceOp>(args.opName(0, kReduceNames, "reduce op"));
  NativeBuffer* x = args.buffer(1, "x", kF32);
  Shape s = args.shape(2, "shape");
  if (!args.has(3) || !args.at(3).IsArray())
    args.typeFail("axes must be an array of axes, received " + describe(args.has(3) ? args.at(3) : info.Env().Undefined()));
  Napi::Array ax = args.at(3).As<Napi::Array>();
  NativeBuffer* out = args.buffer(4, "out", kF32);
  args.requireShapeSize(x, "x", s, "shape");
  bool red[kMaxDims] = {};
  int prev = -1;
  for (uint32_t i = 0; i < ax.Length(); ++i) {
    int a = int(args.integerValue(ax.Get(i), "axes[" + std::to_string(i) + "]", 0, std::max(0, s.ndim - 1)));
    if (s.ndim == 0) args.rangeFail("a scalar has no axes to reduce");
    if (a <= prev) args.rangeFail("axes must be sorted and unique");
    prev = a;
    red[a] = true;
  }
  int64_t keep = 1, count = 1;
  for (int i = 0; i < s.ndim; ++i) (red[i] ? count : keep) *= s.dims[i];
  args.requireSize(out, "out", keep, "the kept dimensions");
  if (count == 0 && (op == ReduceOp::Max || op == ReduceOp::Min))
    args.rangeFail(std::string(kReduceNames[int(op)]) + " over an empty axis has no identity");
  if (x == out) args.fail("out must be a different buffer from x");
  args.recheck();
  args.backend()->reduce(op, ptr<float>(x), s, red, ptr<float>(out));
  return info.Env().Undefined();
}

ENTRY(argReduce) {
  ARGS(argReduce);
  auto op = static_cast<ArgReduceOp>(args.opName(0, kArgReduceNames, "arg-reduce op"));
  NativeBuffer* x = args.buffer(1, "x", kF32);
  Shape s = args.shape(2, "shape");
  if (s.ndim == 0) args.rangeFail("a scalar has no axis to reduce");
  int axis = int(args.integer(3, "axis", 0, s.ndim - 1));
  NativeBuffer* out = args.buffer(4, "out", {DType::Int32});
  args.requireShapeSize(x, "x", s, "shape");
  if (s.dims[axis] == 0) args.rangeFail("axis " + std::to_string(axis) + " is empty");
  if (s.dims[axis] > std::numeric_limits<int32_t>::max()) args.rangeFail("axis too long for int32 indices");
  args.requireSize(out, "out", s.size() / s.dims[axis], "the kept dimensions");
  args.recheck();
  args.backend()->argReduce(op, ptr<float>(x), s, axis, ptr<int32_t>(out));
  return info.Env().Undefined();
}

// ---- softmax and losses ----------------------------------------------------------------------

ENTRY(softmax) {
  ARGS(softmax);
  NativeBuffer* x = args.buffer(0, "x", kF32);
  NativeBuffer* out = args.buffer(1, "out", kF32);
  int64_t rows = args.integer(2, "rows");
  int64_t cols = args.integer(3, "cols");
  if (!args.has(4) || !args.at(4).IsBoolean()) args.typeFail("log must be a boolean, received " + describe(args.has(4) ? args.at(4) : info.Env().Undefined()));
  bool log = args.boolean(4, "log", false);
  args.requireSize(x, "x", rows * cols, "rows×cols");
  args.requireSize(out, "out", rows * cols, "rows×cols");
  args.recheck();
  args.backend()->softmax(ptr<float>(x), ptr<float>(out), rows, cols, log);
  return info.Env().Undefined();
}

ENTRY(softmaxCrossEntropy) {
  ARGS(softmaxCrossEntropy);
  NativeBuffer* logits = args.buffer(0, "logits", kF32);
  std::string kind = args.string(2, "kind");
  if (kind != "sparse" && kind != "onehot") args.fail("unknown kind '" + kind + "'; allowed: sparse, onehot");
  bool sparse = kind == "sparse";
  NativeBuffer* labels = sparse ? args.buffer(1, "labels", {DType::Int32}) : args.buffer(1, "labels", kF32);
  int64_t rows = args.integer(3, "rows");
  int64_t cols = args.integer(4, "cols", 1);
  NativeBuffer* loss = args.buffer(5, "loss", kF32);
  NativeBuffer* grad = args.optionalBuffer(6, "grad", kF32);
  double scale = args.numberOr(7, "gradScale", 1.0);
  args.requireSize(logits, "logits", rows * cols, "rows×cols");
  args.requireSize(labels, "labels", sparse ? rows : rows * cols, sparse ? "one class index per row" : "rows×cols one-hot labels");
  args.requireSize(loss, "loss", rows, "one loss per row");
  if (grad) args.requireSize(grad, "grad", rows * cols, "rows×cols");
  if (sparse) checkIndices(args, ptr<int32_t>(labels), rows, cols, "label", "row");
  args.recheck();
  args.backend()->softmaxCrossEntropy(ptr<float>(logits), labels->data(), sparse, rows, cols, ptr<float>(loss),
                                      grad ? ptr<float>(grad) : nullptr, float(scale));
  return info.Env().Undefined();
}

// ---- indexing --------------------------------------------------------------------------------

ENTRY(gather) {
  ARGS(gather);
  NativeBuffer* x = args.buffer(0, "x");
  int64_t rowSize = args.integer(1, "rowSize", 1);
  NativeBuffer* idx = args.buffer(2, "indices", {DType::Int32});
  NativeBuffer* out = args.buffer(3, "out");
  args.requireSameDType(x, "x", out, "out");
  if (x->size() % rowSize != 0)
    args.rangeFail("x has " + std::to_string(x->size()) + " elements, not a whole number of rows of " +
                   std::to_string(rowSize));
  args.requireSize(out, "out", idx->size() * rowSize, "one row per index");
  int64_t rows = x->size() / rowSize;
  const int32_t* ix = ptr<int32_t>(idx);
  checkIndices(args, ix, idx->size(), rows, "index", "position");
  if (out == x) args.fail("out must be a different buffer from x");
  args.recheck();
  args.backend()->gather(x->data(), dtypeSize(x->dtype()), rowSize, rows, ix, idx->size(), out->data());
  return info.Env().Undefined();
}

ENTRY(oneHot) {
  ARGS(oneHot);
  NativeBuffer* idx = args.buffer(0, "indices", {DType::Int32});
  int64_t depth = args.integer(1, "depth", 1, int64_t(1) << 31);
  NativeBuffer* out = args.buffer(2, "out", kF32);
  args.requireSize(out, "out", idx->size() * depth, "indices.size × depth");
  const int32_t* ix = ptr<int32_t>(idx);
  checkIndices(args, ix, idx->size(), depth, "index", "position");
  args.recheck();
  args.backend()->oneHot(ix, idx->size(), depth, ptr<float>(out));
  return info.Env().Undefined();
}

// ---- optimizers ------------------------------------------------------------------------------

std::vector<OptimizerSlot> slots(const Args& args, const std::vector<NativeBuffer*>& p,
                                 const std::vector<NativeBuffer*>& g, const std::vector<NativeBuffer*>* s1,
                                 const char* s1Name, const std::vector<NativeBuffer*>* s2, const char* s2Name) {
  if (g.size() != p.size())
    args.rangeFail("grads has " + std::to_string(g.size()) + " buffers but params has " + std::to_string(p.size()));
  if (s1 && s1->size() != p.size())
    args.rangeFail(std::string(s1Name) + " has " + std::to_string(s1->size()) + " buffers but params has " + std::to_string(p.size()));
  if (s2 && s2->size() != p.size())
    args.rangeFail(std::string(s2Name) + " has " + std::to_string(s2->size()) + " buffers but params has " + std::to_string(p.size()));
  std::vector<OptimizerSlot> out(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    std::string at = "[" + std::to_string(i) + "]";
    auto same = [&](NativeBuffer* b, const std::string& name) {
      if (b->size() != p[i]->size())
        args.rangeFail(name + at + " has " + std::to_string(b->size()) + " elements but params" + at + " has " +
                       std::to_string(p[i]->size()));
    };
    same(g[i], "grads");
    if (s1) same((*s1)[i], s1Name);
    if (s2) same((*s2)[i], s2Name);
    out[i] = {ptr<float>(p[i]), ptr<float>(g[i]), s1 ? ptr<float>((*s1)[i]) : nullptr,
              s2 ? ptr<float>((*s2)[i]) : nullptr, p[i]->size()};
  }
  return out;
}

ENTRY(sgdUpdate) {
  ARGS(sgdUpdate);
  auto p = args.bufferList(0, "params", false);
  auto g = args.bufferList(1, "grads", false);
  auto v = args.bufferList(2, "velocities", true);
  bool hasV = args.has(2) && !args.at(2).IsNull();
  float lr = float(args.number(3, "lr"));
  float mom = float(args.number(4, "momentum"));
  bool nest = args.boolean(5, "nesterov", false);
  if (!hasV && mom != 0.f) args.fail("momentum " + describe(args.at(4)) + " needs velocities (received null)");
  auto s = slots(args, p, g, hasV ? &v : nullptr, "velocities", nullptr, nullptr);
  args.recheck();
  args.backend()->sgdUpdate(s.data(), int(s.size()), lr, mom, nest);
  return info.Env().Undefined();
}

ENTRY(rmspropUpdate) {
  ARGS(rmspropUpdate);
  auto p = args.bufferList(0, "params", false);
  auto g = args.bufferList(1, "grads", false);
  auto v = args.bufferList(2, "v", false);
  float lr = float(args.number(3, "lr")), rho = float(args.number(4, "rho")), eps = float(args.number(5, "eps"));
  auto s = slots(args, p, g, &v, "v", nullptr, nullptr);
  args.recheck();
  args.backend()->rmspropUpdate(s.data(), int(s.size()), lr, rho, eps);
  return info.Env().Undefined();
}

ENTRY(adamUpdate) {
  ARGS(adamUpdate);
  auto p = args.bufferList(0, "params", false);
  auto g = args.bufferList(1, "grads", false);
  auto m = args.bufferList(2, "m", false);
  auto v = args.bufferList(3, "v", false);
  float lr = float(args.number(4, "lr")), b1 = float(args.number(5, "beta1")), b2 = float(args.number(6, "beta2"));
  float eps = float(args.number(7, "eps"));
  int64_t step = args.integer(8, "step", 1);
  float wd = float(args.numberOr(9, "weightDecay", 0.0));
  if (b1 >= 1.f || b2 >= 1.f || b1 < 0.f || b2 < 0.f) args.rangeFail("beta1 and beta2 must be in [0, 1)");
  auto s = slots(args, p, g, &m, "m", &v, "v");
  args.recheck();
  args.backend()->adamUpdate(s.data(), int(s.size()), lr, b1, b2, eps, step, wd);
  return info.Env().Undefined();
}

ENTRY(adagradUpdate) {
  ARGS(adagradUpdate);
  auto p = args.bufferList(0, "params", false);
  auto g = args.bufferList(1, "grads", false);
  auto acc = args.bufferList(2, "acc", false);
  float lr = float(args.number(3, "lr")), eps = float(args.number(4, "eps"));
  auto s = slots(args, p, g, &acc, "acc", nullptr, nullptr);
  args.recheck();
  args.backend()->adagradUpdate(s.data(), int(s.size()), lr, eps);
  return info.Env().Undefined();
}

}  // namespace

Napi::Object makeBackendObject(Napi::Env env, Backend* backend) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", Napi::String::New(env, backend->name()));
  o.Set("description", Napi::String::New(env, backend->description()));
#define BIND(NAME) o.Set(#NAME, Napi::Function::New(env, NAME, #NAME, backend));
  BIND(alloc) BIND(release) BIND(upload) BIND(download) BIND(copy) BIND(fill) BIND(cast) BIND(synchronize)
  BIND(randomUniform) BIND(randomNormal) BIND(randomTruncatedNormal)
  BIND(unary) BIND(unaryGrad) BIND(binary) BIND(binaryScalar) BIND(where)
  BIND(matmul) BIND(transpose) BIND(conv2d) BIND(conv2dInputGrad) BIND(conv2dKernelGrad) BIND(pool2d) BIND(pool2dGrad)
   BIND(reduce) BIND(argReduce) BIND(softmax) BIND(softmaxCrossEntropy)
  BIND(gather) BIND(oneHot) BIND(sgdUpdate) BIND(rmspropUpdate) BIND(adamUpdate) BIND(adagradUpdate)
#undef BIND
  return o;
}

}  // namespace tsdl::binding
