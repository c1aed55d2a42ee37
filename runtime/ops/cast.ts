/**
 * cast (Tensor.astype): the elements converted to another dtype, copied. Between float32
 * tensors the gradient passes through; conversions to integers have no gradient.
 */
import type { DType } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, wrap } from "./util.js";

const DTYPES: readonly DType[] = ["float32", "int32", "uint8", "bool"];

/**
 * A copy of `x` converted to `dtype` (float → int truncates toward zero; bool is x ≠ 0).
 * @example cast(trainImages, "float32").div(255)
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const t = asTensor(x, "astype");
  if (!DTYPES.includes(dtype)) throw new TypeError(`astype: unknown dtype '${dtype}'; allowed: ${DTYPES.join(", ")}`);
  const be = backend();
  const buf = be.alloc(dtype, t.size);
  if (t.size !== 0) {
    if (dtype === t.dtype) be.copy(t.buffer, 0, buf, 0, t.size);
    else be.cast(t.buffer, buf);
  }
  const out = wrap(buf, t.shape, dtype);
  if (dtype === "float32" && t.dtype === "float32" && needsGrad(t)) record("astype", out, [t], (dy) => [dy]);
  return out;
}
