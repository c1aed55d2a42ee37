/**
 * The loss interface: a named function of (yTrue, yPred) → scalar mean over the batch.
 */
import type { Tensor } from "../tensor/tensor.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import { inspect } from "node:util";
import { reprLine } from "../display/reprs.js";

/** Options of the losses (each also in snake_case: `from_logits`). */
export interface LossOptions {
  /** yPred holds logits (pre-activation) instead of probabilities. Default false. */
  fromLogits?: boolean;
}

const LOSS_OPTIONS: OptionTable<LossOptions> = { fromLogits: true };

/**
 * The base of every loss: `call(yTrue, yPred)` gives the mean over the batch.
 * @example new losses.CategoricalCrossentropy().call(yTrue, yPred).item()
 */
export abstract class Loss {
  /** Keras's snake_case name, e.g. "categorical_crossentropy". */
  abstract readonly name: string;
  /** Whether predictions are logits rather than probabilities. */
  readonly fromLogits: boolean;

  constructor(options?: WithSnakeCase<LossOptions>) {
    this.fromLogits = checkOptions(new.target.name, options, LOSS_OPTIONS).fromLogits ?? false;
  }

  /** The mean loss over the batch (a scalar tensor). */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /**
   * When fit may compute this loss from the logits of a final softmax with the fused
   * softmax-cross-entropy kernel: "sparse" or "onehot" labels; null when it cannot.
   */
  softmaxFusion(): "sparse" | "onehot" | null {
    return null;
  }

  /** The serializable form. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, fromLogits: this.fromLogits };
  }

  /** The options that define this loss, by their Keras names, for its one line (the cross-entropies: from_logits). */
  protected reprFields(): Record<string, unknown> {
    return { from_logits: this.fromLogits };
  }

  /**
   * A Keras-like line: the class and its defining options.
   * @example String(new losses.CategoricalCrossentropy()) // "<CategoricalCrossentropy from_logits=False>"
   */
  toString(): string {
    return reprLine(this.constructor.name, this.reprFields());
  }

  /** How console.log, util.inspect and a cell's value show a loss: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}
