/**
 * Making tensors: from JS values (`tensor`), filled (`zeros`, `ones`, `full`), ranges (`arange`)
 * and random draws (`randomNormal`, `randomUniform`, `randomTruncatedNormal`).
 */
import type { DType, HostArray, NativeBuffer } from "../backend/backend.js";
import { randomStream, type RandomStream } from "../random.js";
import { allocBuffer, backend } from "./engine.js";
import { Tensor, shapeStr } from "./tensor.js";
import { checkOptions, type OptionTable } from "../options.js";

const DTYPES: readonly DType[] = ["float32", "int32", "uint8", "bool"];

/** Options of `tensor()`. */
export interface TensorOptions {
  /** The element type; default float32 for numbers, the array's own type for typed arrays. */
  dtype?: DType;
  /** The shape; required to give a flat typed array more than one axis. Default: inferred. */
  shape?: readonly number[];
}

const TENSOR_OPTIONS: OptionTable<TensorOptions> = { dtype: true, shape: true };

/** Numbers or booleans nested in arrays, whose innermost rows may be typed arrays. */
export type NestedData = number | boolean | ArrayLike<number> | readonly NestedData[];

/** What `tensor()` accepts: a number, nested arrays, a typed array, or a Tensor (copied). */
export type TensorData = NestedData | Tensor;

/**
 * A tensor from JS data: a number (rank 0), nested arrays (shape inferred from the nesting),
 * or a typed array (with `{ shape }` for more than one axis). Numbers become float32 unless
 * a dtype is given; Int32Array/Uint8Array keep their type.
 *
 * @example tensor([[1, -1], [0, 2]]) // shape [2, 2], float32
 * @example tensor(12).ndim === 0
 * @example tensor(pixels, { shape: [28, 28], dtype: "uint8" })
 */
export function tensor(data: TensorData, dtypeOrOptions?: DType | TensorOptions): Tensor {
  const opts = typeof dtypeOrOptions === "string" ? { dtype: dtypeOrOptions } : checkOptions("tensor", dtypeOrOptions, TENSOR_OPTIONS);
  if (opts.dtype !== undefined) checkDTypeName(opts.dtype, "tensor");
  if (data instanceof Tensor) {
    const t = opts.dtype && opts.dtype !== data.dtype ? data.astype(opts.dtype) : copyOf(data);
    return opts.shape ? t.reshape(opts.shape as number[]) : t;
  }
  let shape: number[];
  let host: HostArray;
  let dtype: DType;
  if (typeof data === "number" || typeof data === "boolean") {
    dtype = opts.dtype ?? (typeof data === "boolean" ? "bool" : "float32");
    host = hostArray(dtype, 1);
    host[0] = Number(data);
    shape = [];
  } else if (ArrayBuffer.isView(data)) {
    dtype = opts.dtype ?? typedArrayDType(data);
    host = toHost(data as unknown as ArrayLike<number>, dtype);
    shape = [host.length];
  } else if (Array.isArray(data)) {
    shape = inferShape(data);
    const size = shape.reduce((a, b) => a * b, 1);
    dtype = opts.dtype ?? (firstLeaf(data) === "boolean" ? "bool" : "float32");
    host = hostArray(dtype, size);
    flattenInto(data, shape, 0, host, { i: 0 });
  } else {
    throw new TypeError(`tensor: expected a number, nested arrays of numbers, a typed array or a Tensor; received ${typeof data}`);
  }
  if (opts.shape) {
    const want = opts.shape.reduce((a, b) => a * b, 1);
    if (want !== host.length) {
      throw new Error(`tensor: shape ${shapeStr(opts.shape)} needs ${want} elements but the data has ${host.length}`);
    }
    shape = [...opts.shape];
  }
  return fromHost(host, shape, dtype);
}

/**
 * A tensor of zeros.
 * @example zeros([2, 3]) // float32
 */
export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return filled("zeros", shape, 0, dtype);
}

/**
 * A tensor of ones.
 * @example ones([3], "int32")
 */
export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return filled("ones", shape, 1, dtype);
}

/**
 * A tensor with every element equal to `value`.
 * @example full([2, 2], 7)
 */
export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  return filled("full", shape, value, dtype);
}

/** zeros, ones and full: errors name the function the user called. */
function filled(op: string, shape: readonly number[], value: number, dtype: DType): Tensor {
  const dims = checkedShape(shape, op);
  checkDTypeName(dtype, op);
  const buf = allocBuffer(dtype, dims, op);
  if (buf.size !== 0) backend().fill(buf, value);
  return new Tensor(buf, dims, dtype);
}

/** Zeros with the shape (and dtype) of `t`. @example zerosLike(w) */
export function zerosLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return filled("zerosLike", t.shape, 0, dtype);
}

/** Ones with the shape (and dtype) of `t`. @example onesLike(w) */
export function onesLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return filled("onesLike", t.shape, 1, dtype);
}

/**
 * Evenly spaced values in [start, stop), as NumPy's arange; one argument means [0, stop).
 * @example arange(5) // [0, 1, 2, 3, 4]
 */
export function arange(start: number, stop?: number, step = 1, dtype: DType = "float32"): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a finite non-zero number; received ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const host = hostArray(dtype, n);
  for (let i = 0; i < n; i++) host[i] = start + i * step;
  return fromHost(host, [n], dtype);
}

/** Options of the random creators. */
export interface RandomNormalOptions {
  /** Mean of the distribution. Default 0. */
  mean?: number;
  /** Standard deviation. Default 1. */
  stddev?: number;
  /** Draw the same numbers on every call with this seed. Default: the global seed and counter. */
  seed?: number;
}

const RANDOM_NORMAL_OPTIONS: OptionTable<RandomNormalOptions> = { mean: true, stddev: true, seed: true };

/**
 * Normally distributed float32 values.
 * @example randomNormal([784, 512], { stddev: 0.05 })
 */
export function randomNormal(shape: readonly number[], options?: RandomNormalOptions): Tensor {
  const o = checkOptions("randomNormal", options, RANDOM_NORMAL_OPTIONS);
  const dims = checkedShape(shape, "randomNormal");
  const buf = allocBuffer("float32", dims, "randomNormal");
  const key = randomStream(o.seed, "randomNormal").next(buf.size);
  if (buf.size !== 0) backend().randomNormal(buf, key.seed, key.offset, o.mean ?? 0, o.stddev ?? 1);
  return new Tensor(buf, dims, "float32");
}

/**
 * Normally distributed float32 values re-drawn beyond two standard deviations (Keras's
 * TruncatedNormal).
 * @example randomTruncatedNormal([10, 10], { stddev: 0.1 })
 */
export function randomTruncatedNormal(shape: readonly number[], options?: RandomNormalOptions): Tensor {
  const o = checkOptions("randomTruncatedNormal", options, RANDOM_NORMAL_OPTIONS);
  const dims = checkedShape(shape, "randomTruncatedNormal");
  const buf = allocBuffer("float32", dims, "randomTruncatedNormal");
  const key = randomStream(o.seed, "randomTruncatedNormal").next(buf.size);
  if (buf.size !== 0) backend().randomTruncatedNormal(buf, key.seed, key.offset, o.mean ?? 0, o.stddev ?? 1);
  return new Tensor(buf, dims, "float32");
}

/** Options of `randomUniform`. */
export interface RandomUniformOptions {
  /** Lower bound (inclusive). Default 0. */
  minval?: number;
  /** Upper bound (exclusive). Default 1. */
  maxval?: number;
  /** Draw the same numbers on every call with this seed. Default: the global seed and counter. */
  seed?: number;
}

const RANDOM_UNIFORM_OPTIONS: OptionTable<RandomUniformOptions> = { minval: true, maxval: true, seed: true };

/**
 * Uniformly distributed float32 values in [minval, maxval).
 * @example randomUniform([784, 512], { minval: -0.05, maxval: 0.05 })
 */
export function randomUniform(shape: readonly number[], options?: RandomUniformOptions): Tensor {
  const o = checkOptions("randomUniform", options, RANDOM_UNIFORM_OPTIONS);
  return randomUniformFrom(randomStream(o.seed, "randomUniform"), shape, o);
}

/**
 * `randomUniform` drawn from a given stream (a layer's own seeded stream, as Dropout's masks).
 * @example randomUniformFrom(new RandomStream(7), [32, 512])
 * @internal
 */
export function randomUniformFrom(stream: RandomStream, shape: readonly number[], options: Omit<RandomUniformOptions, "seed"> = {}): Tensor {
  const dims = checkedShape(shape, "randomUniform");
  const lo = options.minval ?? 0;
  const hi = options.maxval ?? 1;
  if (!(hi > lo)) throw new Error(`randomUniform: maxval (${hi}) must be greater than minval (${lo})`);
  const buf = allocBuffer("float32", dims, "randomUniform");
  const key = stream.next(buf.size);
  if (buf.size !== 0) backend().randomUniform(buf, key.seed, key.offset, lo, hi);
  return new Tensor(buf, dims, "float32");
}

/**
 * Wraps an existing native buffer as a tensor (runtime-internal; the tensor takes ownership).
 * @example fromBuffer(buf, [128, 10])
 * @internal
 */
export function fromBuffer(buf: NativeBuffer, shape: readonly number[], dtype: DType = buf.dtype): Tensor {
  const dims = checkedShape(shape, "fromBuffer");
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== buf.size) throw new Error(`fromBuffer: shape ${shapeStr(dims)} has ${size} elements but the buffer has ${buf.size}`);
  return new Tensor(buf, dims, dtype);
}

/**
 * A tensor holding a copy of host data (runtime-internal fast path: no nesting walk).
 * @example fromHost(new Float32Array([1, 2]), [2])
 * @internal
 */
export function fromHost(host: HostArray, shape: readonly number[], dtype: DType = typedArrayDType(host)): Tensor {
  const buf = backend().alloc(dtype, host.length);
  if (host.length !== 0) backend().upload(buf, host);
  return new Tensor(buf, shape, dtype);
}

function copyOf(t: Tensor): Tensor {
  const buf = backend().alloc(t.dtype, t.size);
  if (t.size !== 0) backend().copy(t.buffer, 0, buf, 0, t.size);
  return new Tensor(buf, t.shape, t.dtype);
}

function checkedShape(shape: readonly number[] | number, op: string): number[] {
  const dims = typeof shape === "number" ? [shape] : [...shape];
  for (let i = 0; i < dims.length; i++) {
    if (!Number.isInteger(dims[i]) || dims[i] < 0) {
      throw new Error(`${op}: shape ${shapeStr(dims)} has an invalid size ${dims[i]} at axis ${i} (sizes are integers ≥ 0)`);
    }
  }
  return dims;
}

function checkDTypeName(dtype: string, op: string): void {
  if (!DTYPES.includes(dtype as DType)) throw new TypeError(`${op}: unknown dtype '${dtype}'; allowed: ${DTYPES.join(", ")}`);
}

function hostArray(dtype: DType, n: number): HostArray {
  return dtype === "float32" ? new Float32Array(n) : dtype === "int32" ? new Int32Array(n) : new Uint8Array(n);
}

function typedArrayDType(a: ArrayBufferView): DType {
  if (a instanceof Int32Array || a instanceof Int16Array || a instanceof Int8Array || a instanceof Uint16Array) return "int32";
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return "uint8";
  return "float32";
}

function toHost(src: ArrayLike<number>, dtype: DType): HostArray {
  const want = hostArray(dtype, 0).constructor as { new (a: ArrayLike<number>): HostArray };
  if (src.constructor === want && dtype !== "bool") return new want(src); // copy: the tensor must not alias user memory
  if (dtype === "bool") {
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
    return out;
  }
  return new want(src);
}

// Rows may be arrays or typed arrays (a batch built from Float32Array rows).
function isRow(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function inferShape(data: unknown[]): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (isRow(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function firstLeaf(data: unknown): string {
  let level: unknown = data;
  while (isRow(level)) level = level[0];
  return typeof level;
}

function flattenInto(data: unknown, shape: number[], axis: number, out: HostArray, pos: { i: number }, path: number[] = []): void {
  if (axis === shape.length) {
    if (typeof data === "number") out[pos.i++] = data;
    else if (typeof data === "boolean") out[pos.i++] = data ? 1 : 0;
    else {
      throw new TypeError(
        `tensor: element at [${path.join(", ")}] is ${isRow(data) ? "an array" : String(data)}; expected a number` +
          (isRow(data) ? " (the nesting there is deeper than that of the first element)" : ""),
      );
    }
    return;
  }
  if (!isRow(data) || data.length !== shape[axis]) {
    const got = isRow(data) ? `length ${data.length}` : `a ${typeof data}`;
    throw new Error(`tensor: the nested arrays are ragged: element [${path.join(", ")}] has ${got} where ${shape[axis]} was expected (from the first element at that depth)`);
  }
  for (let k = 0; k < data.length; k++) {
    path.push(k);
    flattenInto(data[k], shape, axis + 1, out, pos, path);
    path.pop();
  }
}
