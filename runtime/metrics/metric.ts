/**
 * A metric keeps running state over an epoch: `update(yTrue, yPred)` per batch, `result()`
 * for the running value, `reset()` at the start of each epoch (as Keras's stateful metrics).
 */
import type { Tensor } from "../tensor/tensor.js";

export interface UpdateContext {
  /** yPred holds logits (the softmax or sigmoid was fused into the loss). */
  logits: boolean;
}

export abstract class Metric {
  /** The key in logs and History ("accuracy", "mae", …). */
  name: string;

  constructor(name: string) {
    this.name = name;
  }

  abstract update(yTrue: Tensor, yPred: Tensor, ctx?: UpdateContext): void;
  abstract result(): number;
  abstract reset(): void;
}

/** A metric that is the mean over samples of a per-batch value (accuracy, mae, mse). */
export abstract class MeanMetric extends Metric {
  protected total = 0;
  protected count = 0;

  /** Sum over the batch's samples (a scalar tensor) and the number of samples. */
  protected abstract batchSum(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext): [Tensor, number];

  update(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext = { logits: false }): void {
    const [s, n] = this.batchSum(yTrue, yPred, ctx);
    this.total += s.item();
    this.count += n;
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}
