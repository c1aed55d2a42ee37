/**
 * dense(x, kernel, bias, activation) = activation(x · kernel + bias), fused: one GEMM whose
 * epilogue adds the bias and applies the activation. This is what a Dense layer runs in fit.
 *
 * Backward (micrograd style, next to the forward):
 *   dZ = dY · act'(Z)    (the backend's unaryGrad, from the saved output Y)
 *   dW = xᵀ · dZ         (one GEMM with transA)
 *   db = Σ_rows dZ       (one reduction over axis 0)
 *   dx = dZ · Wᵀ         (one GEMM with transB; skipped when x needs no gradient, e.g. the input batch)
 */
import type { EpilogueActivation } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, checkDType, shapeStr, toFloat, wrap } from "./util.js";
import { reshape } from "./reshape.js";
import { unaryGradOf } from "./unary.js";

const ACTIVATIONS: readonly EpilogueActivation[] = ["linear", "relu", "sigmoid", "tanh"];

/**
 * activation(x · kernel + bias) in one fused kernel; x is [..., inputDim], kernel
 * [inputDim, units], bias [units] or null.
 * @example dense(batch, w1, b1, "relu").shape // [128, 512]
 */
export function dense(x: TensorLike, kernel: Tensor, bias: Tensor | null = null, activation: EpilogueActivation = "linear"): Tensor {
  const xt0 = toFloat(asTensor(x, "dense", "input"));
  checkDType(kernel, ["float32"], "dense", "the kernel");
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`dense: activation '${activation}' cannot be fused; allowed: ${ACTIVATIONS.join(", ")} (apply others after a linear dense)`);
  }
  if (kernel.ndim !== 2) throw new Error(`dense: the kernel must be a matrix [inputDim, units]; received shape ${shapeStr(kernel.shape)}`);
  if (xt0.ndim === 0) throw new Error(`dense: the input must have at least one axis; received a rank-0 tensor`);
  const [k, n] = kernel.shape;
  const inDim = xt0.shape[xt0.ndim - 1];
  if (inDim !== k) {
    throw new Error(`dense: input shape ${shapeStr(xt0.shape)} and kernel shape ${shapeStr(kernel.shape)} do not line up (${inDim} ≠ ${k})`);
  }
  if (bias !== null) {
    checkDType(bias, ["float32"], "dense", "the bias");
    if (bias.size !== n || bias.ndim !== 1) throw new Error(`dense: the bias must have shape [${n}] (one per unit); received ${shapeStr(bias.shape)}`);
  }
  // Leading axes are flattened into rows, as Keras's Dense acts on the last axis.
  const xt = xt0.ndim === 2 ? xt0 : reshape(xt0, [xt0.size / Math.max(1, k), k]);
  const m = xt.shape[0];
  const be = backend();
  const buf = be.alloc("float32", m * n);
  if (m * n !== 0) be.matmul(xt.buffer, kernel.buffer, buf, { m, n, k, bias: bias === null ? null : bias.buffer, activation });
  const out = wrap(buf, [m, n], "float32");
  const gx = needsGrad(xt);
  const gw = needsGrad(kernel);
  const gb = bias !== null && needsGrad(bias);
  if (gx || gw || gb) {
    record("dense", out, bias === null ? [xt, kernel] : [xt, kernel, bias], (dy) => {
      const dz = activation === "linear" ? dy : unaryGradOf(activation, out, dy);
      let dx: Tensor | null = null;
      let dw: Tensor | null = null;
      let db: Tensor | null = null;
      if (gw) {
        const b = be.alloc("float32", k * n);
        be.matmul(xt.buffer, dz.buffer, b, { m: k, n, k: m, transA: true });
        dw = wrap(b, kernel.shape, "float32");
      }
      if (gb) {
        const b = be.alloc("float32", n);
        be.reduce("sum", dz.buffer, [m, n], [0], b);
        db = wrap(b, [n], "float32");
      }
      if (gx) {
        const b = be.alloc("float32", m * k);
        be.matmul(dz.buffer, kernel.buffer, b, { m, n: k, k: n, transB: true });
        dx = wrap(b, xt.shape, "float32");
      }
      return bias === null ? [dx, dw] : [dx, dw, db];
    });
  }
  return xt0.ndim === 2 ? out : reshape(out, [...xt0.shape.slice(0, -1), n]);
}
