/**
 * Reductions along axes: sum, mean, max, min (with keepdims), and argmax/argmin.
 * Backward: sum and mean spread the gradient back over the reduced axes; max and min send it
 * to the elements that equal the extreme (split evenly between ties).
 */
import type { ArgReduceOp, ReduceOp } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { allocFor, asTensor, castTo, normAxes, normAxis, sizeOf, toFloat, wrap } from "./util.js";
import { reshape } from "./reshape.js";
import { broadcastTo } from "./unbroadcast.js";
import { div, mul } from "./arithmetic.js";

/** Which axes a reduction takes: one, several, or all (undefined/null). */
export type Axis = number | readonly number[] | null | undefined;

function reduceOp(op: ReduceOp, x: TensorLike, axis: Axis, keepdims: boolean): Tensor {
  const t0 = asTensor(x, op);
  // The kernels reduce float32; integer sums/maxima go through float32 and come back as int32.
  const resultType = op === "mean" || t0.dtype === "float32" ? "float32" : "int32";
  const t = toFloat(t0);
  const axes = normAxes(axis, t.ndim, op);
  const keepShape = t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keepdims ? keepShape : t.shape.filter((_, i) => !axes.includes(i));
  if (axes.length === 0) return castTo(reshape(t, outShape), resultType);
  if (t.size === 0 && (op === "max" || op === "min")) {
    throw new Error(`${op}: cannot take the ${op === "max" ? "maximum" : "minimum"} of an empty tensor (shape [${t.shape.join(", ")}])`);
  }
  const buf = allocFor("float32", outShape);
  if (buf.size !== 0) backend().reduce(op, t.buffer, t.shape as number[], axes, buf);
  const out = wrap(buf, outShape, "float32");
  if (needsGrad(t)) {
    record(op, out, [t], (dy) => {
      // mean scales the small dy before it is broadcast, not the full-size result after.
      if (op === "mean") return [broadcastTo(reshape(mul(dy, sizeOf(keepShape) / Math.max(1, t.size)), keepShape), t.shape)];
      const dyFull = broadcastTo(reshape(dy, keepShape), t.shape);
      if (op === "sum") return [dyFull];
      const extreme = broadcastTo(reshape(out, keepShape), t.shape);
      const mask = equalMask(t, extreme);
      const ties = broadcastTo(reshape(reduceOp("sum", mask, axes, true), keepShape), t.shape);
      return [div(mul(dyFull, mask), ties)];
    });
  }
  return resultType === "float32" ? out : castTo(out, resultType);
}

function equalMask(a: Tensor, b: Tensor): Tensor {
  const buf = backend().alloc("float32", a.size);
  backend().binary("equal", a.buffer, a.shape as number[], b.buffer, b.shape as number[], buf, a.shape as number[]);
  return wrap(buf, a.shape, "float32");
}

/**
 * The sum over `axis` (every axis by default); `keepdims` keeps reduced axes with size 1.
 * @example sum(tensor([[1, 2], [3, 4]]), 0) // [4, 6]
 */
export function sum(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  return reduceOp("sum", x, axis, keepdims);
}

/**
 * The mean over `axis` (every axis by default); always float32.
 * @example mean(tensor([[1, 2], [3, 4]]), 1) // [1.5, 3.5]
 */
export function mean(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  return reduceOp("mean", x, axis, keepdims);
}

/**
 * The maximum over `axis` (every axis by default).
 * @example max(tensor([[1, 5], [3, 4]]), 1) // [5, 4]
 */
export function max(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  return reduceOp("max", x, axis, keepdims);
}

/**
 * The minimum over `axis` (every axis by default).
 * @example min(tensor([[1, 5], [3, 4]]), 0) // [1, 4]
 */
export function min(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  return reduceOp("min", x, axis, keepdims);
}

function argReduce(op: ArgReduceOp, x: TensorLike, axis: number | null | undefined): Tensor {
  const t0 = asTensor(x, op);
  let t = toFloat(t0);
  let ax: number;
  if (axis === undefined || axis === null) {
    t = reshape(t, [t.size]);
    ax = 0;
  } else {
    ax = normAxis(axis, t.ndim, op);
  }
  if (t.shape[ax] === 0) throw new Error(`${op}: axis ${ax} of shape [${t0.shape.join(", ")}] is empty; there is no ${op === "argmax" ? "maximum" : "minimum"} to point at`);
  const outShape = t.shape.filter((_, i) => i !== ax);
  const buf = allocFor("int32", outShape);
  if (buf.size !== 0) backend().argReduce(op, t.buffer, t.shape as number[], ax, buf);
  return wrap(buf, outShape, "int32");
}

/**
 * The int32 index of the largest value along `axis` (of the flattened tensor by default).
 * @example argmax(tensor([[1, 9, 3], [7, 0, 2]]), 1) // [1, 0]
 */
export function argmax(x: TensorLike, axis?: number | null): Tensor {
  return argReduce("argmax", x, axis);
}

/**
 * The int32 index of the smallest value along `axis` (of the flattened tensor by default).
 * @example argmin(tensor([3, 1, 2])) // 1
 */
export function argmin(x: TensorLike, axis?: number | null): Tensor {
  return argReduce("argmin", x, axis);
}
