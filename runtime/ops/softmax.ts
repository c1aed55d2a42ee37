/**
 * softmax and logSoftmax along an axis (the last by default), by the backend's row kernel.
 * Backward: softmax dx = y·(dy − Σ dy·y); logSoftmax dx = dy − eʸ·Σ dy (sums along the axis).
 */
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, normAxis, toFloat, wrap } from "./util.js";
import { transpose } from "./transpose.js";
import { mul, sub } from "./arithmetic.js";
import { exp } from "./math.js";
import { sum } from "./reduce.js";

function softmaxOp(name: string, x: TensorLike, axis: number, log: boolean): Tensor {
  const t = toFloat(asTensor(x, name));
  if (t.ndim === 0) throw new Error(`${name}: needs at least one axis (received a rank-0 tensor)`);
  const ax = normAxis(axis, t.ndim, name);
  if (ax !== t.ndim - 1) {
    // The kernel works on rows: move the axis last and back (both moves are differentiable).
    const perm = t.shape.map((_, i) => i);
    perm[ax] = t.ndim - 1;
    perm[t.ndim - 1] = ax;
    return transpose(softmaxOp(name, transpose(t, perm), -1, log), perm);
  }
  const cols = t.shape[t.ndim - 1];
  const rows = cols === 0 ? 0 : t.size / cols;
  const buf = backend().alloc("float32", t.size);
  if (t.size !== 0) backend().softmax(t.buffer, buf, rows, cols, log);
  const out = wrap(buf, t.shape, "float32");
  if (needsGrad(t)) {
    record(name, out, [t], (dy) =>
      log ? [sub(dy, mul(exp(out), sum(dy, -1, true)))] : [mul(out, sub(dy, sum(mul(dy, out), -1, true)))],
    );
  }
  return out;
}

/**
 * exp(x) / Σ exp(x) along `axis` (default −1, the last).
 * @example softmax(tensor([[1, 2, 3]])) // [[0.09, 0.245, 0.665]]
 */
export function softmax(x: TensorLike, axis = -1): Tensor {
  return softmaxOp("softmax", x, axis, false);
}

/**
 * log(softmax(x)) along `axis` (default −1), computed stably.
 * @example logSoftmax(logits).mul(oneHotLabels).sum(1).neg().mean() // cross-entropy
 */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  return softmaxOp("logSoftmax", x, axis, true);
}
