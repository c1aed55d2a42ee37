#include "registry.h"

#include <dlfcn.h>

#include <cstdlib>

#include <mutex>

namespace tsdl {

namespace {
std::once_flag cudaOnce;
Backend* cudaBackend = nullptr;
void* cudaLib = nullptr;
std::string cudaWhy;
}  // namespace

// The CUDA library exports one C function, so the seam does not depend on C++ name mangling:
//   extern "C" tsdl::Backend* tsdl_create_cuda_backend(char* why, size_t whyLen);
// It returns null (and a reason) when there is no driver or no device.
using CreateCuda = Backend* (*)(char*, size_t);

Backend* loadCudaBackend(const std::string& addonDir, std::string* why) {
  std::call_once(cudaOnce, [&] {
    // TSDL_CUDA_LIBRARY names another build of the library (CI loads the host emulation of
    // CUDA this way to train through the CUDA backend without a GPU).
    const char* env = std::getenv("TSDL_CUDA_LIBRARY");
    std::string path = env && *env ? std::string(env) : addonDir + "/libtsdl_cuda.so";
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* err = dlerror();
      cudaWhy = env && *env ? "cannot load TSDL_CUDA_LIBRARY=" + path + (err ? std::string(": ") + err : std::string())
                            : "the CUDA backend is not built (no " + path + "; it is built where nvcc exists)";
      return;
    }
    auto create = reinterpret_cast<CreateCuda>(dlsym(lib, "tsdl_create_cuda_backend"));
    if (!create) {
      cudaWhy = path + " does not export tsdl_create_cuda_backend";
      return;
    }
    char buf[512] = {0};
    cudaBackend = create(buf, sizeof buf);
    if (!cudaBackend) cudaWhy = buf[0] ? buf : "no CUDA device";
    else cudaLib = lib;
  });
  if (!cudaBackend && why) *why = cudaWhy;
  return cudaBackend;
}

void* cudaLibraryHandle() { return cudaLib; }

}  // namespace tsdl
