/**
 * The tensor engine: which backend runs the kernels, and the scopes that release intermediates.
 *
 * Memory model (no dispose() in user code):
 * - every Tensor owns (or, for a reshape view, shares) a NativeBuffer whose finalizer frees it
 *   when the garbage collector drops the Tensor, and which reports its size to V8 as external
 *   memory, so plain user code never leaks;
 * - `withScope(fn)` releases at once every tensor created while `fn` runs, except what `fn`
 *   returns and Variables. fit/evaluate/predict wrap each batch in it so memory stays flat
 *   without waiting for the collector. It is runtime-internal: users never call it.
 */
import type { Backend, DType, NativeBuffer } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { shapeStr, type Tensor } from "./tensor.js";
import { setActiveTape } from "../autograd/tape.js";

/** The backend every op runs on (chosen on first use; `setBackend` may change it). */
export function backend(): Backend {
  return getBackend();
}

/** The most elements one buffer holds (the native library's limit). */
const MAX_ELEMENTS = 2 ** 40;
const ITEM_BYTES: Record<DType, number> = { float32: 4, int32: 4, uint8: 1, bool: 1 };

/**
 * A new, uninitialized buffer for a tensor of `shape`. The native allocator's errors speak of
 * elements and bytes; the user chose a shape (through `op`, when given), so these name both.
 *
 * @example const buf = allocBuffer("float32", [2, 3], "zeros");
 */
export function allocBuffer(dtype: DType, shape: readonly number[], op?: string): NativeBuffer {
  const size = shape.reduce((a, b) => a * b, 1);
  const by = op ? `${op}: ` : "";
  if (size > MAX_ELEMENTS) {
    throw new RangeError(`${by}shape ${shapeStr(shape)} has ${size} elements; a tensor holds at most 2^40 (${MAX_ELEMENTS})`);
  }
  try {
    return backend().alloc(dtype, size);
  } catch (e) {
    if (!(e instanceof RangeError) || !/out of memory/.test(e.message)) throw e;
    const bytes = size * ITEM_BYTES[dtype];
    throw new RangeError(`${by}not enough memory for a ${dtype} tensor of shape ${shapeStr(shape)} (${bytes} bytes) on ${backend().name}`, { cause: e });
  }
}

// One list per open scope; a tensor is pushed onto the innermost list when it is created.
const scopes: Tensor[][] = [];

/** Registers a freshly created tensor with the innermost scope (no-op outside any scope). */
export function track(t: Tensor): void {
  const n = scopes.length;
  if (n !== 0) scopes[n - 1].push(t);
}

/**
 * Runs `fn` and releases every tensor it created, except the tensors it returns (a Tensor, or
 * tensors found in a returned array or plain object, one level of nesting deep or more) and
 * Variables. Kept tensors move to the enclosing scope, so nested scopes compose.
 * `fn` must be synchronous: a scope cannot know when an awaited function is done.
 *
 * @example const loss = withScope(() => model.trainStep(x, y)); // intermediates freed here
 * @internal
 */
export function withScope<T>(fn: () => T): T {
  const created: Tensor[] = [];
  scopes.push(created);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    popScope(created);
    releaseAll(created, null);
    throw err;
  }
  popScope(created);
  if (result instanceof Promise) {
    releaseAll(created, null);
    throw new Error("withScope: the function returned a Promise; scopes only wrap synchronous work (await outside, scope inside)");
  }
  const keep = new Set<Tensor>();
  collectTensors(result, keep, 0);
  releaseAll(created, keep);
  return result;
}

/**
 * Takes a tensor created inside a scope out of it, so the scope's end leaves it alone (for
 * state kept across steps, such as an optimizer's slots). Returns the tensor.
 *
 * @example this.velocity = keep(zerosLike(w));
 * @internal
 */
export function keep<T extends Tensor>(t: T): T {
  t._persistent = true;
  if (t._base) t._base._persistent = true;
  return t;
}

/**
 * Forgets every open scope (their tensors are left to the garbage collector) and stops any
 * gradient recording. The kernel calls it as each cell starts: a Stop that terminates a
 * synchronous cell inside fit/evaluate/predict runs no `finally`, so that step's scope would
 * otherwise stay open and hold every later tensor, and its tape would keep recording.
 *
 * @example resetScopes(); // at the start of a cell
 * @internal
 */
export function resetScopes(): void {
  scopes.length = 0;
  setActiveTape(null);
}

/** How many scopes are open (tests use it to check that scopes close). @internal */
export function scopeDepth(): number {
  return scopes.length;
}

function popScope(created: Tensor[]): void {
  // Scopes are strictly nested because fn is synchronous; pop ours.
  const top = scopes.pop();
  if (top !== created) throw new Error("withScope: scopes were closed out of order");
}

function releaseAll(created: Tensor[], keep: Set<Tensor> | null): void {
  const parent = scopes.length !== 0 ? scopes[scopes.length - 1] : null;
  // A kept reshape view needs its base's buffer: keep the base too.
  if (keep) for (const t of keep) if (t._base) keep.add(t._base);
  for (const t of created) {
    if (t._persistent) continue;
    if (keep !== null && keep.has(t)) {
      if (parent) parent.push(t);
      continue;
    }
    t._release();
  }
}

function collectTensors(value: unknown, out: Set<Tensor>, depth: number): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const k in value as Record<string, unknown>) collectTensors((value as Record<string, unknown>)[k], out, depth + 1);
  }
}

function isTensor(v: object): v is Tensor {
  return (v as { _isTensor?: boolean })._isTensor === true;
}
