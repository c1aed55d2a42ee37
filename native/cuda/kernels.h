// The CUDA kernels' launchers, one file per family with the same names as native/cpu
// (elementwise.cu, random.cu, gemm.cu, gemm_tensorcore.cu, reduce.cu, softmax.cu, indexing.cu,
// optimizers.cu, conv.cu, pooling.cu); backend.cu routes the Backend table to them. Every launcher only queues work
// on ctx.stream: none waits for the device.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common.cuh"

namespace tsdl::cuda {

// ---- precision of matmul (see README.md: "Precision") ----
enum class Precision : int32_t { FP32 = 0, TF32 = 1, BF16 = 2 };
const char* precisionName(Precision p);

void fill(const Ctx& c, void* dst, DType dt, double value, int64_t count);
void cast(const Ctx& c, const void* src, DType srcType, void* dst, DType dstType, int64_t count);
void unary(const Ctx& c, UnaryOp op, const float* x, float* out, int64_t n, float alpha);
void unaryGrad(const Ctx& c, UnaryOp op, const float* saved, const float* dy, float* dx, int64_t n,
               float alpha);
void binary(const Ctx& c, BinaryOp op, DType inType, const void* a, const Shape& aShape,
            const void* b, const Shape& bShape, DType outType, void* out, const Shape& outShape);
void binaryScalar(const Ctx& c, BinaryOp op, DType inType, const void* a, double s, DType outType,
                  void* out, int64_t n, bool scalarFirst);
void where(const Ctx& c, const uint8_t* cond, DType dt, const void* a, const void* b, void* out,
           int64_t n);

void random(const Ctx& c, RandomKind kind, float* out, int64_t count, uint64_t seed,
            uint64_t offset, float a, float b);

// C = alpha·op(A)·op(B) + beta·C (+ bias, activation): the SIMT kernels of gemm.cu for FP32,
// the tensor-core kernels of gemm_tensorcore.cu for TF32 and BF16.
void matmul(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& args,
            Precision p);
void matmulSimt(const Ctx& c, const float* a, const float* b, float* out, const MatmulArgs& args);
void matmulTensorCore(const Ctx& c, const float* a, const float* b, float* out,
                      const MatmulArgs& args, Precision p);

// Convolution (conv.cu: im2col + the GEMM above, at precision p) and pooling (pooling.cu).
void conv2d(const Ctx& c, const float* x, const float* w, float* y, const Conv2dArgs& a, Precision p);
void conv2dInputGrad(const Ctx& c, const float* dy, const float* w, float* dx, const Conv2dArgs& a, Precision p);
void conv2dKernelGrad(const Ctx& c, const float* x, const float* dy, float* dw, const Conv2dArgs& a, Precision p);
void pool2d(const Ctx& c, PoolOp op, const float* x, float* y, int32_t* argmax, const Pool2dArgs& a);
void pool2dGrad(const Ctx& c, PoolOp op, const float* dy, const int32_t* argmax, float* dx, const Pool2dArgs& a);

void transpose(const Ctx& c, const void* x, size_t elemSize, const Shape& shape, const int* perm,
               void* out);
// `srcRows` bounds the indices (rows in x); an index outside [0, srcRows) gives a zero row.
void gather(const Ctx& c, const void* x, size_t elemSize, int64_t rowSize, int64_t srcRows,
            const int32_t* indices, int64_t count, void* out);
void oneHot(const Ctx& c, const int32_t* indices, int64_t count, int64_t depth, float* out);

void reduce(const Ctx& c, ReduceOp op, const float* x, const Shape& shape, const bool* reduced,
            float* out);
void argReduce(const Ctx& c, ArgReduceOp op, const float* x, const Shape& shape, int axis,
               int32_t* out);

void softmax(const Ctx& c, const float* x, float* out, int64_t rows, int64_t cols, bool log);
void softmaxCrossEntropy(const Ctx& c, const float* logits, const void* labels, bool sparse,
                         int64_t rows, int64_t cols, float* loss, float* grad, float gradScale);

void sgdUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float momentum,
               bool nesterov);
void rmspropUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float rho,
                   float eps);
void adamUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float beta1,
                float beta2, float eps, int64_t step, float weightDecay);
void adagradUpdate(const Ctx& c, const OptimizerSlot* slots, int count, float lr, float eps);

}  // namespace tsdl::cuda
