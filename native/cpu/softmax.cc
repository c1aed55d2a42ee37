// Softmax / log-softmax along rows, and the fused softmax cross-entropy (loss and gradient in
// one pass over the logits). Rows are independent, so large inputs split by rows.
#include <cmath>

#include "kernels.h"
#include "threadpool.h"

namespace tsdl::cpu {
namespace {

inline float rowMax(const float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t j = 0; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

template <class F>
void forRows(int64_t rows, int64_t cols, F&& f) {
  int64_t total = rows * cols;
  int64_t grain = total >= 2 * kParallelGrain ? std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(cols, 1)) : rows;
  parallelRange(rows, grain, [&](int64_t b, int64_t e, int) {
    for (int64_t r = b; r < e; ++r) f(r);
  });
}

}  // namespace

void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    float m = rowMax(xr, cols);
    if (!std::isfinite(m)) m = 0.f;  // all -inf (or +inf/NaN): let the arithmetic show it
    float s = 0.f;
    if (log) {
      for (int64_t j = 0; j < cols; ++j) s += std::exp(xr[j] - m);
      float ls = std::log(s) + m;
      for (int64_t j = 0; j < cols; ++j) o[j] = xr[j] - ls;
    } else {
      for (int64_t j = 0; j < cols; ++j) { o[j] = std::exp(xr[j] - m); s += o[j]; }
      float inv = 1.f / s;
      for (int64_t j = 0; j < cols; ++j) o[j] *= inv;
    }
  });
}

void softmaxCrossEntropy(const float* logits, const void* labels, bool sparse, int64_t rows,
                         int64_t cols, float* loss, float* grad, float gradScale) {
  const int32_t* idx = static_cast<const int32_t*>(labels);
  const float* hot = static_cast<const float*>(labels);
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = logits + r * cols;
    float m = rowMax(xr, cols);
    if (!std::isfinite(m)) m = 0.f;
    float s = 0.f;
    for (int64_t j = 0; j < cols; ++j) s += std::exp(xr[j] - m);
    float lse = std::log(s) + m;  // log Σ exp(x)
    if (sparse) {
      loss[r] = lse - xr[idx[r]];
    } else {
      // −Σ y·log softmax(x) = Σ y·(lse − x): also right for soft labels.
      const float* y = hot + r * cols;
      float l = 0.f;
      for (int64_t j = 0; j < cols; ++j) l += y[j] * (lse - xr[j]);
      loss[r] = l;
    }
    if (grad) {
      float* g = grad + r * cols;
      if (sparse) {
        for (int64_t j = 0; j < cols; ++j) g[j] = std::exp(xr[j] - lse) * gradScale;
        g[idx[r]] -= gradScale;
      } else {
        // For soft labels the gradient is softmax·Σy − y; Σy = 1 for one-hot rows.
        const float* y = hot + r * cols;
        float sy = 0.f;
        for (int64_t j = 0; j < cols; ++j) sy += y[j];
        for (int64_t j = 0; j < cols; ++j) g[j] = (std::exp(xr[j] - lse) * sy - y[j]) * gradScale;
      }
    }
  });
}

}  // namespace tsdl::cpu
