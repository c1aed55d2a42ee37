/**
 * Precision = TP / (TP + FP) and recall = TP / (TP + FN), counted over every element with
 * predictions thresholded at 0.5 (0 on logits), accumulated over the epoch as Keras does.
 */
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { Metric, THRESHOLD_OPTIONS, type MetricConfig, type ThresholdOptions, type UpdateContext } from "./metric.js";
import { checkOptions } from "../options.js";
import { Accumulator } from "./accumulator.js";

abstract class ConfusionMetric extends Metric {
  // [true positives, predicted positives, actual positives], summed on the backend.
  private readonly counts = new Accumulator(3);
  /** Predictions above it count as positive. */
  readonly threshold: number;

  constructor(name: string, options?: ThresholdOptions) {
    super(name);
    this.threshold = checkOptions(new.target.name, options, THRESHOLD_OPTIONS).threshold ?? 0.5;
  }

  override getConfig(): MetricConfig {
    return { ...super.getConfig(), threshold: this.threshold };
  }

  update(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext = { logits: false }): void {
    const t = ctx.logits ? Math.log(this.threshold / (1 - this.threshold)) : this.threshold;
    let y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
    if (y.ndim === yPred.ndim - 1) y = y.reshape([...y.shape, 1]);
    if (y.size !== yPred.size) {
      throw new Error(`${this.name}: labels of shape [${yTrue.shape.join(", ")}] do not match predictions of shape [${yPred.shape.join(", ")}] (precision and recall need one label per output: use utils.toCategorical for class indices)`);
    }
    const pos = ops.cast(ops.greater(yPred, t), "float32");
    const truth = ops.cast(ops.greater(y, 0.5), "float32");
    this.counts.add(ops.stack([ops.sum(ops.mul(pos, truth)), ops.sum(pos), ops.sum(truth)]));
  }

  /** [tp, fp, fn] so far. */
  protected confusion(): [number, number, number] {
    const [tp, predicted, actual] = this.counts.values();
    return [tp, predicted - tp, actual - tp];
  }

  reset(): void {
    this.counts.reset();
  }
}

/**
 * TP / (TP + FP) over the epoch.
 * @example new metrics.Precision()
 */
export class Precision extends ConfusionMetric {
  readonly className: string = "Precision";
  constructor(name = "precision", options?: ThresholdOptions) {
    super(name, options);
  }
  /** Precision so far. */
  result(): number {
    const [tp, fp] = this.confusion();
    return tp + fp === 0 ? 0 : tp / (tp + fp);
  }
}

/**
 * TP / (TP + FN) over the epoch.
 * @example new metrics.Recall()
 */
export class Recall extends ConfusionMetric {
  readonly className: string = "Recall";
  constructor(name = "recall", options?: ThresholdOptions) {
    super(name, options);
  }
  /** Recall so far. */
  result(): number {
    const [tp, , fn] = this.confusion();
    return tp + fn === 0 ? 0 : tp / (tp + fn);
  }
}
