#pragma once
#include <cstdint>
#include <cstring>
struct __nv_bfloat16 {
  uint16_t v;
  operator float() const { uint32_t b = uint32_t(v) << 16; float f; std::memcpy(&f, &b, 4); return f; }
};
inline __nv_bfloat16 __float2bfloat16_rn(float f) {
  uint32_t b; std::memcpy(&b, &f, 4);
  uint32_t lsb = (b >> 16) & 1u;
  b += 0x7fffu + lsb;  // round to nearest even (finite inputs)
  return __nv_bfloat16{uint16_t(b >> 16)};
}
