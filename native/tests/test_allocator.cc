// The CPU backend's allocator (native/cpu/backend.cc, BlockCache): a freed buffer is handed to the
// next allocation of the same size (a training step's buffers are not faulted in again every
// step), alignment holds, blocks of other sizes or past the cache's limits are not mixed up, and
// a cached block's contents never leak into the accounting of another size.
#include <cstdint>
#include <cstring>
#include <set>

#include "../core/registry.h"
#include "harness.h"

using namespace tsdl;

TEST(freed_block_is_reused_for_the_same_size) {
  Backend* b = cpuBackend();
  void* p = b->alloc(1 << 20);
  CHECK(p != nullptr);
  std::memset(p, 1, 1 << 20);
  b->free(p);
  void* q = b->alloc((1 << 20) - 10);  // rounds to the same 64-byte size
  CHECK(q == p);
  b->free(q);
}

TEST(every_block_is_64_byte_aligned_and_writable) {
  Backend* b = cpuBackend();
  std::set<void*> live;
  for (size_t n : {size_t(0), size_t(1), size_t(63), size_t(64), size_t(65), size_t(4096), size_t(3) << 20}) {
    void* p = b->alloc(n);
    CHECK(p != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    std::memset(p, 0xab, n);
    CHECK(live.insert(p).second);  // distinct while alive
  }
  for (void* p : live) b->free(p);
}

TEST(other_sizes_get_other_blocks) {
  Backend* b = cpuBackend();
  void* p = b->alloc(256 * 1024);
  b->free(p);
  void* q = b->alloc(512 * 1024);
  CHECK(q != p);
  void* r = b->alloc(256 * 1024);
  CHECK(r == p);
  b->free(q);
  b->free(r);
}

TEST(a_huge_block_goes_back_to_the_system) {
  // Over 64 MiB: not cached; the next allocation of that size may or may not reuse the address
  // (malloc decides), but freeing it and allocating a small block must not hand out its memory.
  Backend* b = cpuBackend();
  size_t big = size_t(96) << 20;
  void* p = b->alloc(big);
  CHECK(p != nullptr);
  std::memset(p, 7, big);
  b->free(p);
  void* q = b->alloc(1024);
  CHECK(q != nullptr);
  b->free(q);
}

TEST(many_live_blocks_of_one_size_are_all_kept_and_reused) {
  Backend* b = cpuBackend();
  std::set<void*> first, second;
  for (int i = 0; i < 16; i++) first.insert(b->alloc(2 << 20));
  CHECK(first.size() == 16);
  for (void* p : first) b->free(p);
  for (int i = 0; i < 16; i++) second.insert(b->alloc(2 << 20));
  CHECK(second == first);  // a step's 16 same-sized buffers come back, none faulted anew
  for (void* p : second) b->free(p);
}

TEST(an_impossible_size_is_refused) {
  CHECK(cpuBackend()->alloc(SIZE_MAX / 2) == nullptr);
}

TSDL_TEST_MAIN
