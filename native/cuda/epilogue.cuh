// The GEMM epilogue shared by the SIMT and tensor-core kernels, in the CPU backend's order:
// v = alpha·acc + beta·C (C is not read when beta is 0), then + bias[col], then the activation.
// Fusing it saves a launch and a round trip of C through memory per dense layer.
#pragma once
#include "common.cuh"

namespace tsdl::cuda {

struct Epilogue {
  float alpha, beta;
  const float* bias;  // length n, or null
  Activation act;
};

__device__ inline float activate(float v, Activation act) {
  switch (act) {
    case Activation::Relu: return v > 0.f ? v : 0.f;
    case Activation::Sigmoid: return 1.f / (1.f + expf(-v));
    case Activation::Tanh: return tanhf(v);
    default: return v;
  }
}

__device__ inline void storeEpilogue(float* c, int64_t idx, int64_t col, float acc, const Epilogue& e) {
  float v = e.alpha * acc;
  if (e.beta != 0.f) v += e.beta * c[idx];
  if (e.bias) v += e.bias[col];
  c[idx] = activate(v, e.act);
}

}  // namespace tsdl::cuda
