#include "buffer.h"

#include <string>

namespace tsdl {

std::atomic<int64_t> NativeBuffer::liveBytes_{0};
std::atomic<int64_t> NativeBuffer::liveCount_{0};

namespace {
// The constructor is reachable from JS (it is a class), but only Create may build a live
// buffer: it passes this token as the single argument.
int constructToken = 0;
// One constructor per Node environment (the main thread and each worker thread load the addon
// separately), kept as the environment's instance data.
Napi::FunctionReference* ctorOf(Napi::Env env) { return env.GetInstanceData<Napi::FunctionReference>(); }
}  // namespace

Napi::Function NativeBuffer::Define(Napi::Env env) {
  Napi::Function f = DefineClass(
      env, "NativeBuffer",
      {InstanceAccessor<&NativeBuffer::GetDType>("dtype", napi_enumerable),
       InstanceAccessor<&NativeBuffer::GetSize>("size", napi_enumerable),
       InstanceAccessor<&NativeBuffer::GetDevice>("device", napi_enumerable),
       InstanceAccessor<&NativeBuffer::GetReleased>("released", napi_enumerable),
       InstanceMethod<&NativeBuffer::ToString>("toString")});
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(f)));
  return f;
}

NativeBuffer::NativeBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeBuffer>(info) {
  if (info.Length() != 4 || !info[0].IsExternal() ||
      info[0].As<Napi::External<int>>().Data() != &constructToken) {
    throw Napi::TypeError::New(info.Env(),
                               "NativeBuffer cannot be constructed directly; use backend.alloc(dtype, size)");
  }
  backend_ = info[1].As<Napi::External<Backend>>().Data();
  dtype_ = static_cast<DType>(info[2].As<Napi::Number>().Int32Value());
  size_ = info[3].As<Napi::Number>().Int64Value();
  env_ = info.Env();
  data_ = backend_->alloc(bytes());
  if (!data_) {
    throw Napi::RangeError::New(info.Env(), "alloc: out of memory on " + backend_->device() +
                                                " allocating " + std::to_string(size_) + " " +
                                                dtypeName(dtype_) + " elements (" +
                                                std::to_string(bytes()) + " bytes)");
  }
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), static_cast<int64_t>(bytes()));
  liveBytes_ += static_cast<int64_t>(bytes());
  liveCount_ += 1;
}

NativeBuffer::~NativeBuffer() {
  if (data_) {
    backend_->free(data_);
    data_ = nullptr;
    liveBytes_ -= static_cast<int64_t>(bytes());
    liveCount_ -= 1;
    int64_t change = 0;
    napi_adjust_external_memory(env_, -static_cast<int64_t>(bytes()), &change);
  }
}

void NativeBuffer::Release(Napi::Env env) {
  if (!data_) return;
  backend_->free(data_);
  data_ = nullptr;
  liveBytes_ -= static_cast<int64_t>(bytes());
  liveCount_ -= 1;
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(bytes()));
}

Napi::Object NativeBuffer::Create(Napi::Env env, Backend* backend, DType dtype, int64_t size) {
  return ctorOf(env)->New({Napi::External<int>::New(env, &constructToken),
                       Napi::External<Backend>::New(env, backend),
                       Napi::Number::New(env, static_cast<int>(dtype)),
                       Napi::Number::New(env, static_cast<double>(size))});
}

NativeBuffer* NativeBuffer::From(Napi::Value v) {
  if (!v.IsObject()) return nullptr;
  Napi::FunctionReference* ctor = ctorOf(v.Env());
  Napi::Object o = v.As<Napi::Object>();
  if (!ctor || !o.InstanceOf(ctor->Value())) return nullptr;
  return Unwrap(o);
}

Napi::Value NativeBuffer::GetDType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeName(dtype_));
}
Napi::Value NativeBuffer::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(size_));
}
Napi::Value NativeBuffer::GetDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), backend_ ? backend_->device() : "none");
}
Napi::Value NativeBuffer::GetReleased(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), data_ == nullptr);
}
Napi::Value NativeBuffer::ToString(const Napi::CallbackInfo& info) {
  std::string s = std::string("NativeBuffer(") + dtypeName(dtype_) + "[" + std::to_string(size_) + "] on " +
                  (backend_ ? backend_->device() : "none") + (data_ ? "" : ", released") + ")";
  return Napi::String::New(info.Env(), s);
}

}  // namespace tsdl
