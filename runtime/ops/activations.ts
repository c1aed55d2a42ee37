/**
 * Activation functions, element-wise, float32: relu, relu6, sigmoid, tanh, elu, selu, gelu,
 * leakyRelu, softplus. Forward by the backend's `unary`, backward by its `unaryGrad` (from the
 * saved output for relu/relu6/sigmoid/tanh/elu/selu, from the input for the rest).
 * softmax and logSoftmax are in softmax.ts.
 */
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { unaryOp } from "./unary.js";

/** max(x, 0); gradient 1 where x > 0. @example relu(tensor([-1, 2])) // [0, 2] */
export function relu(x: TensorLike): Tensor { return unaryOp("relu", "relu", x); }
/** min(max(x, 0), 6). @example relu6(tensor([-1, 3, 9])) // [0, 3, 6] */
export function relu6(x: TensorLike): Tensor { return unaryOp("relu6", "relu6", x); }
/** 1 / (1 + e⁻ˣ); gradient y(1 − y). @example sigmoid(tensor([0])) // [0.5] */
export function sigmoid(x: TensorLike): Tensor { return unaryOp("sigmoid", "sigmoid", x); }
/** Hyperbolic tangent; gradient 1 − y². @example tanh(tensor([0])) // [0] */
export function tanh(x: TensorLike): Tensor { return unaryOp("tanh", "tanh", x); }
/** x for x > 0, alpha·(eˣ − 1) otherwise (alpha default 1). @example elu(tensor([-1, 1])) */
export function elu(x: TensorLike, alpha = 1): Tensor { return unaryOp("elu", "elu", x, alpha); }
/** Scaled ELU with Keras's constants. @example selu(tensor([-1, 1])) */
export function selu(x: TensorLike): Tensor { return unaryOp("selu", "selu", x); }
/** Gaussian error linear unit, exact: x·Φ(x) = ½x(1 + erf(x/√2)), Keras's default (approximate=False). @example gelu(tensor([1])) */
export function gelu(x: TensorLike): Tensor { return unaryOp("gelu", "gelu", x); }
/** x for x > 0, alpha·x otherwise (alpha default 0.2, as keras.activations.leaky_relu). @example leakyRelu(tensor([-1, 1])) // [-0.2, 1] */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor { return unaryOp("leakyRelu", "leaky_relu", x, alpha); }
/** ln(1 + eˣ); gradient sigmoid(x). @example softplus(tensor([0])) // [0.6931472] */
export function softplus(x: TensorLike): Tensor { return unaryOp("softplus", "softplus", x); }
