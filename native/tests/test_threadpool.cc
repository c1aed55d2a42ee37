// The thread pool runs every task exactly once, from any number of back-to-back jobs,
// including nested calls (which run inline) and jobs issued after the workers fell asleep.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "../cpu/threadpool.h"
#include "harness.h"

using namespace tsdl::cpu;

TEST(every_task_runs_exactly_once_over_many_jobs) {
  std::vector<std::atomic<int>> hits(1000);
  for (int job = 0; job < 2000; ++job) {
    int64_t tasks = 1 + job % 37;
    for (int64_t t = 0; t < tasks; ++t) hits[t] = 0;
    parallelFor(tasks, [](void* p, int64_t t, int) { (*static_cast<std::vector<std::atomic<int>>*>(p))[t]++; }, &hits);
    for (int64_t t = 0; t < tasks; ++t) CHECK(hits[t] == 1);
  }
}

TEST(thread_ids_stay_in_range_and_nested_calls_run_inline) {
  std::atomic<int> bad{0}, nested{0};
  struct Ctx { std::atomic<int>* bad; std::atomic<int>* nested; } ctx{&bad, &nested};
  parallelFor(64, [](void* p, int64_t, int thread) {
    auto* c = static_cast<Ctx*>(p);
    if (thread < 0 || thread >= threads()) (*c->bad)++;
    parallelRange(1000, 10, [&](int64_t b, int64_t e, int th) {
      if (th != 0) (*c->bad)++;
      *c->nested += int(e - b);
    });
  }, &ctx);
  CHECK(bad == 0);
  CHECK(nested == 64 * 1000);
}

TEST(jobs_after_the_workers_sleep_still_complete) {
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // longer than the spin
    std::atomic<int64_t> sum{0};
    parallelRange(1 << 20, 1 << 10, [&](int64_t b, int64_t e, int) {
      int64_t s = 0;
      for (int64_t i = b; i < e; ++i) s += i;
      sum += s;
    });
    CHECK(sum == (int64_t(1) << 20) * ((int64_t(1) << 20) - 1) / 2);
  }
}

TEST(two_threads_of_the_caller_can_use_the_pool_at_once) {
  std::atomic<int64_t> total{0};
  auto body = [&] {
    for (int j = 0; j < 500; ++j)
      parallelRange(4096, 64, [&](int64_t b, int64_t e, int) { total += e - b; });
  };
  std::thread a(body), b(body);
  a.join();
  b.join();
  CHECK(total == 2 * 500 * 4096);
}

TSDL_TEST_MAIN
