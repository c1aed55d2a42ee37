/**
 * Weight penalties added to the loss: `kernelRegularizer: "l2"` or `regularizers.l2(0.01)`.
 * l1: λ·Σ|w|; l2: λ·Σw² (Keras's l2 has no ½); l1_l2: both. Keras's default λ is 0.01.
 */
import { abs, add, mul, square, sum } from "./ops/index.js";
import type { Tensor } from "./tensor/tensor.js";
import { lookupName } from "./training/names.js";
import { checkOptions, type OptionTable } from "./options.js";

export type Regularizer = ((w: Tensor) => Tensor) & { config: { className: string; config: Record<string, number> } };
export type RegularizerLike = string | Regularizer | { className: string; config: Record<string, number> };

/** λ·Σ|w|. @example new Dense(64, { kernelRegularizer: regularizers.l1(1e-4) }) */
export function l1(l1 = 0.01): Regularizer {
  const f = ((w: Tensor) => mul(sum(abs(w)), l1)) as Regularizer;
  f.config = { className: "L1", config: { l1 } };
  return f;
}

/** λ·Σw². @example new Dense(64, { kernelRegularizer: regularizers.l2(1e-4) }) */
export function l2(l2 = 0.01): Regularizer {
  const f = ((w: Tensor) => mul(sum(square(w)), l2)) as Regularizer;
  f.config = { className: "L2", config: { l2 } };
  return f;
}

/** Options of `l1l2`. */
export interface L1L2Options {
  /** Weight of Σ|w|. Default 0.01. */
  l1?: number;
  /** Weight of Σw². Default 0.01. */
  l2?: number;
}

const L1L2_OPTIONS: OptionTable<L1L2Options> = { l1: true, l2: true };

/** λ1·Σ|w| + λ2·Σw². @example regularizers.l1l2({ l1: 1e-5, l2: 1e-4 }) */
export function l1l2(options?: L1L2Options): Regularizer {
  const o = checkOptions("l1l2", options, L1L2_OPTIONS);
  const a = o.l1 ?? 0.01;
  const b = o.l2 ?? 0.01;
  const f = ((w: Tensor) => add(mul(sum(abs(w)), a), mul(sum(square(w)), b))) as Regularizer;
  f.config = { className: "L1L2", config: { l1: a, l2: b } };
  return f;
}

const BY_NAME: Record<string, (c?: Record<string, number>) => Regularizer> = {
  l1: (c) => l1(c?.l1),
  l2: (c) => l2(c?.l2),
  l1_l2: (c) => l1l2(c),
  l1l2: (c) => l1l2(c),
};

/**
 * Resolves a name ("l2"), a config (from a saved model) or passes a function through.
 * @example getRegularizer("l2")(kernel) // 0.01 · Σw²
 */
export function getRegularizer(r: RegularizerLike): Regularizer {
  if (typeof r === "function") return r;
  if (typeof r === "string") return lookupName("regularizer", r, BY_NAME)();
  if (r && typeof r === "object" && typeof r.className === "string") return lookupName("regularizer", r.className, BY_NAME)(r.config);
  throw new Error(`unknown regularizer ${JSON.stringify(r)}; expected 'l1', 'l2', 'l1_l2' or regularizers.l2(λ)`);
}

/**
 * What a saved model's config holds for a regularizer: its name, its { className, config }, or
 * null for none (a layer's getConfig; getRegularizer reads each back).
 * @example serializeRegularizer(regularizers.l2(1e-4)) // { className: "L2", config: { l2: 0.0001 } }
 */
export function serializeRegularizer(r: RegularizerLike | null | undefined): string | { className: string; config: Record<string, number> } | null {
  if (r === null || r === undefined) return null;
  if (typeof r === "string") return r;
  // A regularizer function carries its config; a config object (from a saved model) is one.
  return typeof r === "function" ? r.config : r;
}
