/**
 * Gradients of broadcasting ops: the gradient at the broadcast shape is summed back to an
 * input's own shape (over the leading axes it lacked and the axes where it had size 1), and
 * its reverse, `broadcastTo`, used by the gradients of reductions.
 */
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor } from "../tensor/tensor.js";
import { allocFor, broadcastShapes, castTo, shapeStr, sizeOf, wrap } from "./util.js";
import { reshape } from "./reshape.js";
import { sum } from "./reduce.js";

/** `g` summed down to `shape` (a shape that broadcasts to g's shape). @internal */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  const gs = g.shape;
  if (gs.length === shape.length) {
    let same = true;
    for (let i = 0; i < gs.length; i++) if (gs[i] !== shape[i]) { same = false; break; }
    if (same) return g;
  }
  const lead = gs.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && gs[i] !== 1)) axes.push(i);
  }
  const reduced = axes.length === 0 ? g : sum(g, axes, false);
  return reduced.size === sizeOf(shape) && reduced.shape.length === shape.length ? reduced : reshape(reduced, shape);
}

/**
 * `x` repeated along its size-1 (or missing leading) axes to `shape`, as NumPy's broadcast_to.
 * @example broadcastTo(tensor([1, 2]), [3, 2]) // three rows of [1, 2]
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes(x.shape, shape, "broadcastTo");
  if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) {
    throw new Error(`broadcastTo: cannot broadcast shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  if (x.size === sizeOf(shape)) return x.shape.length === shape.length ? x : reshape(x, shape);
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    // The kernel below runs on numbers; carry bool/uint8 through int32.
    return castTo(broadcastTo(castTo(x, "int32"), shape), x.dtype);
  }
  // maximum(x, x) written at the full shape: the backend's binary takes an output shape larger
  // than both inputs (NumPy's out=), so one pass over the output and no other buffer.
  const out = allocFor(x.dtype, shape);
  backend().binary("maximum", x.buffer, x.shape as number[], x.buffer, x.shape as number[], out, shape as number[]);
  const result = wrap(out, shape, x.dtype);
  if (needsGrad(x)) record("broadcastTo", result, [x], (dy) => [sumTo(dy, x.shape)]);
  return result;
}
