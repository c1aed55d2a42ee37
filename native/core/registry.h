// Where backends come from: the CPU backend is linked in; the CUDA backend is a shared library
// (libtsdl_cuda.so next to the addon) loaded on first request with dlopen.
#pragma once
#include <string>

#include "backend.h"

namespace tsdl {

Backend* cpuBackend();

// Returns the CUDA backend, or null with `why` saying what is missing (library not built, no
// driver, no device). Loads at most once per process; later calls return the same answer.
Backend* loadCudaBackend(const std::string& addonDir, std::string* why);

// The dlopen handle of libtsdl_cuda.so once loadCudaBackend succeeded (else null), so the binding
// can dlsym the library's extra C entry points (precision, CUDA graphs) without a second dlopen.
void* cudaLibraryHandle();

}  // namespace tsdl
