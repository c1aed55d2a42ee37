/**
 * Matrix products: matmul (NumPy's `@`, batched over leading axes) and dot (NumPy's dot for
 * rank ≤ 2). Forward is one backend GEMM; backward is two more, with transpose flags instead
 * of transposed copies: dA = dY·Bᵀ, dB = Aᵀ·dY.
 */
import type { MatmulOptions } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { allocFor, asTensor, checkDType, shapeStr, wrap } from "./util.js";
import { reshape } from "./reshape.js";
import { sum } from "./reduce.js";
import { mul } from "./arithmetic.js";

/**
 * The matrix product of the last two axes, batched (and broadcast when one side is a plain
 * matrix) over the leading ones; a 1-D operand is a vector, as in NumPy.
 * @example matmul(randomNormal([128, 784]), randomNormal([784, 512])).shape // [128, 512]
 */
export function matmul(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x, "matmul", "first argument");
  const b = asTensor(y, "matmul", "second argument");
  checkDType(a, ["float32"], "matmul", "the first argument");
  checkDType(b, ["float32"], "matmul", "the second argument");
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: operands must have at least one axis (received shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}); multiply by a scalar with mul`);
  }
  if (a.ndim === 1 && b.ndim === 1) {
    checkInner(a.shape, b.shape, a.shape[0], b.shape[0]);
    return reshape(matmulCore(reshape(a, [1, a.shape[0]]), reshape(b, [b.shape[0], 1]), a.shape, b.shape), []);
  }
  if (a.ndim === 1) {
    const out = matmulCore(reshape(a, [1, a.shape[0]]), b, a.shape, b.shape);
    return reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]]);
  }
  if (b.ndim === 1) {
    const out = matmulCore(a, reshape(b, [b.shape[0], 1]), a.shape, b.shape);
    return reshape(out, out.shape.slice(0, -1));
  }
  return matmulCore(a, b, a.shape, b.shape);
}

/**
 * NumPy's dot for scalars, vectors and matrices: the inner product of two vectors, the
 * matrix–vector or matrix–matrix product, or a scaling when one side is a scalar.
 * @example dot(tensor([[1, -1], [0, 2]]), tensor([1, 0])) // [1, 0]
 */
export function dot(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x, "dot", "first argument");
  const b = asTensor(y, "dot", "second argument");
  if (a.ndim === 0 || b.ndim === 0) return mul(a, b);
  if (a.ndim > 2 || b.ndim > 2) {
    throw new Error(`dot: supports tensors of rank ≤ 2 (received shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}); use matmul for batches of matrices`);
  }
  return matmul(a, b);
}

function checkInner(aShape: readonly number[], bShape: readonly number[], ka: number, kb: number): void {
  if (ka !== kb) {
    throw new Error(`matmul: shapes ${shapeStr(aShape)} and ${shapeStr(bShape)} do not line up (${ka} ≠ ${kb})`);
  }
}

/** a [..., m, k] · b [..., k, n]; the user's shapes are passed for messages. */
function matmulCore(a: Tensor, b: Tensor, userA: readonly number[], userB: readonly number[]): Tensor {
  const ra = a.ndim;
  const rb = b.ndim;
  const m = a.shape[ra - 2];
  const k = a.shape[ra - 1];
  const n = b.shape[rb - 1];
  checkInner(userA, userB, k, b.shape[rb - 2]);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batchShape: readonly number[];
  if (aBatch.length === 0) batchShape = bBatch;
  else if (bBatch.length === 0) batchShape = aBatch;
  else if (aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i])) batchShape = aBatch;
  else {
    throw new Error(
      `matmul: the batch axes of ${shapeStr(userA)} and ${shapeStr(userB)} differ (${shapeStr(aBatch)} vs ${shapeStr(bBatch)}); ` +
        `they must be equal, or one operand a plain matrix`,
    );
  }
  let batch = 1;
  for (const d of batchShape) batch *= d;
  const outShape = [...batchShape, m, n];
  const buf = allocFor("float32", outShape);
  const opts: MatmulOptions = { m, n, k };
  if (batch !== 1 || batchShape.length !== 0) {
    opts.batch = batch;
    opts.strideA = aBatch.length ? m * k : 0;
    opts.strideB = bBatch.length ? k * n : 0;
    opts.strideC = m * n;
  }
  if (buf.size !== 0) backend().matmul(a.buffer, b.buffer, buf, opts);
  const out = wrap(buf, outShape, "float32");
  const ga = needsGrad(a);
  const gb = needsGrad(b);
  if (ga || gb) {
    record("matmul", out, [a, b], (dy) => [
      ga ? gradA(dy, b, a.shape, aBatch.length === 0, bBatch.length === 0, batch, m, n, k) : null,
      gb ? gradB(dy, a, b.shape, aBatch.length === 0, bBatch.length === 0, batch, m, n, k) : null,
    ]);
  }
  return out;
}

/** dA = dY · Bᵀ (summed over the batch when A was broadcast). */
function gradA(dy: Tensor, b: Tensor, aShape: readonly number[], aPlain: boolean, bPlain: boolean, batch: number, m: number, n: number, k: number): Tensor {
  if (batch === 1 || (bPlain && !aPlain)) {
    // With B a plain matrix, all batches stack into one GEMM: [batch·m, n] · Bᵀ.
    const rows = batch * m;
    const buf = backend().alloc("float32", rows * k);
    backend().matmul(dy.buffer, b.buffer, buf, { m: rows, n: k, k: n, transB: true });
    return wrap(buf, aShape, "float32");
  }
  const buf = backend().alloc("float32", batch * m * k);
  backend().matmul(dy.buffer, b.buffer, buf, { m, n: k, k: n, transB: true, batch, strideA: m * n, strideB: bPlain ? 0 : k * n, strideC: m * k });
  const full = wrap(buf, [batch, m, k], "float32");
  return aPlain ? sum(full, 0) : reshape(full, aShape);
}

/** dB = Aᵀ · dY (summed over the batch when B was broadcast). */
function gradB(dy: Tensor, a: Tensor, bShape: readonly number[], aPlain: boolean, bPlain: boolean, batch: number, m: number, n: number, k: number): Tensor {
  if (batch === 1 || (bPlain && !aPlain)) {
    // Σ_b A_bᵀ·dY_b is one GEMM over the stacked rows: [batch·m, k]ᵀ · [batch·m, n].
    const buf = backend().alloc("float32", k * n);
    backend().matmul(a.buffer, dy.buffer, buf, { m: k, n, k: batch * m, transA: true });
    return wrap(buf, bShape, "float32");
  }
  const buf = backend().alloc("float32", batch * k * n);
  backend().matmul(a.buffer, dy.buffer, buf, { m: k, n, k: m, transA: true, batch, strideA: aPlain ? 0 : m * k, strideB: m * n, strideC: k * n });
  const full = wrap(buf, [batch, k, n], "float32");
  return bPlain ? sum(full, 0) : reshape(full, bShape);
}
