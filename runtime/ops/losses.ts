/**
 * softmaxCrossEntropy(logits, labels): the cross-entropy of softmax(logits) against labels, in
 * one fused backend pass that also writes the gradient (softmax − onehot)/rows. The backward
 * reuses that gradient, scaled by the upstream one — no second pass over the logits.
 */
import { isUnitGradient, needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, castTo, checkDType, shapeStr, toFloat, wrap } from "./util.js";
import { mul } from "./arithmetic.js";
import { reshape } from "./reshape.js";
import { checkOptions, type OptionTable } from "../options.js";

/** Options of `softmaxCrossEntropy`. */
export interface SoftmaxCrossEntropyOptions {
  /**
   * true: labels are class indices (shape [rows]); false: one-hot or probability rows
   * (shape [rows, classes]). Default: inferred from the labels' rank.
   */
  sparse?: boolean;
  /** "mean" (default) gives a scalar; "sum" a scalar sum; "none" the loss of each row. */
  reduction?: "mean" | "sum" | "none";
}

const SOFTMAX_CROSS_ENTROPY_OPTIONS: OptionTable<SoftmaxCrossEntropyOptions> = { sparse: true, reduction: true };

/**
 * Cross-entropy of softmax(logits) against labels, fused and numerically stable.
 * @example softmaxCrossEntropy(logits, labels, { sparse: true }) // scalar mean loss
 */
export function softmaxCrossEntropy(logits: TensorLike, labels: TensorLike, options?: SoftmaxCrossEntropyOptions): Tensor {
  const o = checkOptions("softmaxCrossEntropy", options, SOFTMAX_CROSS_ENTROPY_OPTIONS);
  return softmaxCrossEntropyOf(logits, labels, o.sparse, o.reduction);
}

/**
 * softmaxCrossEntropy without the options object: what the losses and fit call on every batch,
 * where checking an options object each time would be work for nothing. @internal
 */
export function softmaxCrossEntropyOf(logits: TensorLike, labels: TensorLike, sparseLabels?: boolean, reductionOf?: SoftmaxCrossEntropyOptions["reduction"]): Tensor {
  const z0 = asTensor(logits, "softmaxCrossEntropy", "logits");
  checkDType(z0, ["float32"], "softmaxCrossEntropy", "logits");
  if (z0.ndim === 0) throw new Error(`softmaxCrossEntropy: logits must have a class axis; received a rank-0 tensor`);
  const cols = z0.shape[z0.ndim - 1];
  const rows = cols === 0 ? 0 : z0.size / cols;
  const y0 = asTensor(labels, "softmaxCrossEntropy", "labels");
  const sparse = sparseLabels ?? y0.ndim === z0.ndim - 1;
  const reduction = reductionOf ?? "mean";
  let y: Tensor;
  if (sparse) {
    if (y0.size !== rows) {
      throw new Error(`softmaxCrossEntropy: sparse labels need one class index per row: logits ${shapeStr(z0.shape)} have ${rows} rows, labels have shape ${shapeStr(y0.shape)}`);
    }
    y = castTo(y0, "int32");
  } else {
    if (y0.size !== z0.size) {
      throw new Error(`softmaxCrossEntropy: one-hot labels must have the logits' shape ${shapeStr(z0.shape)}; received ${shapeStr(y0.shape)} (for class indices pass { sparse: true })`);
    }
    y = toFloat(y0);
  }
  const z = z0;
  const be = backend();
  const lossRows = be.alloc("float32", rows);
  const track = needsGrad(z);
  const gradBuf = track ? be.alloc("float32", z.size) : null;
  const scale = reduction === "mean" ? 1 / Math.max(1, rows) : 1;
  if (rows !== 0) {
    try {
      be.softmaxCrossEntropy(z.buffer, y.buffer, sparse ? "sparse" : "onehot", rows, cols, lossRows, gradBuf, scale);
    } catch (err) {
      const msg = (err as Error).message.replace(/^softmaxCrossEntropy: /, "");
      throw new Error(`softmaxCrossEntropy: ${msg}${sparse ? ` (class indices must be in 0..${cols - 1})` : ""}`);
    }
  }
  const perRow = wrap(lossRows, z0.shape.slice(0, -1), "float32");
  let out: Tensor;
  if (reduction === "none") out = perRow;
  else {
    const s = be.alloc("float32", 1);
    if (rows !== 0) be.reduce(reduction, lossRows, [rows], [0], s);
    else be.fill(s, 0);
    out = wrap(s, [], "float32");
  }
  if (gradBuf !== null) {
    const grad = wrap(gradBuf, z.shape, "float32");
    record("softmaxCrossEntropy", out, [z], (dy) =>
      // The gradient was written in the forward pass: used as is when the loss is what is being
      // differentiated, else scaled by the upstream gradient (one value per row for "none").
      [isUnitGradient(dy) ? grad : reduction === "none" ? mul(grad, reshape(dy, [...dy.shape, 1])) : mul(grad, dy)],
    );
  }
  return out;
}
