// The chapter's training step (784 → Dense(512, relu) → Dense(10, softmax), rmsprop, batch 128)
// written directly against the CUDA backend, to measure what the backend alone can do per epoch
// (469 steps), with no runtime in between: eagerly (one call per kernel, no host wait per step)
// and as a CUDA graph replayed once per step. This is the floor that `fit` can approach; issue 9
// asks < 50 ms per epoch from fit, 20 ms as the stretch.
//
// Usage: bench_mnist_step [--epochs N] [--steps N] [--samples N] [--check]. Without a GPU:
// "no GPU: <reason>", exit 1. --check exits 1 unless the loss fell in both modes (ctest runs it
// that way on the host emulation: a whole step, captured and replayed, must train).
// The data are synthetic (a random teacher labels random images): timings do not depend on them,
// and the printed loss must fall, which shows the step really trains.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../core/backend.h"

extern "C" tsdl::Backend* tsdl_create_cuda_backend(char* why, size_t whyLen);
extern "C" int tsdl_cuda_graph_begin(char* why, size_t len);
extern "C" int tsdl_cuda_graph_end(char* why, size_t len);
extern "C" int tsdl_cuda_graph_replay(int id, char* why, size_t len);

using namespace tsdl;

namespace {

int64_t kSamples = 60000;  // --samples
constexpr int64_t kIn = 784, kHidden = 512, kClasses = 10, kBatch = 128;

struct Net {
  Backend* b;
  float *X, *Y;                      // the dataset, on the device once
  int32_t *order, *batchIdx;         // shuffled sample order; the current batch's indices
  float *W1, *b1, *W2, *b2;          // weights
  float *v[4];                       // rmsprop slots
  float *g[4];                       // gradients dW1, db1, dW2, db2
  float *xb, *yb, *h, *logits, *dlogits, *dh, *loss, *meanLoss;
  std::vector<OptimizerSlot> slots;

  float* f(int64_t n) { return static_cast<float*>(b->alloc(size_t(n) * 4)); }

  explicit Net(Backend* be) : b(be) {
    X = f(kSamples * kIn); Y = f(kSamples * kClasses);
    order = static_cast<int32_t*>(b->alloc(kSamples * 4));
    batchIdx = static_cast<int32_t*>(b->alloc(kBatch * 4));
    W1 = f(kIn * kHidden); b1 = f(kHidden); W2 = f(kHidden * kClasses); b2 = f(kClasses);
    float* params[4] = {W1, b1, W2, b2};
    int64_t sizes[4] = {kIn * kHidden, kHidden, kHidden * kClasses, kClasses};
    for (int i = 0; i < 4; ++i) {
      v[i] = f(sizes[i]); g[i] = f(sizes[i]);
      b->fill(v[i], DType::Float32, 0.0, sizes[i]);
      slots.push_back({params[i], g[i], v[i], nullptr, sizes[i]});
    }
    xb = f(kBatch * kIn); yb = f(kBatch * kClasses); h = f(kBatch * kHidden);
    logits = f(kBatch * kClasses); dlogits = f(kBatch * kClasses); dh = f(kBatch * kHidden);
    loss = f(kBatch); meanLoss = f(1);
    // Glorot-uniform weights and zero biases, as Keras's Dense, from the backend's Philox.
    float l1 = std::sqrt(6.f / float(kIn + kHidden)), l2 = std::sqrt(6.f / float(kHidden + kClasses));
    b->random(RandomKind::Uniform, W1, kIn * kHidden, 0, 0, -l1, l1);
    b->random(RandomKind::Uniform, W2, kHidden * kClasses, 0, uint64_t(kIn * kHidden), -l2, l2);
    b->fill(b1, DType::Float32, 0.0, kHidden);
    b->fill(b2, DType::Float32, 0.0, kClasses);
    upload();
  }

  void upload() {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> x(size_t(kSamples * kIn)), y(size_t(kSamples * kClasses), 0.f), teacher(size_t(kIn * kClasses));
    for (auto& t : teacher) t = u(rng) - 0.5f;
    for (int64_t s = 0; s < kSamples; ++s) {
      float best = -1e30f;
      int cls = 0;
      for (int64_t i = 0; i < kIn; ++i) x[size_t(s * kIn + i)] = u(rng) < 0.8f ? 0.f : u(rng);
      for (int c = 0; c < kClasses; ++c) {
        float z = 0.f;
        for (int64_t i = 0; i < kIn; ++i) z += x[size_t(s * kIn + i)] * teacher[size_t(i * kClasses + c)];
        if (z > best) { best = z; cls = c; }
      }
      y[size_t(s * kClasses + cls)] = 1.f;
    }
    b->upload(X, x.data(), x.size() * 4);
    b->upload(Y, y.data(), y.size() * 4);
    std::vector<int32_t> ord(kSamples);
    for (int64_t i = 0; i < kSamples; ++i) ord[size_t(i)] = int32_t(i);
    std::shuffle(ord.begin(), ord.end(), rng);
    b->upload(order, ord.data(), ord.size() * 4);
  }

  // One training step on the batch whose indices are in batchIdx (device memory, so a captured
  // graph of this step trains on whatever batch was copied there before the replay).
  void step() {
    b->gather(X, 4, kIn, kSamples, batchIdx, kBatch, xb);
    b->gather(Y, 4, kClasses, kSamples, batchIdx, kBatch, yb);
    MatmulArgs fc1;  // h = relu(xb·W1 + b1)
    fc1.m = kBatch; fc1.n = kHidden; fc1.k = kIn; fc1.bias = b1; fc1.act = Activation::Relu;
    b->matmul(xb, W1, h, fc1);
    MatmulArgs fc2;  // logits = h·W2 + b2
    fc2.m = kBatch; fc2.n = kClasses; fc2.k = kHidden; fc2.bias = b2;
    b->matmul(h, W2, logits, fc2);
    b->softmaxCrossEntropy(logits, yb, false, kBatch, kClasses, loss, dlogits, 1.f / kBatch);
    MatmulArgs dw2;  // dW2 = hᵀ·dlogits
    dw2.m = kHidden; dw2.n = kClasses; dw2.k = kBatch; dw2.transA = true;
    b->matmul(h, dlogits, g[2], dw2);
    Shape s2; s2.ndim = 2; s2.dims[0] = kBatch; s2.dims[1] = kClasses;
    bool rows[2] = {true, false};
    b->reduce(ReduceOp::Sum, dlogits, s2, rows, g[3]);  // db2
    MatmulArgs dhA;  // dh = dlogits·W2ᵀ
    dhA.m = kBatch; dhA.n = kHidden; dhA.k = kClasses; dhA.transB = true;
    b->matmul(dlogits, W2, dh, dhA);
    b->unaryGrad(UnaryOp::Relu, h, dh, dh, kBatch * kHidden, 0.f);
    MatmulArgs dw1;  // dW1 = xbᵀ·dh
    dw1.m = kIn; dw1.n = kHidden; dw1.k = kBatch; dw1.transA = true;
    b->matmul(xb, dh, g[0], dw1);
    Shape s1; s1.ndim = 2; s1.dims[0] = kBatch; s1.dims[1] = kHidden;
    b->reduce(ReduceOp::Sum, dh, s1, rows, g[1]);  // db1
    b->rmspropUpdate(slots.data(), 4, 0.001f, 0.9f, 1e-7f);
  }

  float lossNow() {
    Shape s; s.ndim = 1; s.dims[0] = kBatch;
    bool all[1] = {true};
    b->reduce(ReduceOp::Mean, loss, s, all, meanLoss);
    float v = 0.f;
    b->download(&v, meanLoss, 4);
    return v;
  }
  void selectBatch(int64_t i) { b->copy(batchIdx, order + (i * kBatch) % (kSamples - kBatch), kBatch * 4); }
};

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 3;
  int64_t steps = -1;
  bool checkLoss = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0) checkLoss = true;
    if (i + 1 >= argc) continue;
    if (std::strcmp(argv[i], "--epochs") == 0) epochs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--samples") == 0) kSamples = std::max<int64_t>(2 * kBatch, std::atoll(argv[i + 1]));
  }
  if (steps < 0) steps = (kSamples + kBatch - 1) / kBatch;  // 469 for 60,000, as Keras counts
  char why[512] = {0};
  Backend* b = tsdl_create_cuda_backend(why, sizeof why);
  if (!b) {
    std::fprintf(stderr, "no GPU: %s\n", why[0] ? why : "no CUDA device");
    return 1;
  }
  std::printf("%s; %lld steps of 128 per epoch\n", b->description().c_str(), (long long)steps);
  Net net(b);
  net.selectBatch(0);
  net.step();
  float before = net.lossNow(), afterEager = before, afterGraph = before;
  std::printf("loss before training: %.4f\n", before);

  for (int e = 0; e < epochs; ++e) {
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < steps; ++i) { net.selectBatch(i); net.step(); }
    b->synchronize();
    afterEager = net.lossNow();
    std::printf("eager  epoch %d: %8.2f ms   loss %.4f\n", e + 1, msSince(t0), afterEager);
  }

  if (tsdl_cuda_graph_begin(why, sizeof why) != 0) { std::fprintf(stderr, "graph: %s\n", why); return 1; }
  net.step();
  int graph = tsdl_cuda_graph_end(why, sizeof why);
  if (graph < 0) { std::fprintf(stderr, "graph: %s\n", why); return 1; }
  for (int e = 0; e < epochs; ++e) {
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < steps; ++i) {
      net.selectBatch(i);
      tsdl_cuda_graph_replay(graph, why, sizeof why);
    }
    b->synchronize();
    afterGraph = net.lossNow();
    std::printf("graph  epoch %d: %8.2f ms   loss %.4f\n", e + 1, msSince(t0), afterGraph);
  }
  if (checkLoss && !(afterEager < before && afterGraph < afterEager)) {
    std::printf("FAILED: the loss did not fall (%.4f, then %.4f eager, then %.4f replayed)\n", before, afterEager, afterGraph);
    return 1;
  }
  return 0;
}
