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

class Pool {
 public:
  explicit Pool(int n) : n_(n) {
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { workerLoop(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
      gen_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return n_; }

  void run(int64_t tasks, TaskFn fn, void* ctx) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (n_ == 1 || tasks <= 1 || insideTask || !busy.owns_lock()) {
      runInline(tasks, fn, ctx);
      return;
    }
    fn_ = fn;
    ctx_ = ctx;
    tasks_ = tasks;
    next_.store(0, std::memory_order_relaxed);
    active_.store(n_ - 1, std::memory_order_relaxed);
    {
      // Publishing under the mutex means a worker that checked gen_ and is about to sleep
      // cannot miss this job.
      std::lock_guard<std::mutex> lk(m_);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    insideTask = true;
    work(0);
    insideTask = false;
    // Wait for the workers to finish their last task (they never start one after next_ ran out).
    while (active_.load(std::memory_order_acquire) != 0) TSDL_PAUSE();
  }

 private:
  void runInline(int64_t tasks, TaskFn fn, void* ctx) {
    bool was = insideTask;
    insideTask = true;
    for (int64_t t = 0; t < tasks; ++t) fn(ctx, t, 0);
    insideTask = was;
  }
  void work(int thread) {
    for (;;) {
      int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= tasks_) break;
      fn_(ctx_, t, thread);
    }
  }
  void workerLoop(int thread) {
    insideTask = true;
    uint64_t seen = 0;
    for (;;) {
      // Spin ~50 µs for the next job (training issues kernels back to back), then sleep.
      // (PAUSE costs 10-140 cycles depending on the CPU, so the spin is bounded by time.)
      bool got = false;
      auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      for (int i = 0; !got; ++i) {
        if (gen_.load(std::memory_order_acquire) != seen) got = true;
        else if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
        else TSDL_PAUSE();
      }
      if (!got) {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
      }
      seen = gen_.load(std::memory_order_acquire);
      if (stop_) return;
      work(thread);
      active_.fetch_sub(1, std::memory_order_release);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex busy_;  // one job at a time (JS worker threads may share the addon)
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int64_t> next_{0};
  std::atomic<int> active_{0};
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t tasks_ = 0;
  bool stop_ = false;
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
  // Leaked on purpose: joining threads from a static destructor at process exit can deadlock
  // when Node tears down the addon while a worker sleeps.
  static Pool* p = new Pool(configuredThreads());
  return *p;
}

}  // namespace

int threads() { return pool().size(); }
void parallelFor(int64_t tasks, TaskFn fn, void* ctx) { pool().run(tasks, fn, ctx); }

}  // namespace tsdl::cpu
