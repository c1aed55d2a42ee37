/**
 * Element-wise arithmetic with NumPy broadcasting: add, sub, mul, div, pow, maximum, minimum.
 * Each op's forward and backward sit together; the backward of a broadcast input is summed
 * back to that input's shape (`unbroadcast`).
 *
 * Dtypes: float32 if either side is float32 (or a non-integer number), int32 when both sides
 * are integers (uint8/bool promote to int32); div and pow always give float32.
 */
import type { BinaryOp, DType } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import { Tensor, type TensorLike } from "../tensor/tensor.js";
import { allocFor, asTensor, broadcastShapes, castTo, sizeOf, wrap } from "./util.js";
import { sumTo } from "./unbroadcast.js";
import { log } from "./math.js";

/**
 * The gradients of a binary op at the output's (broadcast) shape; `needA`/`needB` say which the
 * tape wants, so an input that is data (a Dropout mask, a scalar) costs no backward work. Either
 * side may be a plain number (`2 * t`, `t / 2`); that side's gradient is never asked for.
 */
type BinaryGrad = (dy: Tensor, a: Tensor | number, b: Tensor | number, out: Tensor, needA: boolean, needB: boolean) => [Tensor | null, Tensor | null];

/**
 * The shared forward of every broadcasting binary op, and its tape record. `grad` is called
 * only when some input is watched.
 */
function binaryOp(name: string, op: BinaryOp, x: TensorLike, y: TensorLike, grad: BinaryGrad, floatOnly = false): Tensor {
  const xIsNum = typeof x === "number";
  const yIsNum = typeof y === "number";
  if (xIsNum && !yIsNum) {
    // s op t: use the scalar kernel with the scalar first.
    const b = asTensor(y, name, "second argument");
    const dtype = resultDType(b, x, floatOnly);
    const B = castTo(b, dtype);
    const buf = backend().alloc(dtype, B.size);
    if (B.size !== 0) backend().binaryScalar(op, B.buffer, x, buf, true);
    const out = wrap(buf, B.shape, dtype);
    if (needsGrad(B)) {
      record(name, out, [B], (dy) => {
        const [, db] = grad(dy, x, B, out, false, true);
        return [db];
      });
    }
    return out;
  }
  const a = asTensor(x, name, "first argument");
  if (yIsNum) {
    const dtype = resultDType(a, y, floatOnly);
    const A = castTo(a, dtype);
    const buf = backend().alloc(dtype, A.size);
    if (A.size !== 0) backend().binaryScalar(op, A.buffer, y, buf, false);
    const out = wrap(buf, A.shape, dtype);
    if (needsGrad(A)) record(name, out, [A], (dy) => [grad(dy, A, y, out, true, false)[0]]);
    return out;
  }
  const b = asTensor(y, name, "second argument");
  const dtype = resultDType(a, b, floatOnly);
  const A = castTo(a, dtype);
  const B = castTo(b, dtype);
  const shape = broadcastShapes(A.shape, B.shape, name);
  const buf = allocFor(dtype, shape);
  if (buf.size !== 0) backend().binary(op, A.buffer, A.shape as number[], B.buffer, B.shape as number[], buf, shape);
  const out = wrap(buf, shape, dtype);
  const ga = needsGrad(A);
  const gb = needsGrad(B);
  if (ga || gb) {
    record(name, out, [A, B], (dy) => {
      // The flags let a grad skip work; a grad that ignores them (add's) costs no reduction here.
      const [da, db] = grad(dy, A, B, out, ga, gb);
      return [ga && da ? sumTo(da, A.shape) : null, gb && db ? sumTo(db, B.shape) : null];
    });
  }
  return out;
}

function resultDType(a: Tensor, b: Tensor | number, floatOnly: boolean): DType {
  if (floatOnly || a.dtype === "float32") return "float32";
  if (typeof b === "number") return Number.isInteger(b) ? "int32" : "float32";
  return b.dtype === "float32" ? "float32" : "int32";
}

/**
 * a + b, broadcasting.
 * @example add(tensor([[1, -1], [0, 2]]), tensor([1, 0])) // [[2, -1], [1, 2]]
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp("add", "add", a, b, addGrad);
}
const addGrad: BinaryGrad = (dy) => [dy, dy];

/**
 * a − b, broadcasting.
 * @example sub(tensor([5, 7]), 2) // [3, 5]
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp("sub", "sub", a, b, subGrad);
}
const subGrad: BinaryGrad = (dy, _A, _B, _out, _na, nb) => [dy, nb ? neg(dy) : null];

/**
 * a · b element-wise, broadcasting.
 * @example mul(tensor([1, 2]), tensor([[1], [10]])) // [[1, 2], [10, 20]]
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp("mul", "mul", a, b, mulGrad);
}
const mulGrad: BinaryGrad = (dy, A, B, _out, na, nb) => [na ? mul(dy, B) : null, nb ? mul(dy, A) : null];

/**
 * a / b element-wise, broadcasting; always float32.
 * @example div(images.astype("float32"), 255)
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp("div", "div", a, b, divGrad, true);
}
// d(a/b)/da = 1/b; d(a/b)/db = −a/b² = −out/b (reuses the forward output).
const divGrad: BinaryGrad = (dy, _A, B, out, na, nb) => [na ? div(dy, B) : null, nb ? neg(mul(dy, div(out, B))) : null];

/**
 * aᵇ element-wise, broadcasting; always float32.
 * @example pow(tensor([2, 3]), 2) // [4, 9]
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  // d(aᵇ)/da = b·aᵇ⁻¹; d(aᵇ)/db = aᵇ·ln a (defined for a > 0).
  return binaryOp(
    "pow", "pow", a, b,
    (dy, A, B, out, na, nb) => [
      na ? mul(dy, mul(B, pow(A, typeof B === "number" ? B - 1 : sub(B, 1)))) : null,
      nb ? mul(dy, mul(out, typeof A === "number" ? Math.log(A) : log(A))) : null,
    ],
    true,
  );
}

/**
 * The element-wise larger of a and b, broadcasting; `maximum(t, 0)` is relu.
 * @example maximum(tensor([-1, 2]), 0) // [0, 2]
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  // The gradient flows to a where a ≥ b (ties go to a, as TensorFlow does), else to b.
  return binaryOp("maximum", "maximum", a, b, (dy, A, B, _out, na, nb) => maskGrads(dy, compareToFloat("greater_equal", A, B), na, nb));
}

/**
 * The element-wise smaller of a and b, broadcasting.
 * @example minimum(tensor([-1, 2]), 1) // [-1, 1]
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp("minimum", "minimum", a, b, (dy, A, B, _out, na, nb) => maskGrads(dy, compareToFloat("less_equal", A, B), na, nb));
}

/** dy where the mask is 1 goes to a, where it is 0 to b (maximum and minimum). */
function maskGrads(dy: Tensor, mask: Tensor, needA: boolean, needB: boolean): [Tensor | null, Tensor | null] {
  return [needA ? mul(dy, mask) : null, needB ? mul(dy, sub(1, mask)) : null];
}

/**
 * −x.
 * @example neg(tensor([1, -2])) // [-1, 2]
 */
export function neg(x: TensorLike): Tensor {
  const t = asTensor(x, "neg");
  if (t.dtype !== "float32") return binaryOp("neg", "sub", 0, t, () => [null, null]);
  const buf = backend().alloc("float32", t.size);
  if (t.size !== 0) backend().unary("neg", t.buffer, buf);
  const out = wrap(buf, t.shape, "float32");
  if (needsGrad(t)) record("neg", out, [t], (dy) => [neg(dy)]);
  return out;
}

/** A 0/1 float32 mask of `a op b` at the broadcast shape (for gradients); one side may be a number. */
function compareToFloat(op: BinaryOp, a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === "number" || typeof b === "number") {
    const scalarFirst = typeof a === "number";
    const t = (scalarFirst ? b : a) as Tensor;
    const buf = backend().alloc("float32", t.size);
    if (t.size !== 0) backend().binaryScalar(op, t.buffer, (scalarFirst ? a : b) as number, buf, scalarFirst);
    return wrap(buf, t.shape, "float32");
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const buf = backend().alloc("float32", sizeOf(shape));
  if (buf.size !== 0) backend().binary(op, a.buffer, a.shape as number[], b.buffer, b.shape as number[], buf, shape);
  return wrap(buf, shape, "float32");
}

/**
 * x limited to [lo, hi] element-wise; the gradient flows where x is inside.
 * @example clip(tensor([-2, 0.5, 3]), 0, 1) // [0, 0.5, 1]
 */
export function clip(x: TensorLike, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new Error(`clip: lo (${lo}) must not exceed hi (${hi})`);
  return minimum(maximum(x, lo), hi);
}
