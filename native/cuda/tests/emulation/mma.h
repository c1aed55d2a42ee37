// WMMA emulation: every lane holds the whole tile; collective loads/mma are done by every lane
// independently (same result), stores only by lane 0.
#pragma once
#include <cstring>
#include "cuda_bf16.h"
#include "cuda_runtime.h"
namespace nvcuda::wmma {
struct matrix_a {}; struct matrix_b {}; struct accumulator {};
struct row_major {}; struct col_major {};
namespace precision { struct tf32 {}; }
enum layout_t { mem_row_major };
template <class T> struct storage { using type = T; };
template <> struct storage<precision::tf32> { using type = float; };
template <class Use, int M, int N, int K> struct dims;
template <int M, int N, int K> struct dims<matrix_a, M, N, K> { static constexpr int r = M, c = K; };
template <int M, int N, int K> struct dims<matrix_b, M, N, K> { static constexpr int r = K, c = N; };
template <int M, int N, int K> struct dims<accumulator, M, N, K> { static constexpr int r = M, c = N; };
template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  static constexpr int R = dims<Use, M, N, K>::r, C = dims<Use, M, N, K>::c;
  static constexpr int num_elements = R * C;
  typename storage<T>::type x[R * C];
};
template <class F, class V> void fill_fragment(F& f, V v) { for (auto& e : f.x) e = v; }
template <class F, class P> void load_matrix_sync(F& f, const P* p, unsigned ldm) {
  for (int r = 0; r < F::R; ++r) for (int c = 0; c < F::C; ++c) f.x[r * F::C + c] = p[r * ldm + c];
}
template <class D, class A, class B, class C> void mma_sync(D& d, const A& a, const B& b, const C& c) {
  float out[D::R * D::C];
  for (int i = 0; i < D::R; ++i) for (int j = 0; j < D::C; ++j) {
    float s = c.x[i * D::C + j];
    for (int k = 0; k < A::C; ++k) s += float(a.x[i * A::C + k]) * float(b.x[k * B::C + j]);
    out[i * D::C + j] = s;
  }
  std::memcpy(d.x, out, sizeof out);
}
template <class F> void store_matrix_sync(float* p, const F& f, unsigned ldm, layout_t) {
  if (threadIdx.x % 32 != 0) return;
  for (int r = 0; r < F::R; ++r) for (int c = 0; c < F::C; ++c) p[r * ldm + c] = f.x[r * F::C + c];
}
inline float __float_to_tf32(float f) {
  uint32_t b; std::memcpy(&b, &f, 4);
  b = (b + 0x1000u) & 0xffffe000u;  // round to nearest, ties away (cvt.rna.tf32.f32)
  std::memcpy(&f, &b, 4);
  return f;
}
}  // namespace nvcuda::wmma
