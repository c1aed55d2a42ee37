// Fused, in-place optimizer updates over many tensors in ONE launch (multi-tensor apply): the
// slot table (pointers and sizes of up to kMaxSlots tensors) travels by value in the kernel's
// parameters, so there is no host→device copy and no host wait; a launch is what it costs.
// Each tensor is cut into chunks of kChunk elements; block b finds its tensor with the prefix
// sums of chunk counts and updates one chunk. The formulas are those of native/cpu/optimizers.cc
// (Keras's), with the same float arithmetic per element.
#include <cmath>

#include "kernels.h"

namespace tsdl::cuda {
namespace {

// 48 slots × 40 bytes + the prefix table ≈ 2.3 KB, inside the 4 KB kernel-parameter limit of
// every architecture we build for. More tensors take more launches.
constexpr int kMaxSlots = 48;
constexpr int64_t kChunk = 4096;

struct SlotTable {
  int count;
  float* p[kMaxSlots];
  const float* g[kMaxSlots];
  float* s1[kMaxSlots];
  float* s2[kMaxSlots];
  int64_t size[kMaxSlots];
  int64_t firstChunk[kMaxSlots + 1];  // prefix sums: tensor t owns chunks [first[t], first[t+1])
};

enum class Rule { Sgd, SgdMomentum, SgdNesterov, Rmsprop, Adam, Adagrad };

struct Hyper {
  float lr, a, b, eps, alpha, decay;  // a, b: momentum / rho / beta1, beta2 as each rule needs
};

template <Rule R>
__device__ inline void update(float& w, float g, float* s1, float* s2, int64_t i, const Hyper& h) {
  if constexpr (R == Rule::Sgd) {
    w -= h.lr * g;
  } else if constexpr (R == Rule::SgdMomentum) {
    float nv = h.a * s1[i] - h.lr * g;
    s1[i] = nv;
    w += nv;
  } else if constexpr (R == Rule::SgdNesterov) {
    float nv = h.a * s1[i] - h.lr * g;
    s1[i] = nv;
    w += h.a * nv - h.lr * g;
  } else if constexpr (R == Rule::Rmsprop) {
    // Keras puts eps inside the square root: w −= lr·g / sqrt(v + eps).
    float nv = h.a * s1[i] + (1.f - h.a) * g * g;
    s1[i] = nv;
    w -= h.lr * g / sqrtf(nv + h.eps);
  } else if constexpr (R == Rule::Adam) {
    float nm = s1[i] + (g - s1[i]) * (1.f - h.a);
    float nv = s2[i] + (g * g - s2[i]) * (1.f - h.b);
    s1[i] = nm;
    s2[i] = nv;
    w = w * h.decay - h.alpha * nm / (sqrtf(nv) + h.eps);
  } else {  // Adagrad
    float na = s1[i] + g * g;
    s1[i] = na;
    w -= h.lr * g / sqrtf(na + h.eps);
  }
}

template <Rule R>
__global__ void multiTensorKernel(SlotTable t, Hyper h) {
  int64_t chunk = blockIdx.x;
  int s = 0;
  while (s + 1 < t.count && chunk >= t.firstChunk[s + 1]) ++s;
  int64_t begin = (chunk - t.firstChunk[s]) * kChunk;
  int64_t end = begin + kChunk < t.size[s] ? begin + kChunk : t.size[s];
  float* w = t.p[s];
  const float* g = t.g[s];
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    float wi = w[i];
    update<R>(wi, g[i], t.s1[s], t.s2[s], i, h);
    w[i] = wi;
  }
}

template <Rule R>
void launchAll(const Ctx& c, const OptimizerSlot* slots, int count, const Hyper& h, const char* name) {
  for (int first = 0; first < count; first += kMaxSlots) {
    SlotTable t{};
    int64_t chunks = 0;
    for (int k = 0; k < kMaxSlots && first + k < count; ++k) {
      const OptimizerSlot& o = slots[first + k];
      if (o.size <= 0) continue;
      t.p[t.count] = o.param;
      t.g[t.count] = o.grad;
      t.s1[t.count] = o.s1;
      t.s2[t.count] = o.s2;
      t.size[t.count] = o.size;
      t.firstChunk[t.count] = chunks;
      chunks += (o.size + kChunk - 1) / kChunk;
      ++t.count;
    }
    if (t.count == 0) continue;
    t.firstChunk[t.count] = chunks;
    multiTensorKernel<R><<<unsigned(chunks), kThreads, 0, c.stream>>>(t, h);
    checkLaunch(name);
  }
}

}  // namespace

void sgdUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float momentum,
               bool nesterov) {
  Hyper h{lr, momentum, 0.f, 0.f, 0.f, 1.f};
  // Velocities are all present or all absent (the binding passes null for plain SGD).
  bool hasVelocity = count > 0 && slots[0].s1 != nullptr;
  if (!hasVelocity) launchAll<Rule::Sgd>(c, slots, count, h, "sgdUpdate");
  else if (nesterov) launchAll<Rule::SgdNesterov>(c, slots, count, h, "sgdUpdate");
  else launchAll<Rule::SgdMomentum>(c, slots, count, h, "sgdUpdate");
}

void rmspropUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float rho, float eps) {
  launchAll<Rule::Rmsprop>(c, slots, count, Hyper{lr, rho, 0.f, eps, 0.f, 1.f}, "rmspropUpdate");
}

void adamUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float beta1,
                float beta2, float eps, int64_t step, float weightDecay) {
  // Keras: alpha = lr·sqrt(1 − β2^t)/(1 − β1^t), in double on the host as the CPU backend.
  double b1t = std::pow(double(beta1), double(step)), b2t = std::pow(double(beta2), double(step));
  float alpha = float(double(lr) * std::sqrt(1.0 - b2t) / (1.0 - b1t));
  float decay = weightDecay > 0.f ? 1.f - weightDecay * lr : 1.f;
  launchAll<Rule::Adam>(c, slots, count, Hyper{lr, beta1, beta2, eps, alpha, decay}, "adamUpdate");
}

void adagradUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float eps) {
  launchAll<Rule::Adagrad>(c, slots, count, Hyper{lr, 0.f, 0.f, eps, 0.f, 1.f}, "adagradUpdate");
}

}  // namespace tsdl::cuda
