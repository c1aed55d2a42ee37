// The device memory pool: blocks are rounded to size classes and kept on free lists when
// released, so a training step reuses the same memory and never calls cudaMalloc (which is slow
// and synchronizes the device). Reuse without events is safe because the backend has a single
// stream: a kernel queued after free() runs after every kernel that used the block before.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tsdl::cuda {

class Pool {
 public:
  // Null when the device is out of memory even after the cached blocks were returned.
  void* alloc(size_t bytes);
  void free(void* p);
  // Returns every cached (free) block to the driver; live blocks stay.
  void trim();
  size_t bytesInUse() const;
  size_t bytesCached() const;

  // The size class of a request: powers of two up to 1 MiB (so a few lists serve every small
  // tensor), multiples of 2 MiB above (so big datasets waste at most 2 MiB).
  static size_t roundUp(size_t bytes);

 private:
  mutable std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> freeLists_;
  std::unordered_map<const void*, size_t> live_;
  size_t inUse_ = 0, cached_ = 0;
};

// Scratch memory that a kernel call uses internally (split-K partial sums, the bounce buffer of
// an overlapping copy). Calls on the one stream use it one after another, so one block serves
// all of them. It only grows, and an outgrown block is kept rather than freed: a captured CUDA
// graph may still point at it.
class Workspace {
 public:
  explicit Workspace(Pool* pool) : pool_(pool) {}
  // Throws when the device is out of memory.
  void* get(size_t bytes);

 private:
  Pool* pool_;
  std::mutex mu_;
  void* cur_ = nullptr;
  size_t cap_ = 0;
  std::vector<void*> outgrown_;
};

}  // namespace tsdl::cuda
