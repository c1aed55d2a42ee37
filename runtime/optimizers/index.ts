/**
 * Optimizers by Keras name or as objects: "rmsprop", "adam", `new optimizers.SGD({ momentum: 0.9 })`.
 */
import { lookupName } from "../training/names.js";
import type { OptimizerName } from "../training/names-types.js";
import { Optimizer } from "./optimizer.js";
import { SGD } from "./sgd.js";
import { RMSprop } from "./rmsprop.js";
import { Adam, AdamW } from "./adam.js";
import { Adagrad } from "./adagrad.js";

export { Optimizer, SGD, RMSprop, Adam, AdamW, Adagrad };
export type { OptimizerOptions } from "./optimizer.js";
export type { SGDOptions } from "./sgd.js";
export type { RMSpropOptions } from "./rmsprop.js";
export type { AdamOptions, AdamWOptions } from "./adam.js";
export type { AdagradOptions } from "./adagrad.js";

const BY_NAME: Record<string, (o?: Record<string, unknown>) => Optimizer> = {
  sgd: (o) => new SGD(o),
  rmsprop: (o) => new RMSprop(o),
  adam: (o) => new Adam(o),
  adamw: (o) => new AdamW(o),
  adagrad: (o) => new Adagrad(o),
};

/** A name ("rmsprop") or an Optimizer object. */
export type OptimizerLike = OptimizerName | Optimizer;

/**
 * Resolves an optimizer with Keras's defaults; unknown names list the known ones.
 * @example get("rmsprop").learningRate // 0.001
 */
export function get(optimizer: OptimizerLike | { className: string; config: Record<string, unknown> }): Optimizer {
  if (optimizer instanceof Optimizer) return optimizer;
  if (typeof optimizer === "string") return lookupName("optimizer", optimizer, BY_NAME)();
  if (optimizer && typeof optimizer === "object" && typeof optimizer.className === "string") {
    return lookupName("optimizer", optimizer.className, BY_NAME)(optimizer.config);
  }
  throw new Error(`unknown optimizer ${JSON.stringify(optimizer)}; expected a name such as 'rmsprop' or an Optimizer object`);
}
