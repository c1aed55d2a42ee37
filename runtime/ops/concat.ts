/**
 * Joining tensors: concat along an existing axis, stack along a new one. Backward: the
 * gradient is cut back into the pieces.
 */
import type { DType } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, castTo, normAxis, shapeStr, sizeOf, wrap } from "./util.js";
import { expandDims } from "./reshape.js";
import { transpose } from "./transpose.js";

// Below this many row copies a loop of backend copies beats moving the axis with transposes.
const MAX_COPY_CALLS = 1024;

/**
 * The tensors joined along `axis` (default 0); other axes must match.
 * @example concat([zeros([2, 3]), ones([1, 3])]).shape // [3, 3]
 */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error(`concat: expected a non-empty array of tensors; received ${Array.isArray(xs) ? "an empty array" : typeof xs}`);
  let ts = xs.map((x, i) => asTensor(x, "concat", `tensor ${i}`));
  const rank = ts[0].ndim;
  if (rank === 0) throw new Error(`concat: rank-0 tensors have no axis to join along; use stack`);
  const ax = normAxis(axis, rank, "concat");
  for (let i = 1; i < ts.length; i++) {
    const s = ts[i].shape;
    if (s.length !== rank || s.some((d, j) => j !== ax && d !== ts[0].shape[j])) {
      throw new Error(`concat: tensor ${i} has shape ${shapeStr(s)} but tensor 0 has ${shapeStr(ts[0].shape)}; all axes except axis ${ax} must match`);
    }
  }
  const dtype: DType = ts.every((t) => t.dtype === ts[0].dtype) ? ts[0].dtype : ts.some((t) => t.dtype === "float32") ? "float32" : "int32";
  ts = ts.map((t) => castTo(t, dtype));
  const outShape = [...ts[0].shape];
  outShape[ax] = ts.reduce((acc, t) => acc + t.shape[ax], 0);
  const out = joinAlong(ts, ax, outShape, dtype);
  const tracked = ts.map((t) => needsGrad(t));
  if (tracked.some(Boolean)) {
    record("concat", out, ts, (dy) => {
      let offset = 0;
      return ts.map((t, i) => {
        const start = offset;
        offset += t.shape[ax];
        return tracked[i] ? takeAlong(dy, ax, start, t.shape[ax]) : null;
      });
    });
  }
  return out;
}

/**
 * The tensors (all of one shape) stacked along a new axis `axis` (default 0).
 * @example stack([tensor([1, 2]), tensor([3, 4])]).shape // [2, 2]
 */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error(`stack: expected a non-empty array of tensors; received ${Array.isArray(xs) ? "an empty array" : typeof xs}`);
  const ts = xs.map((x, i) => asTensor(x, "stack", `tensor ${i}`));
  for (let i = 1; i < ts.length; i++) {
    const s = ts[i].shape;
    if (s.length !== ts[0].ndim || s.some((d, j) => d !== ts[0].shape[j])) {
      throw new Error(`stack: tensor ${i} has shape ${shapeStr(s)} but tensor 0 has ${shapeStr(ts[0].shape)}; stacked tensors must have one shape`);
    }
  }
  const ax = normAxis(axis, ts[0].ndim + 1, "stack");
  return concat(ts.map((t) => expandDims(t, ax)), ax);
}

function joinAlong(ts: Tensor[], ax: number, outShape: number[], dtype: DType): Tensor {
  const be = backend();
  const outer = sizeOf(outShape.slice(0, ax));
  if (outer * ts.length > MAX_COPY_CALLS && ax !== 0) {
    // Move the axis to the front, join there with one copy per tensor, move it back.
    const perm = [ax, ...outShape.map((_, i) => i).filter((i) => i !== ax)];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    const front = joinAlong(ts.map((t) => transpose(t, perm)), 0, perm.map((p) => outShape[p]), dtype);
    return transpose(front, inv);
  }
  const total = sizeOf(outShape);
  const buf = be.alloc(dtype, total);
  const outRow = total / Math.max(1, outer);
  let col = 0;
  for (const t of ts) {
    const inner = t.size / Math.max(1, outer);
    if (inner !== 0) for (let o = 0; o < outer; o++) be.copy(t.buffer, o * inner, buf, o * outRow + col, inner);
    col += inner;
  }
  return wrap(buf, outShape, dtype);
}

/** The part [start, start+len) of axis `ax` of x, copied (concat's backward). */
function takeAlong(x: Tensor, ax: number, start: number, len: number): Tensor {
  const be = backend();
  const outer = sizeOf(x.shape.slice(0, ax));
  const outShape = [...x.shape];
  outShape[ax] = len;
  if (outer > MAX_COPY_CALLS) {
    const perm = [ax, ...x.shape.map((_, i) => i).filter((i) => i !== ax)];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return transpose(takeAlong(transpose(x, perm), 0, start, len), inv);
  }
  const inner = sizeOf(x.shape.slice(ax + 1));
  const buf = be.alloc(x.dtype, outer * len * inner);
  const rowIn = x.shape[ax] * inner;
  if (len * inner !== 0) for (let o = 0; o < outer; o++) be.copy(x.buffer, o * rowIn + start * inner, buf, o * len * inner, len * inner);
  return wrap(buf, outShape, x.dtype);
}
