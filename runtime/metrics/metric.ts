/**
 * A metric keeps running state over an epoch: `update(yTrue, yPred)` per batch, `result()`
 * for the running value, `reset()` at the start of each epoch (as Keras's stateful metrics).
 */
import type { Tensor } from "../tensor/tensor.js";
import { Accumulator } from "./accumulator.js";

export interface UpdateContext {
  /** yPred holds logits (the softmax or sigmoid was fused into the loss). */
  logits: boolean;
}

/**
 * The base of every metric: running state over an epoch.
 * @example const m = new metrics.Precision(); m.update(yTrue, yPred); m.result()
 */
export abstract class Metric {
  /** The key in logs and History ("accuracy", "mae", …). */
  name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** Adds one batch to the running state. */
  abstract update(yTrue: Tensor, yPred: Tensor, ctx?: UpdateContext): void;
  /** The value over every batch since the last reset. */
  abstract result(): number;
  /** Clears the state (fit does it at each epoch's start). */
  abstract reset(): void;
}

/**
 * A metric that is the mean over samples of a per-sample value (accuracy, mae, mse).
 * @example class Hits extends MeanMetric { protected batchSum(y: Tensor, p: Tensor): [Tensor, number] { return [p.sum(), p.shape[0]]; } }
 */
export abstract class MeanMetric extends Metric {
  // The sum stays on the backend; only the sample count is kept in JS.
  private readonly total = new Accumulator(1);
  protected count = 0;

  /** Sum over the batch's samples (a scalar tensor) and the number of samples. */
  protected abstract batchSum(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext): [Tensor, number];

  /** Adds one batch to the running mean. */
  update(yTrue: Tensor, yPred: Tensor, ctx: UpdateContext = { logits: false }): void {
    const [s, n] = this.batchSum(yTrue, yPred, ctx);
    this.total.add(s);
    this.count += n;
  }

  /** The mean over every sample since the last reset. */
  result(): number {
    return this.count === 0 ? 0 : this.total.values()[0] / this.count;
  }

  /** Clears the running mean. */
  reset(): void {
    this.total.reset();
    this.count = 0;
  }
}
