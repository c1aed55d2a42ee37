/**
 * Element-wise math: abs, exp, log, sqrt, rsqrt, square, sign. Always float32 (integer inputs
 * are converted, as NumPy does for exp/log/sqrt). Backward: dy·f'(x) by the backend's unaryGrad.
 */
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { unaryOp } from "./unary.js";

/** |x|; gradient sign(x). @example abs(tensor([1, -2])) // [1, 2] */
export function abs(x: TensorLike): Tensor { return unaryOp("abs", "abs", x); }
/** eˣ; gradient eˣ. @example exp(tensor([0, 1])) // [1, 2.7182817] */
export function exp(x: TensorLike): Tensor { return unaryOp("exp", "exp", x); }
/** ln x; gradient 1/x. @example log(tensor([1, Math.E])) // [0, 1] */
export function log(x: TensorLike): Tensor { return unaryOp("log", "log", x); }
/** √x; gradient 1/(2√x). @example sqrt(tensor([4, 9])) // [2, 3] */
export function sqrt(x: TensorLike): Tensor { return unaryOp("sqrt", "sqrt", x); }
/** 1/√x; gradient −½x^(−3/2). @example rsqrt(tensor([4])) // [0.5] */
export function rsqrt(x: TensorLike): Tensor { return unaryOp("rsqrt", "rsqrt", x); }
/** x²; gradient 2x. @example square(tensor([2, -3])) // [4, 9] */
export function square(x: TensorLike): Tensor { return unaryOp("square", "square", x); }
/** −1, 0 or 1 by the sign of x; gradient 0. @example sign(tensor([-2, 0, 3])) // [-1, 0, 1] */
export function sign(x: TensorLike): Tensor { return unaryOp("sign", "sign", x); }
