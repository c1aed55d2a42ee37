/**
 * Precision = TP / (TP + FP) and recall = TP / (TP + FN), counted over every element with
 * predictions thresholded at 0.5 (0 on logits), accumulated over the epoch as Keras does.
 */
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { Metric, type UpdateContext } from "./metric.js";

abstract class ConfusionMetric extends Metric {
  protected tp = 0;
  protected fp = 0;
  protected fn = 0;
  /** Predictions above it count as positive. */
  readonly threshold: number;

  constructor(name: string, options: { threshold?: number } = {}) {
    super(name);
    this.threshold = options.threshold ?? 0.5;
  }

  update(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext = { logits: false }): void {
    const t = ctx.logits ? Math.log(this.threshold / (1 - this.threshold)) : this.threshold;
    let y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
    if (y.ndim === yPred.ndim - 1) y = y.reshape([...y.shape, 1]);
    const pos = ops.cast(ops.greater(yPred, t), "float32");
    const truth = ops.cast(ops.greater(y, 0.5), "float32");
    const tp = ops.sum(ops.mul(pos, truth)).item();
    this.tp += tp;
    this.fp += ops.sum(pos).item() - tp;
    this.fn += ops.sum(truth).item() - tp;
  }

  reset(): void {
    this.tp = this.fp = this.fn = 0;
  }
}

/**
 * TP / (TP + FP) over the epoch.
 * @example new metrics.Precision()
 */
export class Precision extends ConfusionMetric {
  constructor(name = "precision", options: { threshold?: number } = {}) {
    super(name, options);
  }
  /** Precision so far. */
  result(): number {
    return this.tp + this.fp === 0 ? 0 : this.tp / (this.tp + this.fp);
  }
}

/**
 * TP / (TP + FN) over the epoch.
 * @example new metrics.Recall()
 */
export class Recall extends ConfusionMetric {
  constructor(name = "recall", options: { threshold?: number } = {}) {
    super(name, options);
  }
  /** Recall so far. */
  result(): number {
    return this.tp + this.fn === 0 ? 0 : this.tp / (this.tp + this.fn);
  }
}
