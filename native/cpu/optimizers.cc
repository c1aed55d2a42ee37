// Fused, in-place optimizer updates over many tensors in one call (one per variable would
// cost a JS→native crossing each). Each update is one pass that reads g and the slots once.
// The loops are straight-line float arithmetic so g++ -O3 vectorizes them; large tensors
// split across the pool.
#include <cmath>

#include "kernels.h"
#include "threadpool.h"

// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` (any x86-64) or `avx2`.
namespace tsdl::cpu::TSDL_ISA {
namespace {

template <class F>
void eachSlot(const OptimizerSlot* slots, int count, F&& f) {
  for (int s = 0; s < count; ++s) {
    const OptimizerSlot& t = slots[s];
    parallelRange(t.size, kParallelGrain, [&](int64_t b, int64_t e, int) { f(t, b, e); });
  }
}

// Each update is a function with plain pointer arguments (a loop inside a lambda that captures
// by reference kept g++ from vectorizing it).
__attribute__((noinline)) void sgdRun(float* w, const float* g, float* v, int64_t n, float lr, float momentum,
                                      bool nesterov) {
  if (!v) {
    for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
  } else if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      float nv = momentum * v[i] - lr * g[i];
      v[i] = nv;
      w[i] += momentum * nv - lr * g[i];
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      float nv = momentum * v[i] - lr * g[i];
      v[i] = nv;
      w[i] += nv;
    }
  }
}

// Keras puts eps inside the square root: w −= lr·g / sqrt(v + eps).
__attribute__((noinline)) void rmspropRun(float* w, const float* g, float* v, int64_t n, float lr, float rho,
                                          float eps) {
  for (int64_t i = 0; i < n; ++i) {
    float nv = rho * v[i] + (1.f - rho) * g[i] * g[i];
    v[i] = nv;
    w[i] -= lr * g[i] / std::sqrt(nv + eps);
  }
}

__attribute__((noinline)) void adamRun(float* w, const float* g, float* m, float* v, int64_t n, float alpha,
                                       float beta1, float beta2, float eps, float decay) {
  for (int64_t i = 0; i < n; ++i) {
    float gi = g[i];
    float nm = m[i] + (gi - m[i]) * (1.f - beta1);
    float nv = v[i] + (gi * gi - v[i]) * (1.f - beta2);
    m[i] = nm;
    v[i] = nv;
    w[i] = w[i] * decay - alpha * nm / (std::sqrt(nv) + eps);
  }
}

__attribute__((noinline)) void adagradRun(float* w, const float* g, float* acc, int64_t n, float lr, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    float na = acc[i] + g[i] * g[i];
    acc[i] = na;
    w[i] -= lr * g[i] / std::sqrt(na + eps);
  }
}

}  // namespace

void sgdUpdate(const OptimizerSlot* slots, int count, float lr, float momentum, bool nesterov) {
  eachSlot(slots, count, [=](const OptimizerSlot& t, int64_t b, int64_t e) {
    sgdRun(t.param + b, t.grad + b, t.s1 ? t.s1 + b : nullptr, e - b, lr, momentum, nesterov);
  });
}

void rmspropUpdate(const OptimizerSlot* slots, int count, float lr, float rho, float eps) {
  eachSlot(slots, count, [=](const OptimizerSlot& t, int64_t b, int64_t e) {
    rmspropRun(t.param + b, t.grad + b, t.s1 + b, e - b, lr, rho, eps);
  });
}

void adamUpdate(const OptimizerSlot* slots, int count, float lr, float beta1, float beta2,
                float eps, int64_t step, float weightDecay) {
  // Keras: alpha = lr·sqrt(1 − β2^t)/(1 − β1^t); m += (g − m)(1 − β1); v += (g² − v)(1 − β2);
  // w −= alpha·m/(sqrt(v) + eps); AdamW first applies w −= w·wd·lr.
  double b1t = std::pow(double(beta1), double(step)), b2t = std::pow(double(beta2), double(step));
  float alpha = float(double(lr) * std::sqrt(1.0 - b2t) / (1.0 - b1t));
  float decay = weightDecay > 0.f ? 1.f - weightDecay * lr : 1.f;
  eachSlot(slots, count, [=](const OptimizerSlot& t, int64_t b, int64_t e) {
    adamRun(t.param + b, t.grad + b, t.s1 + b, t.s2 + b, e - b, alpha, beta1, beta2, eps, decay);
  });
}

void adagradUpdate(const OptimizerSlot* slots, int count, float lr, float eps) {
  eachSlot(slots, count, [=](const OptimizerSlot& t, int64_t b, int64_t e) {
    adagradRun(t.param + b, t.grad + b, t.s1 + b, e - b, lr, eps);
  });
}

}  // namespace tsdl::cpu::TSDL_ISA
