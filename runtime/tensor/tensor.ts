/**
 * `Tensor`: an n-dimensional array on a native backend, with NumPy-like methods.
 *
 * The methods are thin: each one calls the free function of the same name in runtime/ops/,
 * where the op's forward and backward live side by side.
 */
import { inspect } from "node:util";
import type { DType, HostArray, NativeBuffer } from "../backend/backend.js";
import { DISPLAY, type MimeBundle } from "../display/sink.js";
import type { Tape } from "../autograd/tape.js";
import * as ops from "../ops/index.js";
import { backend, track } from "./engine.js";
import { formatTensor } from "./format.js";

/** Nested JS arrays of numbers, as `toArray()` returns them (a number for a rank-0 tensor). */
export type NestedArray = number | NestedArray[];

/** What an op accepts where a tensor is expected: a Tensor, a number, or nested arrays of numbers. */
export type TensorLike = Tensor | number | NestedArray;

// The rich formatter (runtime/display/reprs.ts's tensorBundle) is plugged in by
// runtime/display/tensor-display.ts, so the tensor core does not depend on display code.
let bundleFormatter: ((t: Tensor) => MimeBundle) | null = null;

/** Installs the rich MIME formatter used by `[DISPLAY]()` (null: text/plain only). @internal */
export function setTensorBundleFormatter(f: ((t: Tensor) => MimeBundle) | null): void {
  bundleFormatter = f;
}

/**
 * An n-dimensional array of float32, int32, uint8 or bool values held by a native backend.
 * Create one with `tensor(...)`, `zeros(...)`, `randomNormal(...)`; memory is managed for you.
 *
 * @example const t = tensor([[1, -1], [0, 2]]); t.shape; // [2, 2]
 */
export class Tensor {
  /** The size of each axis. @example tensor([[1, 2, 3]]).shape // [1, 3] */
  readonly shape: readonly number[];
  /** The element type. @example tensor([1, 2]).dtype // "float32" */
  readonly dtype: DType;
  /** The number of elements (the product of the shape). @example zeros([2, 3]).size // 6 */
  readonly size: number;

  /** @internal */ _buf: NativeBuffer;
  /** @internal */ _released: boolean;
  /** The tensor whose buffer this reshape view shares (null when this tensor owns it). @internal */
  _base: Tensor | null;
  /** Never released by a scope (Variables, kept optimizer state). @internal */
  _persistent: boolean;
  /** The gradient tape this tensor is watched by / was produced on. @internal */
  _tape: Tape | null;
  /** Gradient accumulated during a backward pass. @internal */
  _grad: Tensor | null;

  /**
   * Wraps a native buffer; use `tensor()`, `zeros()` and friends instead.
   * @internal
   */
  constructor(buf: NativeBuffer, shape: readonly number[], dtype: DType = buf.dtype, base: Tensor | null = null) {
    let size = 1;
    for (let i = 0; i < shape.length; i++) size *= shape[i];
    this.shape = shape;
    this.dtype = dtype;
    this.size = size;
    this._buf = buf;
    this._released = false;
    this._base = base;
    this._persistent = false;
    this._tape = null;
    this._grad = null;
    track(this);
  }

  /** The number of axes. @example tensor(12).ndim // 0 */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The native buffer (runtime-internal: optimizers update it in place).
   * Throws if the tensor was released at the end of a training step.
   * @example backend().fill(v.buffer, 0)
   */
  get buffer(): NativeBuffer {
    if (this._released) throw releasedError(this);
    return this._buf;
  }

  /** True once the tensor's memory was released (an intermediate of a finished step). @internal */
  get released(): boolean {
    return this._released;
  }

  /** Frees the memory now (scopes call it). @internal */
  _release(): void {
    if (this._released) return;
    this._released = true;
    if (this._base === null) backend().release(this._buf);
  }

  // ---- shape and dtype -------------------------------------------------------------------------

  /**
   * The same elements with a new shape (one axis may be -1: inferred). Shares memory; no copy.
   * @example zeros([60000, 28, 28]).reshape(60000, 784)
   */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const dims = (Array.isArray(shape[0]) ? shape[0] : shape) as readonly number[];
    return ops.reshape(this, dims);
  }

  /**
   * The elements converted to another dtype (float → int truncates toward zero).
   * @example images.astype("float32").div(255)
   */
  astype(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }

  /** A copy with its own memory (the gradient passes through). @example const kept = t.clone(); */
  clone(): Tensor {
    return ops.cast(this, this.dtype);
  }

  /** The elements in one axis, all others flattened: rank 1. @example tensor([[1, 2], [3, 4]]).flatten() // [1, 2, 3, 4] */
  flatten(): Tensor {
    return ops.reshape(this, [this.size]);
  }

  // ---- indexing --------------------------------------------------------------------------------

  /**
   * The sub-tensor at index `i` along the first axis (negative counts from the end); more
   * indices go deeper, as NumPy's `t[i, j]`.
   * @example tensor([[1, 2], [3, 4]]).get(1) // tensor([3, 4]); .get(1, 0).item() is 3
   */
  get(i: number, ...more: number[]): Tensor {
    let t = ops.getIndex(this, i);
    for (const j of more) t = ops.getIndex(t, j);
    return t;
  }

  /**
   * Rows `start` (inclusive) to `end` (exclusive) along the first axis, as NumPy's `t[start:end]`;
   * negative values count from the end and out-of-range bounds are clipped.
   * @example trainImages.slice(0, 128) // the first batch
   */
  slice(start: number, end?: number): Tensor {
    return ops.slice(this, start, end);
  }

  /**
   * Iterates over the first axis, as NumPy does: each step is `get(i)`.
   * @example for (const row of tensor([[1, 2], [3, 4]])) console.log(row.sum().item()); // 3, 7
   */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    if (this.shape.length === 0) throw new TypeError("iteration over a rank-0 tensor: it has no axis to iterate over; read it with item()");
    for (let i = 0; i < this.shape[0]; i++) yield ops.getIndex(this, i);
  }

  /** The value of a tensor holding one element. @example tensor([[3]]).item() // 3 */
  item(): number {
    if (this.size !== 1) throw new Error(`item: the tensor has ${this.size} elements (shape ${shapeStr(this.shape)}); item() needs exactly 1`);
    return this.data()[0];
  }

  // ---- arithmetic (NumPy broadcasting) ----------------------------------------------------------

  /** Element-wise sum, broadcasting. @example tensor([[1, -1], [0, 2]]).add(tensor([1, 0])) // [[2, -1], [1, 2]] */
  add(other: TensorLike): Tensor { return ops.add(this, other); }
  /** Element-wise difference, broadcasting. @example tensor([3, 4]).sub(1) // [2, 3] */
  sub(other: TensorLike): Tensor { return ops.sub(this, other); }
  /** Element-wise product, broadcasting. @example tensor([3, 4]).mul(2) // [6, 8] */
  mul(other: TensorLike): Tensor { return ops.mul(this, other); }
  /** Element-wise quotient, broadcasting (always float32). @example images.astype("float32").div(255) */
  div(other: TensorLike): Tensor { return ops.div(this, other); }
  /** Element-wise power, broadcasting. @example tensor([2, 3]).pow(2) // [4, 9] */
  pow(other: TensorLike): Tensor { return ops.pow(this, other); }
  /** Element-wise maximum, broadcasting. @example t.maximum(0) // relu */
  maximum(other: TensorLike): Tensor { return ops.maximum(this, other); }
  /** Element-wise minimum, broadcasting. @example t.minimum(1) */
  minimum(other: TensorLike): Tensor { return ops.minimum(this, other); }
  /** Element-wise `===` (bool result). @example predictions.equal(labels).astype("float32").mean() */
  equal(other: TensorLike): Tensor { return ops.equal(this, other); }
  /** Element-wise `>` (bool result). @example t.greater(0) */
  greater(other: TensorLike): Tensor { return ops.greater(this, other); }
  /** Element-wise `<` (bool result). @example t.less(0) */
  less(other: TensorLike): Tensor { return ops.less(this, other); }

  // ---- element-wise functions ---------------------------------------------------------------------

  /** −x. @example tensor([1, -2]).neg() // [-1, 2] */
  neg(): Tensor { return ops.neg(this); }
  /** |x|. @example tensor([1, -2]).abs() // [1, 2] */
  abs(): Tensor { return ops.abs(this); }
  /** eˣ. @example tensor([0, 1]).exp() // [1, 2.7182817] */
  exp(): Tensor { return ops.exp(this); }
  /** Natural logarithm. @example tensor([1, Math.E]).log() // [0, 1] */
  log(): Tensor { return ops.log(this); }
  /** Square root. @example tensor([4, 9]).sqrt() // [2, 3] */
  sqrt(): Tensor { return ops.sqrt(this); }
  /** x². @example tensor([2, -3]).square() // [4, 9] */
  square(): Tensor { return ops.square(this); }
  /** max(x, 0). @example tensor([-1, 2]).relu() // [0, 2] */
  relu(): Tensor { return ops.relu(this); }
  /** 1 / (1 + e⁻ˣ). @example tensor([0]).sigmoid() // [0.5] */
  sigmoid(): Tensor { return ops.sigmoid(this); }
  /** Hyperbolic tangent. @example tensor([0]).tanh() // [0] */
  tanh(): Tensor { return ops.tanh(this); }

  // ---- linear algebra ---------------------------------------------------------------------------

  /** Matrix product (NumPy's `@`; batched over leading axes). @example x.matmul(w) */
  matmul(other: TensorLike): Tensor { return ops.matmul(this, other); }
  /** NumPy's dot for rank ≤ 2. @example tensor([[1, -1], [0, 2]]).dot(tensor([1, 0])) // [1, 0] */
  dot(other: TensorLike): Tensor { return ops.dot(this, other); }
  /** Axes permuted (reversed by default). @example zeros([2, 3]).transpose().shape // [3, 2] */
  transpose(perm?: readonly number[]): Tensor { return ops.transpose(this, perm); }
  /** The transpose (axes reversed). @example zeros([2, 3]).T.shape // [3, 2] */
  get T(): Tensor { return ops.transpose(this); }

  // ---- reductions -------------------------------------------------------------------------------

  /** Sum over `axis` (all axes by default). @example tensor([[1, 2], [3, 4]]).sum(0) // [4, 6] */
  sum(axis?: number | readonly number[] | null, keepdims = false): Tensor { return ops.sum(this, axis, keepdims); }
  /** Mean over `axis` (all axes by default). @example tensor([[1, 2], [3, 4]]).mean(1) // [1.5, 3.5] */
  mean(axis?: number | readonly number[] | null, keepdims = false): Tensor { return ops.mean(this, axis, keepdims); }
  /** Maximum over `axis` (all axes by default). @example tensor([[1, 5], [3, 4]]).max(1) // [5, 4] */
  max(axis?: number | readonly number[] | null, keepdims = false): Tensor { return ops.max(this, axis, keepdims); }
  /** Minimum over `axis` (all axes by default). @example tensor([[1, 5], [3, 4]]).min(0) // [1, 4] */
  min(axis?: number | readonly number[] | null, keepdims = false): Tensor { return ops.min(this, axis, keepdims); }
  /** Index of the maximum along `axis` (of the flattened tensor by default), int32. @example logits.argmax(1) */
  argmax(axis?: number | null): Tensor { return ops.argmax(this, axis); }
  /** Index of the minimum along `axis` (of the flattened tensor by default), int32. @example t.argmin(0) */
  argmin(axis?: number | null): Tensor { return ops.argmin(this, axis); }

  // ---- reading values ---------------------------------------------------------------------------

  /**
   * A fresh copy of the elements as a typed array (Float32Array, Int32Array, or Uint8Array for
   * uint8 and bool), row-major. Changing it does not change the tensor.
   * @example const pixels = images.get(0).data(); // Uint8Array(784)
   */
  data(): HostArray {
    const buf = this.buffer;
    const out: HostArray = this.dtype === "float32" ? new Float32Array(this.size)
      : this.dtype === "int32" ? new Int32Array(this.size) : new Uint8Array(this.size);
    if (this.size !== 0) backend().download(buf, out);
    return out;
  }

  /**
   * The elements as nested JS arrays (a number for a rank-0 tensor; bool as 0/1). Name the
   * nesting you expect to index it without casts: `t.toArray<number[][]>()`.
   * @example tensor([[1, 2], [3, 4]]).toArray<number[][]>()[1][0] // 3
   */
  toArray<T extends NestedArray = NestedArray>(): T {
    const flat = this.data();
    if (this.shape.length === 0) return flat[0] as T;
    return nest(flat, this.shape, 0, 0) as T;
  }

  /**
   * The NumPy-like printed form.
   * @example String(tensor([[2, -1], [1, 2]])) // "tensor([[ 2., -1.],\n        [ 1.,  2.]], shape=[2, 2], dtype=float32)"
   */
  toString(): string {
    if (this._released) return `tensor(<released>, shape=${shapeStr(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(this);
  }

  /** How Node's console.log and util.inspect show a tensor. @example console.log(t) */
  [inspect.custom](): string {
    return this.toString();
  }

  /** The MIME bundle a notebook shows for this tensor. @example display(t) */
  [DISPLAY](): MimeBundle {
    if (bundleFormatter !== null && !this._released) return bundleFormatter(this);
    return { "text/plain": this.toString() };
  }
}

// Marks tensors cheaply for scope bookkeeping without importing this module there.
(Tensor.prototype as unknown as { _isTensor: boolean })._isTensor = true;

/** "[2, 3]" — how every message writes a shape. @internal */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function releasedError(t: Tensor): Error {
  return new Error(
    `tensor was released: this ${shapeStr(t.shape)} ${t.dtype} tensor was an intermediate of a training/evaluation step ` +
      `(fit, evaluate or predict free them when each step ends); return it from the step, or keep a copy made inside the step with .clone()`,
  );
}

function nest(flat: HostArray, shape: readonly number[], axis: number, offset: number): NestedArray[] {
  const n = shape[axis];
  const out: NestedArray[] = new Array(n);
  if (axis === shape.length - 1) {
    for (let i = 0; i < n; i++) out[i] = flat[offset + i];
    return out;
  }
  let stride = 1;
  for (let a = axis + 1; a < shape.length; a++) stride *= shape[a];
  for (let i = 0; i < n; i++) out[i] = nest(flat, shape, axis + 1, offset + i * stride);
  return out;
}
