#include "args.h"

namespace tsdl {

std::string describe(Napi::Value v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) return "NaN";
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
  }
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.size() > 40) s = s.substr(0, 40) + "…";
    return "'" + s + "'";
  }
  if (v.IsArray()) return "an array of length " + std::to_string(v.As<Napi::Array>().Length());
  if (v.IsTypedArray()) return "a typed array";
  if (v.IsFunction()) return "a function";
  if (NativeBuffer* b = NativeBuffer::From(v))
    return std::string("a ") + dtypeName(b->dtype()) + " buffer of " + std::to_string(b->size()) + " elements";
  return "an object";
}

std::string shapeString(const Shape& s) {
  std::string r = "[";
  for (int i = 0; i < s.ndim; ++i) r += (i ? ", " : "") + std::to_string(s.dims[i]);
  return r + "]";
}

NativeBuffer* Args::bufferValue(Napi::Value v, const std::string& name,
                                std::initializer_list<DType> dtypes) const {
  NativeBuffer* b = NativeBuffer::From(v);
  if (!b) typeFail(name + " must be a NativeBuffer (from backend.alloc), received " + describe(v));
  if (b->released()) fail(name + " was released; a released buffer cannot be used again");
  if (b->backend() != backend_)
    fail(name + " lives on " + b->backend()->device() + " but this is the " + backend_->name() +
         " backend; copy it to " + backend_->name() + " first");
  if (dtypes.size() > 0) {
    bool ok = false;
    std::string allowed;
    for (DType d : dtypes) {
      ok = ok || d == b->dtype();
      allowed += (allowed.empty() ? "" : " or ") + std::string(dtypeName(d));
    }
    if (!ok) typeFail(name + " must be " + allowed + ", received " + dtypeName(b->dtype()));
  }
  seen_.push_back(b);
  return b;
}

NativeBuffer* Args::buffer(size_t i, const char* name, std::initializer_list<DType> dtypes) const {
  return bufferValue(i < length() ? info_[i] : env_.Undefined(), name, dtypes);
}

NativeBuffer* Args::optionalBuffer(size_t i, const char* name, std::initializer_list<DType> dtypes) const {
  if (!has(i) || info_[i].IsNull()) return nullptr;
  return buffer(i, name, dtypes);
}

double Args::number(size_t i, const char* name) const {
  Napi::Value v = i < length() ? info_[i] : env_.Undefined();
  if (!v.IsNumber()) typeFail(std::string(name) + " must be a number, received " + describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::isnan(d)) rangeFail(std::string(name) + " must be a number, received NaN");
  return d;
}

int64_t Args::integerValue(Napi::Value v, const std::string& name, int64_t lo, int64_t hi) const {
  if (!v.IsNumber()) typeFail(name + " must be an integer, received " + describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d)
    rangeFail(name + " must be an integer, received " + describe(v));
  if (d < double(lo) || d > double(hi))
    rangeFail(name + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], received " + describe(v));
  return static_cast<int64_t>(d);
}

int64_t Args::integer(size_t i, const char* name, int64_t lo, int64_t hi) const {
  return integerValue(i < length() ? info_[i] : env_.Undefined(), name, lo, hi);
}

bool Args::boolean(size_t i, const char* name, bool fallback) const {
  if (!has(i)) return fallback;
  if (!info_[i].IsBoolean()) typeFail(std::string(name) + " must be a boolean, received " + describe(info_[i]));
  return info_[i].As<Napi::Boolean>().Value();
}

std::string Args::string(size_t i, const char* name) const {
  Napi::Value v = i < length() ? info_[i] : env_.Undefined();
  if (!v.IsString()) typeFail(std::string(name) + " must be a string, received " + describe(v));
  return v.As<Napi::String>().Utf8Value();
}

Shape Args::shape(size_t i, const char* name) const {
  Napi::Value v = i < length() ? info_[i] : env_.Undefined();
  if (!v.IsArray()) typeFail(std::string(name) + " must be an array of dimensions, received " + describe(v));
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > static_cast<uint32_t>(kMaxDims))
    rangeFail(std::string(name) + " has " + std::to_string(a.Length()) + " dimensions; at most " +
              std::to_string(kMaxDims) + " are supported");
  Shape s;
  s.ndim = static_cast<int>(a.Length());
  double total = 1;
  for (uint32_t k = 0; k < a.Length(); ++k) {
    s.dims[k] = integerValue(a.Get(k), std::string(name) + "[" + std::to_string(k) + "]", 0, int64_t(1) << 40);
    total *= double(s.dims[k]);
  }
  if (total > double(int64_t(1) << 48)) rangeFail(std::string(name) + " " + shapeString(s) + " is too large");
  return s;
}

std::vector<NativeBuffer*> Args::bufferList(size_t i, const char* name, bool nullable) const {
  Napi::Value v = i < length() ? info_[i] : env_.Undefined();
  std::vector<NativeBuffer*> out;
  if (nullable && (v.IsNull() || v.IsUndefined())) return out;
  if (!v.IsArray()) typeFail(std::string(name) + " must be an array of NativeBuffers, received " + describe(v));
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k)
    out.push_back(bufferValue(a.Get(k), std::string(name) + "[" + std::to_string(k) + "]", {DType::Float32}));
  return out;
}

void Args::requireSize(NativeBuffer* b, const char* name, int64_t expected, const char* why) const {
  if (b->size() != expected)
    rangeFail(std::string(name) + " has " + std::to_string(b->size()) + " elements but " + why + " needs " +
              std::to_string(expected));
}

void Args::requireShapeSize(NativeBuffer* b, const char* name, const Shape& shape, const char* shapeName) const {
  // The message is built only on failure: these checks run on every element-wise call.
  if (b->size() != shape.size())
    requireSize(b, name, shape.size(), (std::string(shapeName) + " " + shapeString(shape)).c_str());
}

void Args::requireSameDType(NativeBuffer* a, const char* an, NativeBuffer* b, const char* bn) const {
  if (a->dtype() != b->dtype())
    typeFail(std::string(an) + " is " + dtypeName(a->dtype()) + " but " + bn + " is " + dtypeName(b->dtype()) +
             "; they must match");
}

}  // namespace tsdl
