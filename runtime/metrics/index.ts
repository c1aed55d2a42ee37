/**
 * Metrics by Keras name or as objects: "accuracy" (picked from the loss as Keras does),
 * "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "mae", "mse",
 * "precision", "recall"; or `new metrics.Precision()`.
 */
import { lookupName, snakeCase } from "../training/names.js";
import type { MetricName } from "../training/names-types.js";
import type { Loss } from "../losses/loss.js";
import { Metric, type MetricConfig } from "./metric.js";
import { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy } from "./accuracy.js";
import { MeanAbsoluteError, MeanSquaredError } from "./regression.js";
import { Precision, Recall } from "./confusion.js";

export { Metric, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError, MeanSquaredError, Precision, Recall };
export { MeanMetric } from "./metric.js";
export type { MetricConfig, ThresholdOptions } from "./metric.js";

/** A metric name or a Metric object. */
export type MetricLike = MetricName | Metric;

/** How `model.save` records a compiled metric: the name it was given, or a metric object's class and config. */
export type SavedMetric = string | { className: string; config: MetricConfig };

/**
 * Every built-in metric by Keras name; a saved metric's className resolves here too
 * (BinaryAccuracy → binary_accuracy). null: "accuracy" names no class, its variant follows the loss.
 */
const BY_NAME: Record<string, ((config: MetricConfig) => Metric) | null> = {
  accuracy: null,
  acc: null,
  binary_accuracy: (c) => new BinaryAccuracy(c.name, { threshold: c.threshold }),
  categorical_accuracy: (c) => new CategoricalAccuracy(c.name),
  sparse_categorical_accuracy: (c) => new SparseCategoricalAccuracy(c.name),
  mean_absolute_error: (c) => new MeanAbsoluteError(c.name),
  mae: (c) => new MeanAbsoluteError(c.name),
  mean_squared_error: (c) => new MeanSquaredError(c.name),
  mse: (c) => new MeanSquaredError(c.name),
  precision: (c) => new Precision(c.name, { threshold: c.threshold }),
  recall: (c) => new Recall(c.name, { threshold: c.threshold }),
};

/**
 * The saved form of a compiled metric.
 * @example metricConfig(new metrics.Precision("prec", { threshold: 0.7 })) // { className: "Precision", config: { name: "prec", threshold: 0.7 } }
 */
export function metricConfig(metric: MetricLike): SavedMetric {
  return typeof metric === "string" ? metric : { className: metric.className, config: metric.getConfig() };
}

/**
 * The metric a saved entry describes, or null for a class tsdl does not know (a user's own
 * Metric class: loadModel leaves it out and says so).
 * @example metricFromConfig({ className: "Recall", config: { name: "recall" } })
 */
export function metricFromConfig(saved: SavedMetric): MetricLike | null {
  if (typeof saved === "string") return saved as MetricName;
  const key = snakeCase(saved.className);
  const make = Object.hasOwn(BY_NAME, key) ? BY_NAME[key] : null;
  if (!make) return null;
  const metric = make(saved.config);
  // snake_case folds spellings together ("Mae" → mae): only the class's own className rebuilds it.
  return metric.className === saved.className ? metric : null;
}

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
  const name = snakeCase(metric);
  return make ? make({ name }) : accuracyFor(loss, outputWidth, name);
}
