/**
 * Cross-entropies.
 *   categorical:        −Σ_c y_c · log p_c            (y one-hot, p = softmax output)
 *   sparse categorical: −log p_label                   (y class indices)
 *   binary:             −(y·log p + (1−y)·log(1−p))   averaged over the last axis
 * From probabilities, p is clipped to [ε, 1−ε] with ε = 1e-7 as Keras does; from logits the
 * stable forms are used (fused softmax cross-entropy; max(x,0) − x·y + log(1 + e^−|x|)).
 */
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { Loss } from "./loss.js";
import { softmaxCrossEntropyOf } from "../ops/losses.js";


const EPS = 1e-7;

/** Class indices as int32 of shape [batch] (accepts [batch, 1] and any numeric dtype). */
export function sparseLabels(yTrue: Tensor): Tensor {
  let y = yTrue.ndim === 2 && yTrue.shape[1] === 1 ? yTrue.reshape([yTrue.shape[0]]) : yTrue;
  if (y.ndim !== 1) throw new Error(`sparse_categorical_crossentropy: labels must be class indices of shape [batch] or [batch, 1], received shape [${yTrue.shape.join(", ")}]`);
  if (y.dtype !== "int32") y = y.astype("int32");
  return y;
}

function checkSameShape(name: string, yTrue: Tensor, yPred: Tensor): void {
  if (yTrue.shape.length !== yPred.shape.length || yTrue.shape.some((d, i) => d !== yPred.shape[i])) {
    const hint = name === "categorical_crossentropy" && yTrue.ndim === 1 ? " (labels look like class indices: use sparse_categorical_crossentropy or utils.toCategorical)" : "";
    throw new Error(`${name}: labels of shape [${yTrue.shape.join(", ")}] do not match predictions of shape [${yPred.shape.join(", ")}]${hint}`);
  }
}

/** Mean cross-entropy of one-hot labels against probabilities (renormalized and clipped, as Keras). */
function fromProbabilities(onehot: Tensor, yPred: Tensor): Tensor {
  const p = ops.clip(ops.div(yPred, ops.sum(yPred, -1, true)), EPS, 1 - EPS);
  return ops.mean(ops.neg(ops.sum(ops.mul(onehot, ops.log(p)), -1)));
}

/**
 * Cross-entropy against one-hot labels.
 * @example new losses.CategoricalCrossentropy({ fromLogits: true })
 */
export class CategoricalCrossentropy extends Loss {
  readonly name = "categorical_crossentropy";

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkSameShape(this.name, yTrue, yPred);
    const y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
    if (this.fromLogits) return softmaxCrossEntropyOf(yPred, y, false);
    return fromProbabilities(y, yPred);
  }

  override softmaxFusion(): "onehot" | null {
    return this.fromLogits ? null : "onehot";
  }
}

/**
 * Cross-entropy against class indices.
 * @example new losses.SparseCategoricalCrossentropy()
 */
export class SparseCategoricalCrossentropy extends Loss {
  readonly name = "sparse_categorical_crossentropy";

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const labels = sparseLabels(yTrue);
    if (this.fromLogits) return softmaxCrossEntropyOf(yPred, labels, true);
    return fromProbabilities(ops.oneHot(labels, yPred.shape[yPred.ndim - 1]), yPred);
  }

  override softmaxFusion(): "sparse" | null {
    return this.fromLogits ? null : "sparse";
  }
}

/**
 * Cross-entropy of yes/no targets (0 or 1) against probabilities or logits.
 * @example new losses.BinaryCrossentropy({ fromLogits: true })
 */
export class BinaryCrossentropy extends Loss {
  readonly name = "binary_crossentropy";

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    let y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
    if (y.ndim === yPred.ndim - 1) y = y.reshape([...y.shape, 1]);
    checkSameShape(this.name, y, yPred);
    let perElement: Tensor;
    if (this.fromLogits) {
      const x = yPred;
      perElement = ops.add(ops.sub(ops.relu(x), ops.mul(x, y)), ops.log(ops.add(ops.exp(ops.neg(ops.abs(x))), 1)));
    } else {
      const p = ops.clip(yPred, EPS, 1 - EPS);
      perElement = ops.neg(ops.add(ops.mul(y, ops.log(p)), ops.mul(ops.sub(1, y), ops.log(ops.sub(1, p)))));
    }
    return ops.mean(perElement);
  }
}
