// The JS handle of backend memory (NativeBuffer in runtime/backend/backend.ts). Its finalizer
// frees the memory and tells V8 through napi_adjust_external_memory, so the garbage collector
// sees the real footprint of tensors it cannot see inside.
#pragma once
#include <napi.h>

#include <atomic>

#include "../core/backend.h"

namespace tsdl {

class NativeBuffer : public Napi::ObjectWrap<NativeBuffer> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Allocates `size` elements of `dtype` on `backend`; throws a JS error when out of memory.
  static Napi::Object Create(Napi::Env env, Backend* backend, DType dtype, int64_t size);
  // The NativeBuffer behind `v`, or null when v is not one.
  static NativeBuffer* From(Napi::Value v);
  // Bytes held by live buffers in this process (for tests and for backendInfo()).
  static int64_t LiveBytes() { return liveBytes_.load(); }
  static int64_t LiveCount() { return liveCount_.load(); }

  explicit NativeBuffer(const Napi::CallbackInfo& info);
  ~NativeBuffer() override;

  void Release(Napi::Env env);
  Backend* backend() const { return backend_; }
  DType dtype() const { return dtype_; }
  int64_t size() const { return size_; }
  void* data() const { return data_; }
  bool released() const { return data_ == nullptr; }
  size_t bytes() const { return static_cast<size_t>(size_) * dtypeSize(dtype_); }

 private:
  Napi::Value GetDType(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetReleased(const Napi::CallbackInfo& info);
  Napi::Value ToString(const Napi::CallbackInfo& info);

  Backend* backend_ = nullptr;
  DType dtype_ = DType::Float32;
  int64_t size_ = 0;
  void* data_ = nullptr;
  napi_env env_ = nullptr;

  static std::atomic<int64_t> liveBytes_, liveCount_;
};

}  // namespace tsdl
