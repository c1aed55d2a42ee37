// Names of the element-wise, reduction and activation ops, and the lookup from the names the
// runtime uses (runtime/backend/backend.ts) to these enums. A kernel is found by its op's name:
// the binding parses the string once, and every backend switches on the same enum.
#pragma once
#include <cstdint>
#include <cstring>

namespace tsdl {

enum class UnaryOp : int32_t {
  Neg, Abs, Exp, Log, Sqrt, Rsqrt, Square, Sign, Relu, Sigmoid, Tanh, Elu, Selu, Gelu, LeakyRelu,
  Softplus, Relu6, Count
};
inline const char* const kUnaryNames[] = {
  "neg", "abs", "exp", "log", "sqrt", "rsqrt", "square", "sign", "relu", "sigmoid", "tanh", "elu",
  "selu", "gelu", "leaky_relu", "softplus", "relu6"};

enum class BinaryOp : int32_t {
  Add, Sub, Mul, Div, Pow, Maximum, Minimum, Equal, NotEqual, Less, LessEqual, Greater,
  GreaterEqual, Count
};
inline const char* const kBinaryNames[] = {
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal", "not_equal", "less",
  "less_equal", "greater", "greater_equal"};
inline bool isComparison(BinaryOp op) { return op >= BinaryOp::Equal; }

enum class ReduceOp : int32_t { Sum, Mean, Max, Min, Count };
inline const char* const kReduceNames[] = {"sum", "mean", "max", "min"};

enum class ArgReduceOp : int32_t { Argmax, Argmin, Count };
inline const char* const kArgReduceNames[] = {"argmax", "argmin"};

enum class Activation : int32_t { Linear, Relu, Sigmoid, Tanh, Count };
inline const char* const kActivationNames[] = {"linear", "relu", "sigmoid", "tanh"};

enum class PoolOp : int32_t { Max, Avg, Count };
inline const char* const kPoolNames[] = {"max", "avg"};

enum class RandomKind : int32_t { Uniform, Normal, TruncatedNormal };

// Finds `name` in a table of names; -1 when absent.
template <size_t N>
inline int findName(const char* const (&names)[N], const char* name) {
  for (size_t i = 0; i < N; ++i)
    if (std::strcmp(names[i], name) == 0) return static_cast<int>(i);
  return -1;
}

}  // namespace tsdl
