/**
 * Losses by Keras name or as objects: "categorical_crossentropy", "sparseCategoricalCrossentropy",
 * `new losses.CategoricalCrossentropy({ fromLogits: true })`, "mse", "huber", …
 */
import type { Tensor } from "../tensor/tensor.js";
import { lookupName } from "../training/names.js";
import type { LossName } from "../training/names-types.js";
import { Loss } from "./loss.js";
import { reprLine } from "../display/reprs.js";
import { BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy } from "./crossentropy.js";
import { Huber, MeanAbsoluteError, MeanSquaredError } from "./regression.js";

export { Loss, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Huber, MeanAbsoluteError, MeanSquaredError };
export type { LossOptions } from "./loss.js";
export type { HuberOptions } from "./regression.js";

const BY_NAME: Record<string, (o?: Record<string, unknown>) => Loss> = {
  categorical_crossentropy: (o) => new CategoricalCrossentropy(o),
  sparse_categorical_crossentropy: (o) => new SparseCategoricalCrossentropy(o),
  binary_crossentropy: (o) => new BinaryCrossentropy(o),
  mean_squared_error: () => new MeanSquaredError(),
  mse: () => new MeanSquaredError(),
  mean_absolute_error: () => new MeanAbsoluteError(),
  mae: () => new MeanAbsoluteError(),
  huber: (o) => new Huber(o),
};

/** A loss name, a Loss object, or a function (yTrue, yPred) → scalar tensor. */
export type LossLike = LossName | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);

class FunctionLoss extends Loss {
  constructor(readonly name: string, private readonly fn: (yTrue: Tensor, yPred: Tensor) => Tensor) {
    super();
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const v = this.fn(yTrue, yPred);
    return v.ndim === 0 ? v : v.mean();
  }

  /** As Keras names a loss given as a function: `<LossFunctionWrapper fn=myLoss>`. */
  override toString(): string {
    return reprLine("LossFunctionWrapper", { fn: this.name });
  }
}

/**
 * Resolves a loss. Unknown names list the known ones.
 * @example getLoss("categorical_crossentropy").call(yTrue, yPred)
 */
export function getLoss(loss: LossLike | { name: string; [k: string]: unknown }): Loss {
  if (loss instanceof Loss) return loss;
  if (typeof loss === "function") return new FunctionLoss(loss.name || "custom_loss", loss);
  if (typeof loss === "string") return lookupName("loss", loss, BY_NAME)();
  if (loss && typeof loss === "object" && typeof loss.name === "string") {
    const { name, ...options } = loss;
    return lookupName("loss", name, BY_NAME)(options);
  }
  throw new Error(`unknown loss ${JSON.stringify(loss)}; expected a name such as 'categorical_crossentropy', a Loss object or a function`);
}

/** Keras's function forms: `losses.categorical_crossentropy(yTrue, yPred)` → scalar mean. */
export const categorical_crossentropy = (yTrue: Tensor, yPred: Tensor): Tensor => new CategoricalCrossentropy().call(yTrue, yPred);
/** Sparse categorical cross-entropy as a function. */
export const sparse_categorical_crossentropy = (yTrue: Tensor, yPred: Tensor): Tensor => new SparseCategoricalCrossentropy().call(yTrue, yPred);
/** Binary cross-entropy as a function. */
export const binary_crossentropy = (yTrue: Tensor, yPred: Tensor): Tensor => new BinaryCrossentropy().call(yTrue, yPred);
/** Mean squared error as a function. */
export const mean_squared_error = (yTrue: Tensor, yPred: Tensor): Tensor => new MeanSquaredError().call(yTrue, yPred);
/** Mean absolute error as a function. */
export const mean_absolute_error = (yTrue: Tensor, yPred: Tensor): Tensor => new MeanAbsoluteError().call(yTrue, yPred);
/** camelCase spelling of categorical_crossentropy. */
export const categoricalCrossentropy = categorical_crossentropy;
/** camelCase spelling of sparse_categorical_crossentropy. */
export const sparseCategoricalCrossentropy = sparse_categorical_crossentropy;
/** camelCase spelling of binary_crossentropy. */
export const binaryCrossentropy = binary_crossentropy;
/** camelCase spelling of mean_squared_error. */
export const meanSquaredError = mean_squared_error;
/** camelCase spelling of mean_absolute_error. */
export const meanAbsoluteError = mean_absolute_error;
/** Short name of mean_squared_error. */
export const mse = mean_squared_error;
/** Short name of mean_absolute_error. */
export const mae = mean_absolute_error;
