// Module entry: exports the NativeBuffer class, `cpu` (the CPU backend as a JS object with one
// method per kernel), `loadCuda()` (the CUDA backend object, or { error } saying why not) and a
// few introspection helpers used by tests and backendInfo().
#include <dlfcn.h>
#include <napi.h>

#include <string>

#include "../core/registry.h"
#include "../cpu/threadpool.h"
#include "buffer.h"
#include "kernels.h"

namespace tsdl {
namespace {

std::string addonDir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&addonDir), &info) && info.dli_fname) {
    std::string p = info.dli_fname;
    size_t slash = p.rfind('/');
    return slash == std::string::npos ? "." : p.substr(0, slash);
  }
  return ".";
}

Napi::Value LoadCuda(const Napi::CallbackInfo& info) {
  std::string why;
  Backend* b = loadCudaBackend(addonDir(), &why);
  Napi::Object r = Napi::Object::New(info.Env());
  if (b) r.Set("backend", binding::makeBackendObject(info.Env(), b));
  else r.Set("error", Napi::String::New(info.Env(), why));
  return r;
}

// Precision of the CUDA GEMMs ("fp32" | "tf32" | "bf16"), exported by libtsdl_cuda.so.
Napi::Value CudaSetPrecision(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString())
    throw Napi::TypeError::New(info.Env(), "setPrecision: precision must be \"fp32\", \"tf32\" or \"bf16\"");
  std::string p = info[0].As<Napi::String>().Utf8Value();
  void* lib = cudaLibraryHandle();
  auto set = lib ? reinterpret_cast<int (*)(const char*)>(dlsym(lib, "tsdl_cuda_set_precision")) : nullptr;
  if (!set) throw Napi::Error::New(info.Env(), "setPrecision: the cuda backend is not loaded");
  if (set(p.c_str()) != 0)
    throw Napi::RangeError::New(info.Env(), "setPrecision: unknown precision '" + p + "'; allowed: fp32, tf32, bf16");
  return info.Env().Undefined();
}
Napi::Value CudaGetPrecision(const Napi::CallbackInfo& info) {
  void* lib = cudaLibraryHandle();
  auto get = lib ? reinterpret_cast<const char* (*)()>(dlsym(lib, "tsdl_cuda_get_precision")) : nullptr;
  if (!get) return info.Env().Null();
  return Napi::String::New(info.Env(), get());
}

Napi::Value LiveBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(NativeBuffer::LiveBytes()));
}
Napi::Value LiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(NativeBuffer::LiveCount()));
}
// V8's count of external memory (what napi_adjust_external_memory reported, plus Node's own).
Napi::Value ExternalMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Napi::MemoryManagement::AdjustExternalMemory(info.Env(), 0)));
}
Napi::Value Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cpu::threads());
}

}  // namespace
}  // namespace tsdl

static Napi::Object InitTsdl(Napi::Env env, Napi::Object exports) {
  using namespace tsdl;
  exports.Set("NativeBuffer", NativeBuffer::Define(env));
  exports.Set("cpu", binding::makeBackendObject(env, cpuBackend()));
  exports.Set("loadCuda", Napi::Function::New(env, LoadCuda, "loadCuda"));
  exports.Set("cudaSetPrecision", Napi::Function::New(env, CudaSetPrecision, "cudaSetPrecision"));
  exports.Set("cudaGetPrecision", Napi::Function::New(env, CudaGetPrecision, "cudaGetPrecision"));
  exports.Set("liveBytes", Napi::Function::New(env, LiveBytes, "liveBytes"));
  exports.Set("liveCount", Napi::Function::New(env, LiveCount, "liveCount"));
  exports.Set("externalMemory", Napi::Function::New(env, ExternalMemory, "externalMemory"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  return exports;
}

NODE_API_MODULE(tsdl, InitTsdl)
