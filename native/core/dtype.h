// Element types shared by every backend. The numeric codes are part of the C seam (the CUDA
// library sees the same enum), so they never change meaning.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tsdl {

enum class DType : int32_t { Float32 = 0, Int32 = 1, Uint8 = 2, Bool = 3 };

inline size_t dtypeSize(DType d) {
  switch (d) {
    case DType::Float32:
    case DType::Int32: return 4;
    case DType::Uint8:
    case DType::Bool: return 1;
  }
  return 0;
}

inline const char* dtypeName(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Int32: return "int32";
    case DType::Uint8: return "uint8";
    case DType::Bool: return "bool";
  }
  return "?";
}

// Returns false when the name is not a dtype (the binding turns that into a JS error).
inline bool parseDType(const std::string& s, DType* out) {
  if (s == "float32") { *out = DType::Float32; return true; }
  if (s == "int32") { *out = DType::Int32; return true; }
  if (s == "uint8") { *out = DType::Uint8; return true; }
  if (s == "bool") { *out = DType::Bool; return true; }
  return false;
}

}  // namespace tsdl
