// Softmax / log-softmax along rows, and the fused softmax cross-entropy (loss and gradient in
// one pass over the logits). Rows are independent, so large inputs split by rows.
#include <cmath>

#include "kernels.h"
#include "vmath.h"
#include "threadpool.h"

// Compiled twice (see native/CMakeLists.txt): TSDL_ISA is `base` (any x86-64) or `avx2`.
namespace tsdl::cpu::TSDL_ISA {
namespace {

// Row reductions in 16 independent lanes: without -ffast-math the compiler may not reorder
// a single running sum or max, so the lanes are what lets it use SIMD (and the rounding stays
// independent of the thread count).
constexpr int kLanes = 16;

inline float rowMax(const float* x, int64_t n) {
  float lane[kLanes];
  for (int l = 0; l < kLanes; ++l) lane[l] = -INFINITY;
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] = x[j + l] > lane[l] ? x[j + l] : lane[l];
  float m = -INFINITY;
  for (int l = 0; l < kLanes; ++l) m = lane[l] > m ? lane[l] : m;
  for (; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

inline float rowSum(const float* x, int64_t n) {
  float lane[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] += x[j + l];
  float s = 0.f;
  for (int l = 0; l < kLanes; ++l) s += lane[l];
  for (; j < n; ++j) s += x[j];
  return s;
}

// Σ exp(x − m), without storing the exponentials.
inline float rowSumExp(const float* x, int64_t n, float m) {
  float lane[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] += vexp(x[j + l] - m);
  float s = 0.f;
  for (int l = 0; l < kLanes; ++l) s += lane[l];
  for (; j < n; ++j) s += vexp(x[j] - m);
  return s;
}

template <class F>
void forRows(int64_t rows, int64_t cols, F&& f) {
  int64_t total = rows * cols;
  int64_t grain = total >= 2 * kParallelGrain ? std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(cols, 1)) : rows;
  parallelRange(rows, grain, [&](int64_t b, int64_t e, int) {
    for (int64_t r = b; r < e; ++r) f(r);
  });
}

// One row each; plain-argument functions so the loops vectorize (see optimizers.cc).
__attribute__((noinline)) void softmaxRow(const float* xr, float* o, int64_t cols, bool log) {
  float m = rowMax(xr, cols);
  if (!std::isfinite(m)) m = 0.f;  // all -inf (or +inf/NaN): let the arithmetic show it
  if (log) {
    float ls = std::log(rowSumExp(xr, cols, m)) + m;
    for (int64_t j = 0; j < cols; ++j) o[j] = xr[j] - ls;
  } else {
    for (int64_t j = 0; j < cols; ++j) o[j] = vexp(xr[j] - m);
    float inv = 1.f / rowSum(o, cols);
    for (int64_t j = 0; j < cols; ++j) o[j] *= inv;
  }
}

// Loss of one row and, when g is given, its gradient (softmax − y)·scale. `label` is the class
// index (sparse) or -1 with `y` the one-hot / soft label row.
__attribute__((noinline)) float crossEntropyRow(const float* xr, int64_t cols, int32_t label, const float* y,
                                                float* g, float scale) {
  float m = rowMax(xr, cols);
  if (!std::isfinite(m)) m = 0.f;
  float lse = std::log(rowSumExp(xr, cols, m)) + m;  // log Σ exp(x)
  float loss;
  if (label >= 0) {
    loss = lse - xr[label];
  } else {
    // −Σ y·log softmax(x) = Σ y·(lse − x): also right for soft labels.
    float l = 0.f;
    for (int64_t j = 0; j < cols; ++j) l += y[j] * (lse - xr[j]);
    loss = l;
  }
  if (g) {
    if (label >= 0) {
      for (int64_t j = 0; j < cols; ++j) g[j] = vexp(xr[j] - lse) * scale;
      g[label] -= scale;
    } else {
      // For soft labels the gradient is softmax·Σy − y; Σy = 1 for one-hot rows.
      float sy = rowSum(y, cols);
      for (int64_t j = 0; j < cols; ++j) g[j] = (vexp(xr[j] - lse) * sy - y[j]) * scale;
    }
  }
  return loss;
}

}  // namespace

void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  forRows(rows, cols, [=](int64_t r) { softmaxRow(x + r * cols, out + r * cols, cols, log); });
}

void softmaxCrossEntropy(const float* logits, const void* labels, bool sparse, int64_t rows,
                         int64_t cols, float* loss, float* grad, float gradScale) {
  const int32_t* idx = static_cast<const int32_t*>(labels);
  const float* hot = static_cast<const float*>(labels);
  forRows(rows, cols, [=](int64_t r) {
    loss[r] = crossEntropyRow(logits + r * cols, cols, sparse ? idx[r] : -1, sparse ? nullptr : hot + r * cols,
                              grad ? grad + r * cols : nullptr, gradScale);
  });
}

}  // namespace tsdl::cpu::TSDL_ISA
