#include <cuda_runtime.h>

#include "pool.h"

#include <stdexcept>
#include <string>

namespace tsdl::cuda {

size_t Pool::roundUp(size_t bytes) {
  constexpr size_t kMin = 256, kSmall = size_t(1) << 20, kLarge = size_t(2) << 20;
  if (bytes <= kMin) return kMin;
  if (bytes <= kSmall) {
    size_t s = kMin;
    while (s < bytes) s <<= 1;
    return s;
  }
  return (bytes + kLarge - 1) / kLarge * kLarge;
}

void* Pool::alloc(size_t bytes) {
  size_t size = roundUp(bytes);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = freeLists_.find(size);
  if (it != freeLists_.end() && !it->second.empty()) {
    void* p = it->second.back();
    it->second.pop_back();
    cached_ -= size;
    inUse_ += size;
    live_[p] = size;
    return p;
  }
  void* p = nullptr;
  if (cudaMalloc(&p, size) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-free out-of-memory error
    // Give the cached blocks of other sizes back and try once more.
    for (auto& [s, list] : freeLists_)
      for (void* q : list) cudaFree(q);
    freeLists_.clear();
    cached_ = 0;
    if (cudaMalloc(&p, size) != cudaSuccess) {
      cudaGetLastError();
      return nullptr;
    }
  }
  inUse_ += size;
  live_[p] = size;
  return p;
}

void Pool::free(void* p) {
  if (!p) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(p);
  if (it == live_.end()) return;  // not ours (or freed twice): ignore rather than corrupt
  size_t size = it->second;
  live_.erase(it);
  inUse_ -= size;
  cached_ += size;
  freeLists_[size].push_back(p);
}

void Pool::trim() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [s, list] : freeLists_)
    for (void* q : list) cudaFree(q);
  freeLists_.clear();
  cached_ = 0;
}

size_t Pool::bytesInUse() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inUse_;
}
size_t Pool::bytesCached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cached_;
}

void* Workspace::get(size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes <= cap_) return cur_;
  void* p = pool_->alloc(bytes);
  if (!p)
    throw std::runtime_error("cuda: out of device memory for a " + std::to_string(bytes) +
                             "-byte workspace");
  if (cur_) outgrown_.push_back(cur_);
  cur_ = p;
  cap_ = Pool::roundUp(bytes);
  return cur_;
}

}  // namespace tsdl::cuda
