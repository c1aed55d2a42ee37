// The CPU kernels, one file per family (elementwise.cc, random.cc, gemm.cc, reduce.cc,
// softmax.cc, indexing.cc, optimizers.cc); cpu/backend.cc routes the Backend table to them.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../core/backend.h"

namespace tsdl::cpu {

// Element-wise work goes parallel only above this many elements: below it, waking the pool
// costs more than the loop (a 128×512 activation is 65,536 elements ≈ 10 µs single-threaded).
constexpr int64_t kParallelGrain = 1 << 15;

void fill(void* dst, DType dt, double value, int64_t count);
void cast(const void* src, DType srcType, void* dst, DType dstType, int64_t count);
void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha);
void unaryGrad(UnaryOp op, const float* saved, const float* dy, float* dx, int64_t n, float alpha);
void binary(BinaryOp op, DType inType, const void* a, const Shape& aShape, const void* b,
            const Shape& bShape, DType outType, void* out, const Shape& outShape);
void binaryScalar(BinaryOp op, DType inType, const void* a, double s, DType outType, void* out,
                  int64_t n, bool scalarFirst);
void where(const uint8_t* cond, DType dt, const void* a, const void* b, void* out, int64_t n);

void random(RandomKind kind, float* out, int64_t count, uint64_t seed, uint64_t offset, float a,
            float b);

void matmul(const float* a, const float* b, float* c, const MatmulArgs& args);
const char* gemmKernelName();  // "avx2+fma 6x16" or "portable 6x16"

void transpose(const void* x, size_t elemSize, const Shape& shape, const int* perm, void* out);
void gather(const void* x, size_t elemSize, int64_t rowSize, const int32_t* indices,
            int64_t count, void* out);
void oneHot(const int32_t* indices, int64_t count, int64_t depth, float* out);

void reduce(ReduceOp op, const float* x, const Shape& shape, const bool* reduced, float* out);
void argReduce(ArgReduceOp op, const float* x, const Shape& shape, int axis, int32_t* out);

void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log);
void softmaxCrossEntropy(const float* logits, const void* labels, bool sparse, int64_t rows,
                         int64_t cols, float* loss, float* grad, float gradScale);

void sgdUpdate(const OptimizerSlot* slots, int count, float lr, float momentum, bool nesterov);
void rmspropUpdate(const OptimizerSlot* slots, int count, float lr, float rho, float eps);
void adamUpdate(const OptimizerSlot* slots, int count, float lr, float beta1, float beta2,
                float eps, int64_t step, float weightDecay);
void adagradUpdate(const OptimizerSlot* slots, int count, float lr, float eps);

}  // namespace tsdl::cpu
