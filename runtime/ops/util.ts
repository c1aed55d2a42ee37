/**
 * Small helpers every op shares: wrapping native buffers as tensors, broadcasting shapes,
 * normalizing axes, and the error messages that name the op and what was wrong.
 */
import type { DType, NativeBuffer } from "../backend/backend.js";
import { allocBuffer, backend } from "../tensor/engine.js";
import { Tensor, shapeStr, type TensorLike } from "../tensor/tensor.js";
import { tensor } from "../tensor/create.js";

export { shapeStr };

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** A new uninitialized buffer for `shape` (an error that names the shape when it does not fit). */
export function allocFor(dtype: DType, shape: readonly number[]): NativeBuffer {
  return allocBuffer(dtype, shape);
}

/** Wraps a buffer as a tensor. */
export function wrap(buf: NativeBuffer, shape: readonly number[], dtype: DType = buf.dtype): Tensor {
  return new Tensor(buf, shape, dtype);
}

/** A Tensor from a Tensor, a number (rank 0, float32) or nested arrays. */
export function asTensor(x: TensorLike, op: string, what = "argument"): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number" || Array.isArray(x)) return tensor(x);
  throw new TypeError(`${op}: ${what} must be a Tensor, a number or nested arrays of numbers; received ${describe(x)}`);
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `${typeof x} ${String(x)}`;
}

/** NumPy broadcasting of two shapes; the error names the op, both shapes, and the axis that differs. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { same = false; break; }
    if (same) return a as number[];
  }
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 1; i <= n; i++) {
    const da = i <= a.length ? a[a.length - i] : 1;
    const db = i <= b.length ? b[b.length - i] : 1;
    if (da === db || db === 1) out[n - i] = da;
    else if (da === 1) out[n - i] = db;
    else {
      throw new Error(
        `${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together ` +
          `(axis ${-i}: ${da} ≠ ${db}; sizes must match or one of them be 1)`,
      );
    }
  }
  return out;
}

/** A valid axis in [0, rank) from a possibly negative one; the error says what is allowed. */
export function normAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    const allowed = rank === 0 ? "none: the tensor has no axes" : `allowed: ${-rank}..${rank - 1}`;
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (${allowed})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Sorted unique axes; `undefined`/`null` means every axis. */
export function normAxes(axis: number | readonly number[] | null | undefined, rank: number, op: string): number[] {
  if (axis === undefined || axis === null) {
    const all = new Array<number>(rank);
    for (let i = 0; i < rank; i++) all[i] = i;
    return all;
  }
  if (typeof axis === "number") return [normAxis(axis, rank, op)];
  const out = axis.map((a) => normAxis(a, rank, op)).sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new Error(`${op}: axis ${out[i]} appears twice in ${shapeStr(axis)}`);
  }
  return out;
}

/** Throws unless the tensor has one of the allowed dtypes. */
export function checkDType(t: Tensor, allowed: readonly DType[], op: string, what = "input"): void {
  if (!allowed.includes(t.dtype)) {
    throw new TypeError(
      `${op}: ${what} has dtype ${t.dtype}; allowed: ${allowed.join(", ")}` +
        (allowed.includes("float32") ? ` (convert with .astype("float32"))` : ""),
    );
  }
}

/** The tensor as float32 (no copy when it already is). */
export function toFloat(t: Tensor): Tensor {
  return castTo(t, "float32");
}

/** The tensor converted to `dtype` (no copy when it already is). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = backend().alloc(dtype, t.size);
  backend().cast(t.buffer, out);
  return wrap(out, t.shape, dtype);
}
