/**
 * Regression losses (means over every element, i.e. over the last axis then the batch):
 *   mean_squared_error:  mean((y − p)²)
 *   mean_absolute_error: mean(|y − p|)
 *   huber:               mean(½e² if |e| ≤ δ else δ·(|e| − ½δ)),  e = y − p, δ = 1 by default
 */
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { Loss } from "./loss.js";
import { checkOptions, type OptionTable } from "../options.js";

/** Options of `new losses.Huber(options)`. */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

const HUBER_OPTIONS: OptionTable<HuberOptions> = { delta: true };

function aligned(name: string, yTrue: Tensor, yPred: Tensor): Tensor {
  let y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
  if (y.ndim === yPred.ndim - 1 && yPred.shape[yPred.ndim - 1] === 1) y = y.reshape([...y.shape, 1]);
  if (y.size !== yPred.size) throw new Error(`${name}: labels of shape [${yTrue.shape.join(", ")}] do not match predictions of shape [${yPred.shape.join(", ")}]`);
  return y;
}

/**
 * mean((y − p)²).
 * @example new losses.MeanSquaredError().call(yTrue, yPred)
 */
export class MeanSquaredError extends Loss {
  readonly name = "mean_squared_error";
  /** Nothing besides the class defines it (fromLogits means nothing here). */
  protected override reprFields(): Record<string, unknown> {
    return {};
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return ops.mean(ops.square(ops.sub(aligned(this.name, yTrue, yPred), yPred)));
  }
}

/**
 * mean(|y − p|).
 * @example new losses.MeanAbsoluteError().call(yTrue, yPred)
 */
export class MeanAbsoluteError extends Loss {
  readonly name = "mean_absolute_error";
  /** Nothing besides the class defines it (fromLogits means nothing here). */
  protected override reprFields(): Record<string, unknown> {
    return {};
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return ops.mean(ops.abs(ops.sub(aligned(this.name, yTrue, yPred), yPred)));
  }
}

/**
 * Quadratic for small errors, linear for large ones.
 * @example new losses.Huber({ delta: 1.0 })
 */
export class Huber extends Loss {
  readonly name = "huber";
  /** Where the loss turns from quadratic to linear. */
  readonly delta: number;

  /** @example new losses.Huber({ delta: 1.0 }) */
  constructor(options?: HuberOptions) {
    super();
    this.delta = checkOptions("Huber", options, HUBER_OPTIONS).delta ?? 1.0;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const e = ops.abs(ops.sub(aligned(this.name, yTrue, yPred), yPred));
    const d = this.delta;
    const quadratic = ops.minimum(e, d);
    const linear = ops.sub(e, quadratic);
    return ops.mean(ops.add(ops.mul(ops.square(quadratic), 0.5), ops.mul(linear, d)));
  }

  protected override reprFields(): Record<string, unknown> {
    return { delta: this.delta };
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, delta: this.delta };
  }
}
