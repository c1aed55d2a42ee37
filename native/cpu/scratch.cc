#include "scratch.h"

#include <cstdlib>

namespace tsdl::cpu {
namespace {
struct Buffer {
  float* p = nullptr;
  size_t cap = 0;
  ~Buffer() { std::free(p); }
};
thread_local Buffer buffers[static_cast<int>(Scratch::Count)];
}  // namespace

float* scratch(Scratch slot, size_t floats) {
  Buffer& b = buffers[static_cast<int>(slot)];
  if (floats > b.cap) {
    std::free(b.p);
    size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
    b.p = static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
    if (!b.p) std::abort();
    b.cap = floats;
  }
  return b.p;
}

}  // namespace tsdl::cpu
