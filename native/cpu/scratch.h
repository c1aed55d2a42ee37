// Per-thread scratch buffers, grown once and reused: GEMM packing, reduce's partial rows, a
// convolution's patch matrix and its weight-gradient partial sums.
// Defined once in scratch.cc (compiled for baseline x86-64), so the files built for two
// instruction sets use them without emitting any shared template code of their own.
#pragma once
#include <cstddef>

namespace tsdl::cpu {

enum class Scratch { GemmPackA, GemmPackB, ReducePartials, ConvPatches, ConvPartials, Count };

// `floats` floats, 64-byte aligned, owned by the calling thread: valid until that thread asks
// for the same slot again. Contents are not kept when the buffer grows.
float* scratch(Scratch slot, size_t floats);

}  // namespace tsdl::cpu
