// One persistent thread pool per process for every CPU kernel.
//
// Why one pool: on a 2-core machine two pools that both spin (e.g. PyTorch's intra-op pool
// plus OpenBLAS's) make an epoch 5× slower, so GEMM, element-wise and reductions all share
// this one. Sized to std::thread::hardware_concurrency(); TSDL_NUM_THREADS overrides.
// Workers spin briefly after a job (kernels arrive back to back during training) and then
// sleep on a condition variable, so an idle notebook costs no CPU.
#pragma once
#include <cstdint>

namespace tsdl::cpu {

// fn(ctx, task, thread) runs once per task in [0, tasks); `thread` in [0, threads()) names the
// thread running it (for per-thread scratch such as GEMM packing buffers). Calls made from
// inside a task, or while another JS thread uses the pool, run inline on the caller.
using TaskFn = void (*)(void* ctx, int64_t task, int thread);

int threads();
void parallelFor(int64_t tasks, TaskFn fn, void* ctx);

// Convenience for lambdas: splits [0, n) into at most threads() contiguous chunks of at least
// `grain` elements, and calls body(begin, end, thread). Runs inline when n < 2·grain.
template <class F>
void parallelRange(int64_t n, int64_t grain, F&& body) {
  int t = threads();
  int64_t chunks = grain > 0 ? n / grain : n;
  if (chunks > t) chunks = t;
  if (chunks <= 1) {
    if (n > 0) body(int64_t(0), n, 0);
    return;
  }
  struct Ctx {
    F* body;
    int64_t n, chunks;
  } ctx{&body, n, chunks};
  parallelFor(
      chunks,
      [](void* p, int64_t task, int thread) {
        auto* c = static_cast<Ctx*>(p);
        int64_t b = c->n * task / c->chunks, e = c->n * (task + 1) / c->chunks;
        (*c->body)(b, e, thread);
      },
      &ctx);
}

}  // namespace tsdl::cpu
