/**
 * Element-wise comparisons with broadcasting: equal, notEqual, greater, greaterEqual, less,
 * lessEqual. The result is a bool tensor; comparisons have no gradient.
 */
import type { BinaryOp } from "../backend/backend.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { allocFor, asTensor, broadcastShapes, castTo, wrap } from "./util.js";

function compare(name: string, op: BinaryOp, x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x, name, "first argument");
  if (typeof y === "number") {
    const A = castTo(a, a.dtype === "float32" || !Number.isInteger(y) ? "float32" : "int32");
    const buf = backend().alloc("bool", A.size);
    if (A.size !== 0) backend().binaryScalar(op, A.buffer, y, buf, false);
    return wrap(buf, A.shape, "bool");
  }
  const b = asTensor(y, name, "second argument");
  const common = a.dtype === "float32" || b.dtype === "float32" ? "float32" : "int32";
  const A = castTo(a, common);
  const B = castTo(b, common);
  const shape = broadcastShapes(A.shape, B.shape, name);
  const buf = allocFor("bool", shape);
  if (buf.size !== 0) backend().binary(op, A.buffer, A.shape as number[], B.buffer, B.shape as number[], buf, shape);
  return wrap(buf, shape, "bool");
}

/** a == b element-wise (bool). @example equal(argmax(logits, 1), labels).astype("float32").mean() // accuracy */
export function equal(a: TensorLike, b: TensorLike): Tensor { return compare("equal", "equal", a, b); }
/** a != b element-wise (bool). @example notEqual(tensor([1, 2]), 2) // [true, false] */
export function notEqual(a: TensorLike, b: TensorLike): Tensor { return compare("notEqual", "not_equal", a, b); }
/** a > b element-wise (bool). @example greater(tensor([1, 3]), 2) // [false, true] */
export function greater(a: TensorLike, b: TensorLike): Tensor { return compare("greater", "greater", a, b); }
/** a ≥ b element-wise (bool). @example greaterEqual(tensor([2, 3]), 3) // [false, true] */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor { return compare("greaterEqual", "greater_equal", a, b); }
/** a < b element-wise (bool). @example less(tensor([1, 3]), 2) // [true, false] */
export function less(a: TensorLike, b: TensorLike): Tensor { return compare("less", "less", a, b); }
/** a ≤ b element-wise (bool). @example lessEqual(tensor([2, 3]), 2) // [true, false] */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor { return compare("lessEqual", "less_equal", a, b); }
