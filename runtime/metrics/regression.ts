/** Regression metrics: mean absolute error and mean squared error over samples. */
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { MeanMetric } from "./metric.js";

function aligned(yTrue: Tensor, yPred: Tensor): Tensor {
  let y = yTrue.dtype === "float32" ? yTrue : yTrue.astype("float32");
  if (y.ndim === yPred.ndim - 1) y = y.reshape([...y.shape, 1]);
  return y;
}

function perSampleSum(err: Tensor): [Tensor, number] {
  const n = err.ndim === 0 ? 1 : err.shape[0];
  const perSample = err.ndim > 1 ? ops.mean(err, -1) : err;
  return [ops.sum(perSample), n];
}

/**
 * Mean absolute error over samples.
 * @example new metrics.MeanAbsoluteError("mae")
 */
export class MeanAbsoluteError extends MeanMetric {
  readonly className: string = "MeanAbsoluteError";
  constructor(name = "mean_absolute_error") {
    super(name);
  }
  protected batchSum(yTrue: Tensor, yPred: Tensor): [Tensor, number] {
    return perSampleSum(ops.abs(ops.sub(aligned(yTrue, yPred), yPred)));
  }
}

/**
 * Mean squared error over samples.
 * @example new metrics.MeanSquaredError("mse")
 */
export class MeanSquaredError extends MeanMetric {
  readonly className: string = "MeanSquaredError";
  constructor(name = "mean_squared_error") {
    super(name);
  }
  protected batchSum(yTrue: Tensor, yPred: Tensor): [Tensor, number] {
    return perSampleSum(ops.square(ops.sub(aligned(yTrue, yPred), yPred)));
  }
}
