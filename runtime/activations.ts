/**
 * Activations by Keras name ↔ ops: "relu", "sigmoid", "tanh", "softmax", "linear", "elu",
 * "selu", "gelu", "leaky_relu" (and camelCase: "leakyRelu"). Resolved in one place so a layer's
 * `activation: "relu"` and a function take the same path.
 */
import * as ops from "./ops/index.js";
import type { Tensor } from "./tensor/tensor.js";
import { lookupName } from "./training/names.js";
import type { ActivationName } from "./training/names-types.js";
import type { EpilogueActivation } from "./backend/backend.js";

export type ActivationFn = (x: Tensor) => Tensor;
/** A Keras name or a function of a tensor. */
export type ActivationLike = ActivationName | ActivationFn | null | undefined;

/** Every activation by its Keras name. */
export const ACTIVATIONS: Record<string, ActivationFn> = {
  linear: (x) => x,
  relu: (x) => ops.relu(x),
  sigmoid: (x) => ops.sigmoid(x),
  tanh: (x) => ops.tanh(x),
  softmax: (x) => ops.softmax(x),
  elu: (x) => ops.elu(x),
  selu: (x) => ops.selu(x),
  gelu: (x) => ops.gelu(x),
  leaky_relu: (x) => ops.leakyRelu(x),
  softplus: (x) => ops.softplus(x),
  relu6: (x) => ops.relu6(x),
  exponential: (x) => ops.exp(x),
};

/** A resolved activation: its Keras name (when it has one) and its function. */
export interface Activation {
  /** Keras's name ("relu"), or the function's name. */
  name: string;
  /** The function of a tensor. */
  fn: ActivationFn;
}

/**
 * Resolves an activation; null/undefined mean linear.
 * @example getActivation("leakyRelu").name // "leaky_relu"
 */
export function getActivation(a: ActivationLike): Activation {
  if (a === null || a === undefined) return { name: "linear", fn: ACTIVATIONS.linear };
  if (typeof a === "function") return { name: a.name || "custom", fn: a };
  if (typeof a !== "string") throw new Error(`unknown activation ${JSON.stringify(a)}; expected a name such as 'relu' or a function`);
  const fn = lookupName("activation", a, ACTIVATIONS);
  const name = Object.keys(ACTIVATIONS).find((k) => ACTIVATIONS[k] === fn)!;
  return { name, fn };
}

/**
 * The activations the matmul epilogue of the fused `dense` op can apply (null for the others).
 * @example epilogueOf("relu") // "relu"; epilogueOf("softmax") // null
 */
export function epilogueOf(name: string): EpilogueActivation | null {
  return name === "linear" || name === "relu" || name === "sigmoid" || name === "tanh" ? name : null;
}
