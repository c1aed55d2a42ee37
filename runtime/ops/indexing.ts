/**
 * Indexing along the first axis: getIndex (Tensor.get), slice (Tensor.slice, batches), gather
 * (rows by index), and oneHot. Backward of get/slice writes the gradient into zeros at the
 * rows taken; gather's backward sums rows with a one-hot GEMM.
 */
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import { Tensor, type TensorLike } from "../tensor/tensor.js";
import { fromHost } from "../tensor/create.js";
import { asTensor, castTo, shapeStr, wrap } from "./util.js";

/**
 * The sub-tensor at index `i` of the first axis (negative counts from the end), copied.
 * @example getIndex(tensor([[1, 2], [3, 4]]), -1) // [3, 4]
 */
export function getIndex(x: TensorLike, i: number): Tensor {
  const t = asTensor(x, "get");
  if (t.ndim === 0) throw new Error(`get: a rank-0 tensor has no axis to index; read its value with item()`);
  const n = t.shape[0];
  if (!Number.isInteger(i)) throw new Error(`get: the index must be an integer; received ${i}`);
  if (i < -n || i >= n) {
    throw new Error(`get: index ${i} is out of range for axis 0 of size ${n} (allowed: ${n === 0 ? "none, the axis is empty" : `${-n}..${n - 1}`})`);
  }
  const idx = i < 0 ? i + n : i;
  return rows(t, idx, idx + 1, t.shape.slice(1), "get");
}

/**
 * Rows `start` (inclusive) to `end` (exclusive) of the first axis, copied; as NumPy's
 * `x[start:end]`: negatives count from the end and bounds are clipped to the axis.
 * @example slice(trainImages, 0, 128).shape // [128, 28, 28]
 */
export function slice(x: TensorLike, start: number, end?: number): Tensor {
  const t = asTensor(x, "slice");
  if (t.ndim === 0) throw new Error(`slice: a rank-0 tensor has no axis to slice`);
  if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end))) {
    throw new Error(`slice: start and end must be integers; received start=${start}, end=${end}`);
  }
  const n = t.shape[0];
  const clip = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = clip(start);
  const e = Math.max(s, end === undefined ? n : clip(end));
  return rows(t, s, e, [e - s, ...t.shape.slice(1)], "slice");
}

function rows(t: Tensor, s: number, e: number, outShape: number[], op: string): Tensor {
  const rowSize = t.shape.length ? t.size / t.shape[0] : 1;
  const count = (e - s) * rowSize;
  const buf = backend().alloc(t.dtype, count);
  if (count !== 0) backend().copy(t.buffer, s * rowSize, buf, 0, count);
  const out = wrap(buf, outShape, t.dtype);
  if (needsGrad(t)) {
    record(op, out, [t], (dy) => {
      const dx = backend().alloc("float32", t.size);
      backend().fill(dx, 0);
      if (count !== 0) backend().copy(dy.buffer, 0, dx, s * rowSize, count);
      return [wrap(dx, t.shape, "float32")];
    });
  }
  return out;
}

/**
 * The rows of `x` (along the first axis) picked by `indices`; the result's shape is
 * indices' shape followed by a row's shape.
 * @example gather(embeddings, tensor([3, 1], "int32")).shape // [2, 64]
 */
export function gather(x: TensorLike, indices: TensorLike | Int32Array | readonly number[]): Tensor {
  const t = asTensor(x, "gather");
  if (t.ndim === 0) throw new Error(`gather: a rank-0 tensor has no rows to gather`);
  const idx = indices instanceof Int32Array ? fromHost(indices, [indices.length], "int32")
    : indices instanceof Tensor ? indices : asTensor(indices as TensorLike, "gather", "indices");
  const I = castTo(idx, "int32");
  const n = t.shape[0];
  const rowSize = t.size / Math.max(1, n);
  const outShape = [...I.shape, ...t.shape.slice(1)];
  const buf = backend().alloc(t.dtype, I.size * rowSize);
  if (buf.size !== 0) {
    try {
      backend().gather(t.buffer, rowSize, I.buffer, buf);
    } catch (err) {
      throw new Error(`gather: ${withoutPrefix(err, "gather")} (x has ${n} rows, shape ${shapeStr(t.shape)}; allowed indices: 0..${n - 1})`);
    }
  }
  const out = wrap(buf, outShape, t.dtype);
  if (needsGrad(t)) {
    record("gather", out, [t], (dy) => {
      // dx = onehot(indices, n)ᵀ · dy: rows picked more than once sum their gradients.
      const hot = backend().alloc("float32", I.size * n);
      backend().oneHot(I.buffer, n, hot);
      const dx = backend().alloc("float32", t.size);
      backend().matmul(hot, dy.buffer, dx, { m: n, n: rowSize, k: I.size, transA: true });
      backend().release(hot);
      return [wrap(dx, t.shape, "float32")];
    });
  }
  return out;
}

/**
 * One-hot rows (float32) for integer class indices: shape indices.shape + [depth].
 * @example oneHot(tensor([0, 2], "int32"), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: TensorLike, depth: number): Tensor {
  const t = asTensor(indices, "oneHot", "indices");
  if (!Number.isInteger(depth) || depth <= 0) throw new Error(`oneHot: depth must be a positive integer; received ${depth}`);
  if (t.dtype === "float32") checkIntegral(t);
  const I = castTo(t, "int32");
  const buf = backend().alloc("float32", I.size * depth);
  if (buf.size !== 0) {
    try {
      backend().oneHot(I.buffer, depth, buf);
    } catch (err) {
      throw new Error(`oneHot: ${withoutPrefix(err, "oneHot")} (allowed indices: 0..${depth - 1})`);
    }
  }
  return wrap(buf, [...t.shape, depth], "float32");
}

function checkIntegral(t: Tensor): void {
  const d = t.data();
  for (let i = 0; i < d.length; i++) {
    if (!Number.isInteger(d[i])) throw new Error(`oneHot: indices must be integers; element ${i} is ${d[i]}`);
  }
}

/** A kernel's message without its leading "name: " (the op adds its own). */
function withoutPrefix(err: unknown, name: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.startsWith(`${name}: `) ? msg.slice(name.length + 2) : msg;
}
