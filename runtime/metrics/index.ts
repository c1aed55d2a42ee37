/**
 * Metrics by Keras name or as objects: "accuracy" (picked from the loss as Keras does),
 * "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "mae", "mse",
 * "precision", "recall"; or `new metrics.Precision()`.
 */
import { lookupName, snakeCase } from "../training/names.js";
import type { MetricName } from "../training/names-types.js";
import type { Loss } from "../losses/loss.js";
import { Metric } from "./metric.js";
import { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy } from "./accuracy.js";
import { MeanAbsoluteError, MeanSquaredError } from "./regression.js";
import { Precision, Recall } from "./confusion.js";

export { Metric, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError, MeanSquaredError, Precision, Recall };
export { MeanMetric } from "./metric.js";

/** A metric name or a Metric object. */
export type MetricLike = MetricName | Metric;

/** How `model.save` records a compiled metric: its name, or a metric object's class, name and threshold. */
export type MetricConfig = string | { className: string; name: string; threshold?: number };

type MetricClass = new (name: string, options?: { threshold?: number }) => Metric;
const CLASSES: Record<string, MetricClass> = {
  BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError, MeanSquaredError, Precision, Recall,
};

/**
 * The saved form of a compiled metric.
 * @example metricConfig(new metrics.Precision("prec", { threshold: 0.7 })) // { className: "Precision", name: "prec", threshold: 0.7 }
 */
export function metricConfig(metric: MetricLike): MetricConfig {
  if (typeof metric === "string") return metric;
  const threshold = (metric as { threshold?: number }).threshold;
  return { className: metric.constructor.name, name: metric.name, ...(threshold === undefined ? {} : { threshold }) };
}

/**
 * The metric a saved config describes, or null for a class tsdl does not know (a user's own
 * Metric class: loadModel leaves it out and says so).
 * @example metricFromConfig({ className: "Recall", name: "recall" })
 */
export function metricFromConfig(config: MetricConfig): MetricLike | null {
  if (typeof config === "string") return config as MetricName;
  const C = CLASSES[config.className];
  if (!C) return null;
  return new C(config.name, config.threshold === undefined ? {} : { threshold: config.threshold });
}

const BY_NAME: Record<string, (name: string) => Metric> = {
  binary_accuracy: (n) => new BinaryAccuracy(n),
  categorical_accuracy: (n) => new CategoricalAccuracy(n),
  sparse_categorical_accuracy: (n) => new SparseCategoricalAccuracy(n),
  mean_absolute_error: (n) => new MeanAbsoluteError(n),
  mae: (n) => new MeanAbsoluteError(n),
  mean_squared_error: (n) => new MeanSquaredError(n),
  mse: (n) => new MeanSquaredError(n),
  precision: (n) => new Precision(n),
  recall: (n) => new Recall(n),
  accuracy: () => {
    throw new Error("unreachable");
  },
  acc: () => {
    throw new Error("unreachable");
  },
};

/**
 * The accuracy variant Keras picks for "accuracy" from the loss and the output width.
 * @example accuracyFor(getLoss("binary_crossentropy"), 1, "accuracy") // a BinaryAccuracy
 */
export function accuracyFor(loss: Loss, outputWidth: number | null, name: string): Metric {
  if (loss.name === "binary_crossentropy") return new BinaryAccuracy(name);
  if (loss.name === "sparse_categorical_crossentropy") return new SparseCategoricalAccuracy(name);
  if (loss.name === "categorical_crossentropy") return new CategoricalAccuracy(name);
  return outputWidth === 1 ? new BinaryAccuracy(name) : new CategoricalAccuracy(name);
}

/**
 * Resolves a metric for a model compiled with `loss`. The name the user wrote is the key in logs
 * (`"accuracy"` → `history.history.accuracy`; `"sparseCategoricalAccuracy"` → sparse_categorical_accuracy).
 * @example getMetric("accuracy", getLoss("sparse_categorical_crossentropy"), 10)
 */
export function getMetric(metric: MetricLike, loss: Loss, outputWidth: number | null): Metric {
  if (metric instanceof Metric) return metric;
  if (typeof metric !== "string") throw new Error(`unknown metric ${JSON.stringify(metric)}; expected a name such as 'accuracy' or a Metric object`);
  const make = lookupName("metric", metric, BY_NAME);
  const key = snakeCase(metric);
  if (key === "accuracy" || key === "acc") return accuracyFor(loss, outputWidth, key);
  return make(key);
}
