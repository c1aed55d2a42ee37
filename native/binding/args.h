// Argument checking for every entry point: each getter either returns a valid value or throws
// a JS error that names the kernel, the argument, what was received and what is allowed.
#pragma once
#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "../core/backend.h"
#include "buffer.h"

namespace tsdl {

std::string describe(Napi::Value v);

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel, Backend* backend)
      : info_(info), env_(info.Env()), kernel_(kernel), backend_(backend) {}

  Napi::Env env() const { return env_; }
  Backend* backend() const { return backend_; }
  size_t length() const { return info_.Length(); }
  bool has(size_t i) const { return i < info_.Length() && !info_[i].IsUndefined(); }
  Napi::Value at(size_t i) const { return info_[i]; }

  [[noreturn]] void fail(const std::string& msg) const {
    throw Napi::Error::New(env_, std::string(kernel_) + ": " + msg);
  }
  [[noreturn]] void typeFail(const std::string& msg) const {
    throw Napi::TypeError::New(env_, std::string(kernel_) + ": " + msg);
  }
  [[noreturn]] void rangeFail(const std::string& msg) const {
    throw Napi::RangeError::New(env_, std::string(kernel_) + ": " + msg);
  }

  // A live buffer of this backend (and of one of `dtypes` when given).
  NativeBuffer* buffer(size_t i, const char* name, std::initializer_list<DType> dtypes = {}) const;
  NativeBuffer* bufferValue(Napi::Value v, const std::string& name,
                            std::initializer_list<DType> dtypes = {}) const;
  NativeBuffer* optionalBuffer(size_t i, const char* name, std::initializer_list<DType> dtypes = {}) const;

  double number(size_t i, const char* name) const;
  double numberOr(size_t i, const char* name, double fallback) const {
    return has(i) ? number(i, name) : fallback;
  }
  // An integer in [lo, hi] (hi defaults to 2^53).
  int64_t integer(size_t i, const char* name, int64_t lo = 0, int64_t hi = (int64_t(1) << 53)) const;
  int64_t integerOr(size_t i, const char* name, int64_t fallback, int64_t lo = 0,
                    int64_t hi = (int64_t(1) << 53)) const {
    return has(i) ? integer(i, name, lo, hi) : fallback;
  }
  int64_t integerValue(Napi::Value v, const std::string& name, int64_t lo, int64_t hi) const;
  bool boolean(size_t i, const char* name, bool fallback) const;
  std::string string(size_t i, const char* name) const;
  Shape shape(size_t i, const char* name) const;
  std::vector<NativeBuffer*> bufferList(size_t i, const char* name, bool nullable) const;

  // Op names: parsed against the op table, with the allowed names in the error.
  template <size_t N>
  int opName(size_t i, const char* const (&names)[N], const char* what) const {
    std::string s = string(i, what);
    int k = findName(names, s.c_str());
    if (k < 0) {
      std::string allowed;
      for (size_t j = 0; j < N; ++j) allowed += (j ? ", " : "") + std::string(names[j]);
      fail("unknown " + std::string(what) + " '" + s + "'; allowed: " + allowed);
    }
    return k;
  }

  // Checks that no buffer validated by this call was released since: reading an option, a
  // shape or a list can run user code (a getter or a Proxy) that releases one.
  void recheck() const {
    for (NativeBuffer* b : seen_)
      if (b->released()) fail("a buffer argument was released while the arguments were being read");
  }

  void requireSize(NativeBuffer* b, const char* name, int64_t expected, const char* why) const;
  // requireSize against a shape's element count, naming the shape argument (e.g. "aShape [2, 3]").
  void requireShapeSize(NativeBuffer* b, const char* name, const Shape& shape, const char* shapeName) const;
  void requireSameDType(NativeBuffer* a, const char* an, NativeBuffer* b, const char* bn) const;

 private:
  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  const char* kernel_;
  Backend* backend_;
  mutable std::vector<NativeBuffer*> seen_;
};

std::string shapeString(const Shape& s);

}  // namespace tsdl
