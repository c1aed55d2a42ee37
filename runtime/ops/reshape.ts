/**
 * Shape changes that keep the elements in order: reshape, expandDims, squeeze, flatten.
 * They share the input's memory (a view); the backward reshapes the gradient back.
 */
import { needsGrad, record } from "../autograd/tape.js";
import { Tensor, type TensorLike } from "../tensor/tensor.js";
import { asTensor, normAxis, shapeStr, sizeOf } from "./util.js";

/**
 * The same elements with a new shape; one axis may be -1 (inferred). No copy.
 * @example reshape(trainImages, [60000, 784])
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = asTensor(x, "reshape");
  const dims = resolveShape(t, shape);
  const base = t._base ?? t;
  const out = new Tensor(t.buffer, dims, t.dtype, base);
  if (needsGrad(t)) record("reshape", out, [t], (dy) => [reshape(dy, t.shape)]);
  return out;
}

/**
 * A new axis of size 1 inserted at `axis`.
 * @example expandDims(tensor([1, 2]), 0).shape // [1, 2]
 */
export function expandDims(x: TensorLike, axis: number): Tensor {
  const t = asTensor(x, "expandDims");
  const a = normAxis(axis, t.ndim + 1, "expandDims");
  const dims = [...t.shape];
  dims.splice(a, 0, 1);
  return reshape(t, dims);
}

/**
 * Axes of size 1 removed (all of them, or the given ones).
 * @example squeeze(zeros([1, 3, 1])).shape // [3]
 */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = asTensor(x, "squeeze");
  const axes = axis === undefined ? null : (typeof axis === "number" ? [axis] : axis).map((a) => normAxis(a, t.ndim, "squeeze"));
  if (axes) {
    for (const a of axes) {
      if (t.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of shape ${shapeStr(t.shape)} has size ${t.shape[a]}; only axes of size 1 can be removed`);
    }
  }
  const dims = t.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return reshape(t, dims);
}

function resolveShape(t: Tensor, shape: readonly number[]): number[] {
  const dims = [...shape];
  let infer = -1;
  let known = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (d === -1) {
      if (infer !== -1) throw new Error(`reshape: only one axis may be -1; received ${shapeStr(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`reshape: shape ${shapeStr(shape)} has an invalid size ${d} at axis ${i} (sizes are integers ≥ 0, or one -1)`);
    } else known *= d;
  }
  if (infer !== -1) {
    if (known === 0 || t.size % known !== 0) {
      throw new Error(
        `reshape: cannot reshape ${shapeStr(t.shape)} (${t.size} elements) to ${shapeStr(shape)}: ` +
          `${t.size} is not a multiple of ${known}, the product of the other axes`,
      );
    }
    dims[infer] = t.size / known;
  } else if (known !== t.size) {
    throw new Error(
      `reshape: cannot reshape ${shapeStr(t.shape)} (${t.size} elements) to ${shapeStr(dims)} (${sizeOf(dims)} elements)`,
    );
  }
  return dims;
}
