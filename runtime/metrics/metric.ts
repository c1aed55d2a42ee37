/**
 * A metric keeps running state over an epoch: `update(yTrue, yPred)` per batch, `result()`
 * for the running value, `reset()` at the start of each epoch (as Keras's stateful metrics).
 */
import type { Tensor } from "../tensor/tensor.js";
import { Accumulator } from "./accumulator.js";
import type { OptionTable } from "../options.js";
import { inspect } from "node:util";
import { reprLine } from "../display/reprs.js";

/**
 * A metric's saved settings (`getConfig()`): its name in logs, and the threshold of the metrics
 * that have one.
 */
export interface MetricConfig {
  /** The key in logs and History. */
  name: string;
  /** Where predictions count as positive (binary accuracy, precision, recall). */
  threshold?: number;
}

/** Options of the metrics with a threshold (BinaryAccuracy, Precision, Recall). */
export interface ThresholdOptions {
  /** Predictions above it count as positive. Default 0.5. */
  threshold?: number;
}

/** Every key of ThresholdOptions. */
export const THRESHOLD_OPTIONS: OptionTable<ThresholdOptions> = { threshold: true };

export interface UpdateContext {
  /** yPred holds logits (the softmax or sigmoid was fused into the loss). */
  logits: boolean;
}

/**
 * The base of every metric: running state over an epoch.
 * @example const m = new metrics.Precision(); m.update(yTrue, yPred); m.result()
 */
export abstract class Metric {
  /**
   * The class's saved name ("Precision"): `loadModel` rebuilds a built-in metric from it and
   * leaves out, with a warning, a class it does not know (a user's own metric). A subclass of a
   * built-in metric that keeps its parent's className is saved, and loaded, as the parent.
   */
  abstract readonly className: string;
  /** The key in logs and History ("accuracy", "mae", …). */
  name: string;

  constructor(name: string) {
    if (typeof name !== "string") {
      throw new Error(`${new.target.name}: the first argument is the metric's name (a string), received ${name === null ? "null" : typeof name}; options come second, e.g. new metrics.Precision("precision", { threshold: 0.7 })`);
    }
    this.name = name;
  }

  /** The settings `model.save` records, to rebuild the metric with. */
  getConfig(): MetricConfig {
    return { name: this.name };
  }

  /** Adds one batch to the running state. */
  abstract update(yTrue: Tensor, yPred: Tensor, ctx?: UpdateContext): void;
  /** The value over every batch since the last reset. */
  abstract result(): number;
  /** Clears the state (fit does it at each epoch's start). */
  abstract reset(): void;

  /**
   * Keras's line: the class, the name and the settings (Precision's threshold).
   * @example String(new metrics.Precision()) // "<Precision name=precision, threshold=0.5>"
   */
  toString(): string {
    return reprLine(this.className, { ...this.getConfig() });
  }

  /** How console.log, util.inspect and a cell's value show a metric: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A metric that is the mean over samples of a per-sample value (accuracy, mae, mse).
 * @example class Hits extends MeanMetric { readonly className = "Hits"; protected batchSum(y: Tensor, p: Tensor): [Tensor, number] { return [p.sum(), p.shape[0]]; } }
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
