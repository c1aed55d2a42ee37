// Fused, in-place optimizer updates over many tensors in one call (one per variable would
// cost a JS→native crossing each). Each update is one pass that reads g and the slots once.
// The loops are straight-line float arithmetic so g++ -O3 vectorizes them; large tensors
// split across the pool.
#include <cmath>

#include "kernels.h"
#include "threadpool.h"

namespace tsdl::cpu {
namespace {

template <class F>
void eachSlot(const OptimizerSlot* slots, int count, F&& f) {
  for (int s = 0; s < count; ++s) {
    const OptimizerSlot& t = slots[s];
    parallelRange(t.size, kParallelGrain, [&](int64_t b, int64_t e, int) { f(t, b, e); });
  }
}

}  // namespace

void sgdUpdate(const OptimizerSlot* slots, int count, float lr, float momentum, bool nesterov) {
  eachSlot(slots, count, [&](const OptimizerSlot& t, int64_t b, int64_t e) {
    float* w = t.param;
    const float* g = t.grad;
    float* v = t.s1;
    if (!v) {
      for (int64_t i = b; i < e; ++i) w[i] -= lr * g[i];
    } else if (nesterov) {
      for (int64_t i = b; i < e; ++i) {
        float nv = momentum * v[i] - lr * g[i];
        v[i] = nv;
        w[i] += momentum * nv - lr * g[i];
      }
    } else {
      for (int64_t i = b; i < e; ++i) {
        float nv = momentum * v[i] - lr * g[i];
        v[i] = nv;
        w[i] += nv;
      }
    }
  });
}

void rmspropUpdate(const OptimizerSlot* slots, int count, float lr, float rho, float eps) {
  // Keras puts eps inside the square root: w −= lr·g / sqrt(v + eps).
  eachSlot(slots, count, [&](const OptimizerSlot& t, int64_t b, int64_t e) {
    float* w = t.param;
    const float* g = t.grad;
    float* v = t.s1;
    for (int64_t i = b; i < e; ++i) {
      float nv = rho * v[i] + (1.f - rho) * g[i] * g[i];
      v[i] = nv;
      w[i] -= lr * g[i] / std::sqrt(nv + eps);
    }
  });
}

void adamUpdate(const OptimizerSlot* slots, int count, float lr, float beta1, float beta2,
                float eps, int64_t step, float weightDecay) {
  // Keras: alpha = lr·sqrt(1 − β2^t)/(1 − β1^t); m += (g − m)(1 − β1); v += (g² − v)(1 − β2);
  // w −= alpha·m/(sqrt(v) + eps); AdamW first applies w −= w·wd·lr.
  double b1t = std::pow(double(beta1), double(step)), b2t = std::pow(double(beta2), double(step));
  float alpha = float(double(lr) * std::sqrt(1.0 - b2t) / (1.0 - b1t));
  float decay = weightDecay > 0.f ? 1.f - weightDecay * lr : 1.f;
  eachSlot(slots, count, [&](const OptimizerSlot& t, int64_t b, int64_t e) {
    float* w = t.param;
    const float* g = t.grad;
    float* m = t.s1;
    float* v = t.s2;
    for (int64_t i = b; i < e; ++i) {
      float gi = g[i];
      float nm = m[i] + (gi - m[i]) * (1.f - beta1);
      float nv = v[i] + (gi * gi - v[i]) * (1.f - beta2);
      m[i] = nm;
      v[i] = nv;
      w[i] = w[i] * decay - alpha * nm / (std::sqrt(nv) + eps);
    }
  });
}

void adagradUpdate(const OptimizerSlot* slots, int count, float lr, float eps) {
  eachSlot(slots, count, [&](const OptimizerSlot& t, int64_t b, int64_t e) {
    float* w = t.param;
    const float* g = t.grad;
    float* acc = t.s1;
    for (int64_t i = b; i < e; ++i) {
      float na = acc[i] + g[i] * g[i];
      acc[i] = na;
      w[i] -= lr * g[i] / std::sqrt(na + eps);
    }
  });
}

}  // namespace tsdl::cpu
