// The C++ seam every backend implements: a table of kernels (one virtual per kernel of
// runtime/backend/backend.ts). The binding validates every argument (dtypes, sizes, shapes,
// ranges) against the buffers BEFORE calling here, so a backend may assume its inputs are
// consistent; pointers are the backend's own memory (host for cpu, device for cuda).
//
// The CUDA backend is a separate shared library (native/cuda, loaded with dlopen by
// core/registry.cc) that returns one of these from `tsdl_create_cuda_backend`; a machine
// without a GPU or without the library still runs everything on the CPU.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "dtype.h"
#include "ops.h"

namespace tsdl {

// A view of shape dims, at most kMaxDims (the binding rejects more).
constexpr int kMaxDims = 8;
struct Shape {
  int ndim = 0;
  int64_t dims[kMaxDims] = {};
  int64_t size() const {
    int64_t s = 1;
    for (int i = 0; i < ndim; ++i) s *= dims[i];
    return s;
  }
};

struct MatmulArgs {
  int64_t m = 0, n = 0, k = 0;
  bool transA = false, transB = false;
  int64_t batch = 1;
  int64_t strideA = 0, strideB = 0, strideC = 0;  // elements; 0 broadcasts one matrix
  float alpha = 1.f, beta = 0.f;
  const float* bias = nullptr;  // length n, or null
  Activation act = Activation::Linear;
};

// The geometry of a 2-D convolution, channels-last: x [batch, inH, inW, inC], kernel
// [kh, kw, inC, outC] (Keras's layout, i.e. a K×outC matrix with K = kh·kw·inC), y [batch, outH,
// outW, outC]. Output (oy, ox) reads input rows oy·strideH − padTop + i·dilH (i < kh), likewise
// for columns; taps outside the input read zeros. The caller chooses outH/outW and the padding
// (Keras's "valid"/"same" arithmetic lives in runtime/ops/conv.ts); any positive geometry is
// safe, because every tap is bounds-checked against the input.
struct Conv2dArgs {
  int64_t batch = 0, inH = 0, inW = 0, inC = 0;
  int64_t outH = 0, outW = 0, outC = 0;
  int64_t kh = 0, kw = 0;
  int64_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  int64_t padTop = 0, padLeft = 0;
  // Forward only: a length-outC bias added to every output, then an activation (as matmul's).
  const float* bias = nullptr;
  Activation act = Activation::Linear;
  int64_t patchSize() const { return kh * kw * inC; }
  int64_t outRows() const { return batch * outH * outW; }
};

// The geometry of 2-D pooling, channels-last: x [batch, inH, inW, channels] → y [batch, outH,
// outW, channels]; window (oy, ox) covers rows oy·strideH − padTop + i (i < poolH), likewise for
// columns; cells outside the input are not part of the window (max ignores them, avg divides by
// the count of cells inside, as Keras's "same" average pooling does).
struct Pool2dArgs {
  int64_t batch = 0, inH = 0, inW = 0, channels = 0;
  int64_t outH = 0, outW = 0;
  int64_t poolH = 0, poolW = 0;
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padLeft = 0;
};

// One tensor of a multi-tensor optimizer update: parameter, gradient and up to two slots.
struct OptimizerSlot {
  float* param;
  const float* grad;
  float* s1;  // velocity / v / accumulator / m
  float* s2;  // Adam's v
  int64_t size;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;         // "cpu" | "cuda"
  virtual std::string device() const = 0;       // "cpu" | "cuda:0"
  virtual std::string description() const = 0;  // what a person reads

  // ---- memory ----
  virtual void* alloc(size_t bytes) = 0;  // null when out of memory
  virtual void free(void* p) = 0;
  virtual void upload(void* dst, const void* hostSrc, size_t bytes) = 0;
  virtual void download(void* hostDst, const void* src, size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, size_t bytes) = 0;
  virtual void fill(void* dst, DType dt, double value, int64_t count) = 0;
  virtual void cast(const void* src, DType srcType, void* dst, DType dstType, int64_t count) = 0;
  virtual void synchronize() = 0;

  // ---- random (counter-based Philox4x32-10, see cpu/random.cc for the exact mapping) ----
  virtual void random(RandomKind kind, float* out, int64_t count, uint64_t seed, uint64_t offset,
                      float a, float b) = 0;

  // ---- element-wise ----
  virtual void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) = 0;
  virtual void unaryGrad(UnaryOp op, const float* saved, const float* dy, float* dx, int64_t n,
                         float alpha) = 0;
  // a, b and out share `inType` for arithmetic; comparisons write `outType` (bool or float32).
  // Shapes are already broadcast-compatible and have out.ndim dims (left-padded with 1s).
  virtual void binary(BinaryOp op, DType inType, const void* a, const Shape& aShape, const void* b,
                      const Shape& bShape, DType outType, void* out, const Shape& outShape) = 0;
  virtual void binaryScalar(BinaryOp op, DType inType, const void* a, double s, DType outType,
                            void* out, int64_t n, bool scalarFirst) = 0;
  virtual void where(const uint8_t* cond, DType dt, const void* a, const void* b, void* out,
                     int64_t n) = 0;

  // ---- linear algebra ----
  virtual void matmul(const float* a, const float* b, float* c, const MatmulArgs& args) = 0;
  virtual void transpose(const void* x, size_t elemSize, const Shape& shape, const int* perm,
                         void* out) = 0;

  // ---- convolution and pooling (cpu/conv.cc, cpu/pool.cc; cuda/conv.cu, cuda/pooling.cu) ----
  // y = act(conv(x, w) + bias).
  virtual void conv2d(const float* x, const float* w, float* y, const Conv2dArgs& args) = 0;
  // dx = the gradient of conv(x, w) with respect to x, given dy (written, not accumulated).
  virtual void conv2dInputGrad(const float* dy, const float* w, float* dx, const Conv2dArgs& args) = 0;
  // dw = Σ over the batch of the gradient with respect to w (written, not accumulated).
  virtual void conv2dKernelGrad(const float* x, const float* dy, float* dw, const Conv2dArgs& args) = 0;
  // y = the max or mean over each window; for max, `argmax` (null allowed) receives the index
  // i·poolW + j of the window cell that won (the first one on ties), for the backward.
  virtual void pool2d(PoolOp op, const float* x, float* y, int32_t* argmax, const Pool2dArgs& args) = 0;
  // dx = the gradient of pool2d with respect to x (written, not accumulated). Max needs the
  // forward's `argmax`; an index outside the window or on padding is skipped (never a bad write).
  virtual void pool2dGrad(PoolOp op, const float* dy, const int32_t* argmax, float* dx,
                          const Pool2dArgs& args) = 0;

  // ---- reductions ----
  // `reduced[i]` says whether axis i is reduced; out holds the kept dims in order.
  virtual void reduce(ReduceOp op, const float* x, const Shape& shape, const bool* reduced,
                      float* out) = 0;
  virtual void argReduce(ArgReduceOp op, const float* x, const Shape& shape, int axis,
                         int32_t* out) = 0;

  // ---- softmax and losses ----
  virtual void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) = 0;
  // labels: int32 class indices (sparse, validated in range) or float32 rows (one-hot).
  virtual void softmaxCrossEntropy(const float* logits, const void* labels, bool sparse,
                                   int64_t rows, int64_t cols, float* loss, float* grad,
                                   float gradScale) = 0;

  // ---- indexing ----
  // Rows indices[i] of x (srcRows rows of rowSize elements) into out. The binding checks indices
  // against srcRows on the host; a device backend, which cannot read them there, bounds each one
  // by srcRows itself (an index outside gives a zero row, never a read past x).
  virtual void gather(const void* x, size_t elemSize, int64_t rowSize, int64_t srcRows,
                      const int32_t* indices, int64_t count, void* out) = 0;
  virtual void oneHot(const int32_t* indices, int64_t count, int64_t depth, float* out) = 0;

  // ---- optimizers (fused, in place, many tensors per call) ----
  virtual void sgdUpdate(const OptimizerSlot* slots, int count, float lr, float momentum,
                         bool nesterov) = 0;
  virtual void rmspropUpdate(const OptimizerSlot* slots, int count, float lr, float rho,
                             float eps) = 0;
  virtual void adamUpdate(const OptimizerSlot* slots, int count, float lr, float beta1,
                          float beta2, float eps, int64_t step, float weightDecay) = 0;
  virtual void adagradUpdate(const OptimizerSlot* slots, int count, float lr, float eps) = 0;
};

}  // namespace tsdl
