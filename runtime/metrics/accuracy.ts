/**
 * Accuracies: the fraction of samples predicted right.
 *   categorical_accuracy:        argmax(yTrue) == argmax(yPred)
 *   sparse_categorical_accuracy: yTrue == argmax(yPred)
 *   binary_accuracy:             (yPred > threshold) == yTrue   (threshold 0.5; 0 on logits)
 * "accuracy" picks one of them from the loss, as Keras does.
 */
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { MeanMetric, THRESHOLD_OPTIONS, type MetricConfig, type ThresholdOptions, type UpdateContext } from "./metric.js";
import { checkOptions } from "../options.js";

function samples(t: Tensor): number {
  return t.ndim === 0 ? 1 : t.shape[0];
}

/**
 * Fraction of samples whose argmax matches the one-hot label's.
 * @example new metrics.CategoricalAccuracy()
 */
export class CategoricalAccuracy extends MeanMetric {
  readonly className: string = "CategoricalAccuracy";
  constructor(name = "categorical_accuracy") {
    super(name);
  }
  protected batchSum(yTrue: Tensor, yPred: Tensor): [Tensor, number] {
    const hits = ops.equal(ops.argmax(yTrue, -1), ops.argmax(yPred, -1));
    return [ops.sum(ops.cast(hits, "float32")), samples(yPred)];
  }
}

/**
 * Fraction of samples whose argmax equals the class index.
 * @example new metrics.SparseCategoricalAccuracy()
 */
export class SparseCategoricalAccuracy extends MeanMetric {
  readonly className: string = "SparseCategoricalAccuracy";
  constructor(name = "sparse_categorical_accuracy") {
    super(name);
  }
  protected batchSum(yTrue: Tensor, yPred: Tensor): [Tensor, number] {
    let labels = yTrue.ndim === yPred.ndim && yTrue.shape[yTrue.ndim - 1] === 1 ? yTrue.reshape(yTrue.shape.slice(0, -1) as number[]) : yTrue;
    if (labels.dtype !== "int32") labels = labels.astype("int32");
    const hits = ops.equal(labels, ops.argmax(yPred, -1));
    return [ops.sum(ops.cast(hits, "float32")), samples(yPred)];
  }
}

/**
 * Fraction of yes/no predictions right at a threshold (0.5).
 * @example new metrics.BinaryAccuracy("acc", { threshold: 0.5 })
 */
export class BinaryAccuracy extends MeanMetric {
  readonly className: string = "BinaryAccuracy";
  /** Predictions above it count as 1. */
  readonly threshold: number;
  constructor(name = "binary_accuracy", options?: ThresholdOptions) {
    super(name);
    this.threshold = checkOptions("BinaryAccuracy", options, THRESHOLD_OPTIONS).threshold ?? 0.5;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), threshold: this.threshold };
  }
  protected batchSum(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext): [Tensor, number] {
    // On logits, p > 0.5 ⇔ x > 0 (for the default threshold; others map through the logit).
    const t = ctx.logits ? Math.log(this.threshold / (1 - this.threshold)) : this.threshold;
    let y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
    if (y.ndim === yPred.ndim - 1) y = y.reshape([...y.shape, 1]);
    const predicted = ops.cast(ops.greater(yPred, t), "float32");
    const hits = ops.cast(ops.equal(predicted, ops.cast(ops.greater(y, 0.5), "float32")), "float32");
    // Mean over the last axis per sample, summed over samples.
    const perSample = yPred.ndim > 1 ? ops.mean(hits, -1) : hits;
    return [ops.sum(perSample), samples(yPred)];
  }
}
