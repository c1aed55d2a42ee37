/**
 * transpose: axes permuted (reversed by default). Backward: the inverse permutation.
 */
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, shapeStr, wrap } from "./util.js";
import { reshape } from "./reshape.js";

/**
 * The tensor with its axes permuted by `perm` (reversed when omitted), copied.
 * @example transpose(zeros([2, 3, 4]), [0, 2, 1]).shape // [2, 4, 3]
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = asTensor(x, "transpose");
  const r = t.ndim;
  const p = perm ? [...perm] : Array.from({ length: r }, (_, i) => r - 1 - i);
  if (p.length !== r) {
    throw new Error(`transpose: perm ${shapeStr(p)} has ${p.length} entries but the tensor has rank ${r} (shape ${shapeStr(t.shape)})`);
  }
  const seen = new Array<boolean>(r).fill(false);
  for (let i = 0; i < r; i++) {
    const a = p[i] < 0 ? p[i] + r : p[i];
    if (!Number.isInteger(a) || a < 0 || a >= r || seen[a]) {
      throw new Error(`transpose: perm ${shapeStr(perm ?? p)} is not a permutation of the axes 0..${r - 1}`);
    }
    seen[a] = true;
    p[i] = a;
  }
  const outShape = p.map((a) => t.shape[a]);
  if (p.every((a, i) => a === i)) return reshape(t, outShape);
  const buf = backend().alloc(t.dtype, t.size);
  if (t.size !== 0) backend().transpose(t.buffer, t.shape as number[], p, buf);
  const out = wrap(buf, outShape, t.dtype);
  if (needsGrad(t)) {
    const inverse = new Array<number>(r);
    for (let i = 0; i < r; i++) inverse[p[i]] = i;
    record("transpose", out, [t], (dy) => [transpose(dy, inverse)]);
  }
  return out;
}
