/**
 * where(cond, a, b): elements of a where cond is true, of b elsewhere, broadcasting all three.
 * Backward: the gradient goes to a where cond holds and to b elsewhere.
 */
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { allocFor, asTensor, broadcastShapes, castTo, wrap } from "./util.js";
import { broadcastTo } from "./unbroadcast.js";
import { zerosLike } from "../tensor/create.js";

/**
 * Picks from `a` where `cond` is true and from `b` elsewhere (broadcasting).
 * @example where(greater(x, 0), x, 0) // relu
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c0 = asTensor(cond, "where", "condition");
  const a0 = asTensor(a, "where", "second argument");
  const b0 = asTensor(b, "where", "third argument");
  const dtype = a0.dtype === "float32" || b0.dtype === "float32" ? "float32" : a0.dtype === b0.dtype ? a0.dtype : "int32";
  const A = castTo(a0, dtype);
  const B = castTo(b0, dtype);
  const shape = broadcastShapes(broadcastShapes(c0.shape, A.shape, "where"), B.shape, "where");
  // The kernel takes one shape for all three: broadcast them first (cheap next to the op itself).
  const C = broadcastTo(castTo(c0, "bool"), shape);
  const Af = broadcastTo(A, shape);
  const Bf = broadcastTo(B, shape);
  const buf = allocFor(dtype, shape);
  if (buf.size !== 0) backend().where(C.buffer, Af.buffer, Bf.buffer, buf);
  const out = wrap(buf, shape, dtype);
  const ga = needsGrad(Af);
  const gb = needsGrad(Bf);
  if (ga || gb) {
    record("where", out, [Af, Bf], (dy) => {
      const zero = zerosLike(dy);
      return [ga ? where(C, dy, zero) : null, gb ? where(C, zero, dy) : null];
    });
  }
  return out;
}
