// Picks, once per process, which instruction sets the CPU kernels use. The element-wise kernels
// run their AVX2+FMA build when the CPU has both (and TSDL_CPU_ISA is not "baseline"), else the
// baseline x86-64 one; the GEMM also has an AVX-512 micro-kernel (gemm.cc asks useAvx512()).
// The same source files are compiled twice for this (native/CMakeLists.txt), so nothing but
// the compiler flags differs, and the addon still runs on any x86-64.
#include <cstdlib>
#include <cstring>

#include "kernels.h"

namespace tsdl::cpu {

namespace {
enum class Isa { Baseline, Avx2, Avx512 };

// TSDL_CPU_ISA caps what is used: "baseline" (portable kernels), "avx2" (no AVX-512 GEMM);
// anything else, or unset, takes the best the CPU has.
Isa detect() {
  const char* s = std::getenv("TSDL_CPU_ISA");
  if (s && std::strcmp(s, "baseline") == 0) return Isa::Baseline;
#if defined(TSDL_HAVE_AVX2_BUILD) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return Isa::Baseline;
#if defined(TSDL_HAVE_AVX512_BUILD)
  // libgcc's check also asks the OS (XGETBV) whether it saves the zmm registers.
  if (!(s && std::strcmp(s, "avx2") == 0) && __builtin_cpu_supports("avx512f")) return Isa::Avx512;
#endif
  return Isa::Avx2;
#else
  return Isa::Baseline;
#endif
}

Isa isa() {
  static const Isa v = detect();
  return v;
}
}  // namespace

bool useAvx2() { return isa() != Isa::Baseline; }
bool useAvx512() { return isa() == Isa::Avx512; }
const char* isaName() { return useAvx2() ? "AVX2+FMA" : "baseline"; }

#if defined(TSDL_HAVE_AVX2_BUILD)
#define TSDL_DISPATCH(NAME, ...) return useAvx2() ? avx2::NAME(__VA_ARGS__) : base::NAME(__VA_ARGS__)
#else
#define TSDL_DISPATCH(NAME, ...) return base::NAME(__VA_ARGS__)
#endif

void fill(void* dst, DType dt, double value, int64_t count) { TSDL_DISPATCH(fill, dst, dt, value, count); }
void cast(const void* src, DType st, void* dst, DType dt, int64_t n) { TSDL_DISPATCH(cast, src, st, dst, dt, n); }
void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) { TSDL_DISPATCH(unary, op, x, out, n, alpha); }
void unaryGrad(UnaryOp op, const float* s, const float* dy, float* dx, int64_t n, float alpha) {
  TSDL_DISPATCH(unaryGrad, op, s, dy, dx, n, alpha);
}
void binary(BinaryOp op, DType it, const void* a, const Shape& as, const void* b, const Shape& bs, DType ot,
            void* out, const Shape& os) {
  TSDL_DISPATCH(binary, op, it, a, as, b, bs, ot, out, os);
}
void binaryScalar(BinaryOp op, DType it, const void* a, double s, DType ot, void* out, int64_t n, bool first) {
  TSDL_DISPATCH(binaryScalar, op, it, a, s, ot, out, n, first);
}
void where(const uint8_t* c, DType dt, const void* a, const void* b, void* out, int64_t n) {
  TSDL_DISPATCH(where, c, dt, a, b, out, n);
}
void transpose(const void* x, size_t es, const Shape& s, const int* perm, void* out) {
  TSDL_DISPATCH(transpose, x, es, s, perm, out);
}
void gather(const void* x, size_t es, int64_t rs, const int32_t* idx, int64_t n, void* out) {
  TSDL_DISPATCH(gather, x, es, rs, idx, n, out);
}
void oneHot(const int32_t* idx, int64_t n, int64_t depth, float* out) { TSDL_DISPATCH(oneHot, idx, n, depth, out); }
void reduce(ReduceOp op, const float* x, const Shape& s, const bool* red, float* out) {
  TSDL_DISPATCH(reduce, op, x, s, red, out);
}
void argReduce(ArgReduceOp op, const float* x, const Shape& s, int axis, int32_t* out) {
  TSDL_DISPATCH(argReduce, op, x, s, axis, out);
}
void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  TSDL_DISPATCH(softmax, x, out, rows, cols, log);
}
void softmaxCrossEntropy(const float* l, const void* y, bool sparse, int64_t rows, int64_t cols, float* loss,
                         float* grad, float scale) {
  TSDL_DISPATCH(softmaxCrossEntropy, l, y, sparse, rows, cols, loss, grad, scale);
}
void sgdUpdate(const OptimizerSlot* s, int n, float lr, float mom, bool nest) { TSDL_DISPATCH(sgdUpdate, s, n, lr, mom, nest); }
void rmspropUpdate(const OptimizerSlot* s, int n, float lr, float rho, float eps) {
  TSDL_DISPATCH(rmspropUpdate, s, n, lr, rho, eps);
}
void adamUpdate(const OptimizerSlot* s, int n, float lr, float b1, float b2, float eps, int64_t step, float wd) {
  TSDL_DISPATCH(adamUpdate, s, n, lr, b1, b2, eps, step, wd);
}
void adagradUpdate(const OptimizerSlot* s, int n, float lr, float eps) { TSDL_DISPATCH(adagradUpdate, s, n, lr, eps); }
void conv2d(const float* x, const float* w, float* y, const Conv2dArgs& a) { TSDL_DISPATCH(conv2d, x, w, y, a); }
void conv2dInputGrad(const float* dy, const float* w, float* dx, const Conv2dArgs& a) {
  TSDL_DISPATCH(conv2dInputGrad, dy, w, dx, a);
}
void conv2dKernelGrad(const float* x, const float* dy, float* dw, const Conv2dArgs& a) {
  TSDL_DISPATCH(conv2dKernelGrad, x, dy, dw, a);
}
void pool2d(PoolOp op, const float* x, float* y, int32_t* arg, const Pool2dArgs& a) { TSDL_DISPATCH(pool2d, op, x, y, arg, a); }
void pool2dGrad(PoolOp op, const float* dy, const int32_t* arg, float* dx, const Pool2dArgs& a) {
  TSDL_DISPATCH(pool2dGrad, op, dy, arg, dx, a);
}

}  // namespace tsdl::cpu
