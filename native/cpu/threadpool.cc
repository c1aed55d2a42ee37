#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TSDL_PAUSE() _mm_pause()
#else
#define TSDL_PAUSE() std::this_thread::yield()
#endif

namespace tsdl::cpu {
namespace {

thread_local bool insideTask = false;

// Task claiming. One 64-bit word holds (job id, task count, next task), so a worker that wakes
// late can never take a task of a job it did not read: its compare-and-swap fails as soon as
// the word changed. The caller takes tasks the same way, so it never waits for a worker that
// has not started (on a loaded 2-core machine a worker may not be scheduled for milliseconds);
// it only waits for tasks a worker actually took.
constexpr int kIdBits = 16, kCountBits = 24;
constexpr uint64_t kCountMask = (uint64_t(1) << kCountBits) - 1;
constexpr int64_t kMaxTasks = int64_t(kCountMask);

inline uint64_t pack(uint64_t id, uint64_t count, uint64_t next) {
  return (id << (2 * kCountBits)) | (count << kCountBits) | next;
}

class Pool {
 public:
  explicit Pool(int n) : n_(n) {
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { workerLoop(i); });
  }
  int size() const { return n_; }

  void run(int64_t tasks, TaskFn fn, void* ctx) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (n_ == 1 || tasks <= 1 || insideTask || !busy.owns_lock() || tasks > kMaxTasks) {
      runInline(tasks, fn, ctx);
      return;
    }
    fn_.store(fn, std::memory_order_relaxed);
    ctx_.store(ctx, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    id_ = (id_ + 1) & ((uint64_t(1) << kIdBits) - 1);
    claim_.store(pack(id_, uint64_t(tasks), 0), std::memory_order_release);
    gen_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      // Taking the mutex orders this wake-up after a sleeper's last check of gen_.
      std::lock_guard<std::mutex> lk(m_);
      cv_.notify_all();
    }
    insideTask = true;
    int64_t mine = work(0);
    insideTask = false;
    // Wait only for tasks that workers took (and are running).
    int64_t spins = 0;
    while (done_.load(std::memory_order_acquire) + mine < tasks) {
      if (++spins < 4096) TSDL_PAUSE();
      else std::this_thread::yield();
    }
  }

 private:
  void runInline(int64_t tasks, TaskFn fn, void* ctx) {
    bool was = insideTask;
    insideTask = true;
    for (int64_t t = 0; t < tasks; ++t) fn(ctx, t, 0);
    insideTask = was;
  }

  // Runs tasks of the current job until none is left; returns how many it ran.
  int64_t work(int thread) {
    int64_t ran = 0;
    uint64_t c = claim_.load(std::memory_order_acquire);
    for (;;) {
      uint64_t count = (c >> kCountBits) & kCountMask, next = c & kCountMask;
      if (next >= count) break;
      if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      // The job cannot finish (and be replaced) before this task is done, so fn_/ctx_ are its.
      fn_.load(std::memory_order_relaxed)(ctx_.load(std::memory_order_relaxed), int64_t(next), thread);
      ++ran;
      if (thread != 0) done_.fetch_add(1, std::memory_order_release);
      c = claim_.load(std::memory_order_acquire);
    }
    return ran;
  }

  void workerLoop(int thread) {
    insideTask = true;
    uint64_t seen = 0;
    for (;;) {
      // Spin ~50 µs for the next job (training issues kernels back to back), then sleep.
      // PAUSE costs 10-140 cycles depending on the CPU, so the spin is bounded by time.
      bool got = false;
      auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      for (int i = 0; !got; ++i) {
        if (gen_.load(std::memory_order_acquire) != seen) got = true;
        else if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
        else TSDL_PAUSE();
      }
      if (!got) {
        std::unique_lock<std::mutex> lk(m_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        cv_.wait(lk, [&] { return gen_.load(std::memory_order_seq_cst) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = gen_.load(std::memory_order_acquire);
      work(thread);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex busy_;  // one job at a time (JS worker threads may share the addon)
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<uint64_t> claim_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<TaskFn> fn_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  uint64_t id_ = 0;
};

int configuredThreads() {
  if (const char* s = std::getenv("TSDL_NUM_THREADS")) {
    int v = std::atoi(s);
    if (v >= 1 && v <= 256) return v;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

Pool& pool() {
  // Never destroyed: the workers sleep forever once the process stops issuing work, and
  // joining them from a static destructor while Node tears the addon down can deadlock.
  static Pool* p = new Pool(configuredThreads());
  return *p;
}

}  // namespace

int threads() { return pool().size(); }
void parallelFor(int64_t tasks, TaskFn fn, void* ctx) { pool().run(tasks, fn, ctx); }

}  // namespace tsdl::cpu
