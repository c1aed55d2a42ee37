/**
 * Keras 3's serialized objects (`{ module, class_name, config, registered_name }`) for everything
 * a model's config names besides its layers: dtype policies, activations, initializers,
 * regularizers, and compile's optimizer, losses and metrics — both ways.
 *
 * The rule when reading a file Keras wrote: a setting tsdl has is taken; a setting tsdl does not
 * have is fine at its default (null, false, 0 — what Keras writes when it is not used) and an
 * error naming the owner, the key and the value otherwise, so a model never loads computing
 * something other than what Keras computed.
 */
import { lookupName, snakeCase } from "../../training/names.js";
import type { InitializerConfig } from "../../initializers.js";
import { get as getOptimizer, type Optimizer } from "../../optimizers/index.js";
import { getLoss } from "../../losses/index.js";
import type { Loss } from "../../losses/loss.js";
import type { SavedMetric } from "../../metrics/index.js";

/** One serialized Keras object. */
export interface KerasObject {
  module: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
}

/** A serialized object as Keras writes it. */
export function kerasObject(module: string, className: string, config: Record<string, unknown>): KerasObject {
  return { module, class_name: className, config, registered_name: null };
}

/**
 * A number Python must read as a float. JSON has one number type and writes 0 as `0`, which
 * Python reads as an int — and Keras checks some settings' types (SGD refuses momentum=0: "must
 * be a float"). Keras writes floats as `0.0`; `kerasJson` does too for the values marked here.
 */
export function pyFloat(v: number): number {
  return FLOAT_MARK + String(v) as unknown as number;
}
const FLOAT_MARK = "@@tsdl-float@@";

/** JSON as Python's json.dumps writes a Keras config: floats marked with pyFloat keep a decimal point. */
export function kerasJson(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`"${FLOAT_MARK}([^"]*)"`, "g"), (_, n: string) => (/^-?\d+$/.test(n) ? `${n}.0` : n));
}

/** Whether a value from a Keras config is a serialized object. */
export function isKerasObject(v: unknown): v is KerasObject {
  return typeof v === "object" && v !== null && typeof (v as KerasObject).class_name === "string";
}

/**
 * Keras's `naming.to_snake_case` (class names → the h5 group names of layers): "BatchNormalization"
 * → "batch_normalization", "Conv2D" → "conv2d", "MaxPooling2D" → "max_pooling2d".
 */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** The float32 policy every tsdl layer computes in. */
export function dtypePolicy(): KerasObject {
  return kerasObject("keras", "DTypePolicy", { name: "float32" });
}

/** Checks that a layer's `dtype` (a policy object or a name) is float32; tsdl computes in nothing else. */
export function checkDtype(owner: string, dtype: unknown): void {
  if (dtype === undefined || dtype === null) return;
  const name = isKerasObject(dtype) ? dtype.config.name : dtype;
  if (name !== "float32") throw new Error(`${owner}: dtype ${JSON.stringify(name)} is not supported; tsdl layers compute in float32`);
}

/** Throws unless every named setting is at the value that means "not used". */
export function requireDefaults(owner: string, config: Record<string, unknown>, defaults: Record<string, unknown>): void {
  for (const [key, want] of Object.entries(defaults)) {
    const v = config[key];
    if (v === undefined || v === want || (want === null && v === null)) continue;
    throw new Error(`${owner}: ${key}=${JSON.stringify(v)} is not supported by tsdl (only ${JSON.stringify(want)})`);
  }
}

/**
 * Throws for a key tsdl does not know whose value is not a plain default (null, false, an empty
 * list): a newer Keras may add settings, and one that is used would change what the layer computes.
 */
export function rejectUnknown(owner: string, config: Record<string, unknown>, known: readonly string[]): void {
  for (const [key, v] of Object.entries(config)) {
    if (known.includes(key)) continue;
    if (v === null || v === false || (Array.isArray(v) && v.length === 0)) continue;
    throw new Error(`${owner}: the setting ${key}=${JSON.stringify(v)} is not supported by tsdl`);
  }
}

/** The config with the named numeric values marked as floats. */
function floats(config: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = { ...config };
  for (const k of keys) if (typeof out[k] === "number") out[k] = pyFloat(out[k] as number);
  return out;
}

// ---- activations -------------------------------------------------------------------------------

/** Activation names tsdl and Keras share (Keras serializes a built-in activation as its name). */
const ACTIVATION_NAMES = ["linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu", "leaky_relu", "softplus", "relu6", "exponential"];

/** A tsdl activation's name as Keras writes it; a function of the user's own cannot go into a file Keras reads. */
export function activationToKeras(owner: string, name: string): string {
  if (!ACTIVATION_NAMES.includes(name)) throw new Error(`${owner}: the activation '${name}' is a function of your own; a .keras file can hold only Keras's built-in activations (${ACTIVATION_NAMES.join(", ")})`);
  return name;
}

/** A Keras activation (a name, or a serialized function) as a tsdl name. */
export function activationFromKeras(owner: string, v: unknown): string {
  if (v === null || v === undefined) return "linear";
  const name = typeof v === "string" ? v : isKerasObject(v) ? (v.registered_name ?? (typeof v.config === "string" ? v.config : v.class_name)) : null;
  if (typeof name === "string" && ACTIVATION_NAMES.includes(name)) return name;
  throw new Error(`${owner}: activation ${JSON.stringify(name ?? v)} is not supported by tsdl (known: ${ACTIVATION_NAMES.join(", ")})`);
}

// ---- initializers ------------------------------------------------------------------------------

/** tsdl's initializer names ↔ Keras's classes. */
const INITIALIZERS: Record<string, string> = {
  glorot_uniform: "GlorotUniform",
  glorot_normal: "GlorotNormal",
  he_normal: "HeNormal",
  he_uniform: "HeUniform",
  lecun_normal: "LecunNormal",
  lecun_uniform: "LecunUniform",
  zeros: "Zeros",
  ones: "Ones",
  constant: "Constant",
  random_normal: "RandomNormal",
  random_uniform: "RandomUniform",
  truncated_normal: "TruncatedNormal",
};
/** The options each initializer class has, in tsdl and in Keras alike. */
const INITIALIZER_KEYS = ["seed", "value", "mean", "stddev", "minval", "maxval"];

/** A tsdl initializer (a name, or `{ className, config }`) as Keras's object. */
export function initializerToKeras(owner: string, init: unknown): KerasObject {
  if (typeof init === "string") {
    const cls = INITIALIZERS[snakeCase(init)];
    if (!cls) throw new Error(`${owner}: initializer '${init}' has no Keras equivalent`);
    const seeded = /Glorot|He|Lecun|Random|Truncated/.test(cls);
    return kerasObject("keras.initializers", cls, seeded ? { seed: null } : {});
  }
  if (init && typeof init === "object" && typeof (init as InitializerConfig).className === "string") {
    const c = init as InitializerConfig;
    if (!Object.values(INITIALIZERS).includes(c.className)) throw new Error(`${owner}: initializer ${c.className} has no Keras equivalent`);
    return kerasObject("keras.initializers", c.className, floats(c.config, ["value", "mean", "stddev", "minval", "maxval"]));
  }
  throw new Error(`${owner}: an initializer function of your own cannot go into a .keras file; use a named one ("glorot_uniform", initializers.HeNormal({ seed }), …)`);
}

/** A Keras initializer as tsdl's `{ className, config }`. */
export function initializerFromKeras(owner: string, v: unknown): InitializerConfig | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") {
    const cls = INITIALIZERS[snakeCase(v)];
    if (!cls) throw new Error(`${owner}: initializer '${v}' is not supported by tsdl (known: ${Object.keys(INITIALIZERS).join(", ")})`);
    return { className: cls, config: {} };
  }
  if (!isKerasObject(v) || !Object.values(INITIALIZERS).includes(v.class_name)) {
    throw new Error(`${owner}: initializer ${JSON.stringify(isKerasObject(v) ? v.class_name : v)} is not supported by tsdl (known: ${Object.values(INITIALIZERS).join(", ")})`);
  }
  rejectUnknown(`${owner}: ${v.class_name}`, v.config, INITIALIZER_KEYS);
  const config: Record<string, number> = {};
  for (const k of INITIALIZER_KEYS) if (typeof v.config[k] === "number") config[k] = v.config[k] as number;
  return { className: v.class_name, config };
}

// ---- regularizers ------------------------------------------------------------------------------

const REGULARIZERS = ["L1", "L2", "L1L2"];

/** A tsdl regularizer (a name, `{ className, config }`, or a function carrying its config) as Keras's object, or null. */
export function regularizerToKeras(owner: string, r: unknown): KerasObject | null {
  if (r === null || r === undefined) return null;
  if (typeof r === "string") {
    const name = snakeCase(r);
    if (name === "l1") return kerasObject("keras.regularizers", "L1", { l1: pyFloat(0.01) });
    if (name === "l2") return kerasObject("keras.regularizers", "L2", { l2: pyFloat(0.01) });
    if (name === "l1_l2" || name === "l1l2") return kerasObject("keras.regularizers", "L1L2", { l1: pyFloat(0.01), l2: pyFloat(0.01) });
    throw new Error(`${owner}: regularizer '${r}' has no Keras equivalent`);
  }
  const c = (typeof r === "function" ? (r as { config?: unknown }).config : r) as { className?: string; config?: Record<string, number> } | undefined;
  if (!c || typeof c.className !== "string" || !REGULARIZERS.includes(c.className)) throw new Error(`${owner}: a regularizer of your own cannot go into a .keras file; use regularizers.l1, l2 or l1l2`);
  return kerasObject("keras.regularizers", c.className, floats({ ...c.config }, ["l1", "l2"]));
}

/** A Keras regularizer as tsdl's `{ className, config }`, or undefined. */
export function regularizerFromKeras(owner: string, v: unknown): { className: string; config: Record<string, number> } | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isKerasObject(v) || !REGULARIZERS.includes(v.class_name)) {
    throw new Error(`${owner}: regularizer ${JSON.stringify(isKerasObject(v) ? v.class_name : v)} is not supported by tsdl (known: ${REGULARIZERS.join(", ")})`);
  }
  rejectUnknown(`${owner}: ${v.class_name}`, v.config, ["l1", "l2"]);
  const config: Record<string, number> = {};
  for (const k of ["l1", "l2"]) if (typeof v.config[k] === "number") config[k] = v.config[k] as number;
  return { className: v.class_name, config };
}

// ---- optimizers --------------------------------------------------------------------------------

/** Each optimizer's hyper-parameters: tsdl's option ↔ Keras's config key. */
const OPTIMIZER_KEYS: Record<string, Record<string, string>> = {
  SGD: { momentum: "momentum", nesterov: "nesterov" },
  RMSprop: { rho: "rho", epsilon: "epsilon" },
  Adam: { beta1: "beta_1", beta2: "beta_2", epsilon: "epsilon" },
  AdamW: { beta1: "beta_1", beta2: "beta_2", epsilon: "epsilon", weightDecay: "weight_decay" },
  Adagrad: { initialAccumulatorValue: "initial_accumulator_value", epsilon: "epsilon" },
};

/** Settings of Keras optimizers that tsdl's do not have, at the values that mean "off". */
const OPTIMIZER_OFF: Record<string, unknown> = {
  weight_decay: null,
  clipnorm: null,
  global_clipnorm: null,
  clipvalue: null,
  use_ema: false,
  ema_overwrite_frequency: null,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
  amsgrad: false,
  centered: false,
  momentum: 0,
};

/**
 * The names of a tsdl optimizer's per-variable state in Keras's order (Keras interleaves them
 * per variable: Adam's m and v of the first weight, then of the second, …); tsdl's slots are
 * kept in the same order.
 */
export function optimizerSlotNames(opt: Optimizer): string[] {
  const names: Record<string, string[]> = { RMSprop: ["velocity"], Adam: ["momentum", "velocity"], AdamW: ["momentum", "velocity"], Adagrad: ["accumulator"], SGD: ["momentum"] };
  const list = names[opt.className] ?? [];
  return list.slice(0, opt.slotsPerVariable);
}

/** The shortest decimal that is the same float32 (Keras keeps the learning rate as a float32 variable: 0.001 reads 0.0010000000474974513). */
export function shortestFloat32(x: number): number {
  const f = Math.fround(x);
  if (f !== x) return x;
  for (let p = 1; p <= 9; p++) {
    const d = Number(x.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return x;
}

/** A tsdl optimizer as Keras's object. */
export function optimizerToKeras(opt: Optimizer): KerasObject {
  const keys = OPTIMIZER_KEYS[opt.className];
  if (!keys) throw new Error(`the optimizer ${opt.className} has no Keras equivalent`);
  const c = opt.getConfig() as Record<string, unknown>;
  const config: Record<string, unknown> = { name: opt.name, learning_rate: pyFloat(opt.learningRate) };
  for (const [ts, k] of Object.entries(keys)) config[k] = typeof c[ts] === "number" ? pyFloat(c[ts] as number) : c[ts];
  return kerasObject("keras.optimizers", opt.className, config);
}

/** A Keras optimizer (a name or an object) as a tsdl optimizer with the same settings (fresh state). */
export function optimizerFromKeras(v: unknown): Optimizer {
  if (typeof v === "string") return getOptimizer(v);
  if (!isKerasObject(v)) throw new Error(`the optimizer ${JSON.stringify(v)} cannot be read`);
  const keys = OPTIMIZER_KEYS[v.class_name];
  if (!keys) throw new Error(`the optimizer ${v.class_name} is not supported by tsdl (known: ${Object.keys(OPTIMIZER_KEYS).join(", ")})`);
  const owner = `optimizer ${v.class_name}`;
  const c = v.config;
  if (typeof c.learning_rate !== "number") throw new Error(`${owner}: learning_rate ${JSON.stringify(c.learning_rate)} is not supported by tsdl (a number only; no schedules)`);
  const own = new Set(Object.values(keys));
  const off = Object.fromEntries(Object.entries(OPTIMIZER_OFF).filter(([k]) => !own.has(k)));
  requireDefaults(owner, c, off);
  rejectUnknown(owner, c, ["name", "learning_rate", "ema_momentum", ...Object.keys(OPTIMIZER_OFF), ...own]);
  const options: Record<string, unknown> = { learningRate: shortestFloat32(c.learning_rate) };
  if (typeof c.name === "string") options.name = c.name;
  for (const [ts, k] of Object.entries(keys)) if (c[k] !== undefined && c[k] !== null) options[ts] = c[k];
  return getOptimizer({ className: v.class_name, config: options });
}

// ---- losses ------------------------------------------------------------------------------------

/** tsdl's loss names ↔ Keras's loss classes. */
const LOSS_CLASSES: Record<string, string> = {
  categorical_crossentropy: "CategoricalCrossentropy",
  sparse_categorical_crossentropy: "SparseCategoricalCrossentropy",
  binary_crossentropy: "BinaryCrossentropy",
  mean_squared_error: "MeanSquaredError",
  mean_absolute_error: "MeanAbsoluteError",
  huber: "Huber",
};

/** A tsdl loss as Keras writes it: its name when it has only defaults, else the class's object; null for a function of the user's own. */
export function lossToKeras(loss: Loss): string | KerasObject | null {
  const cls = LOSS_CLASSES[loss.name];
  if (!cls) return null;
  const c = loss.getConfig();
  if (loss.name === "huber") {
    const delta = (c as { delta?: number }).delta ?? 1;
    return delta === 1 ? "huber" : kerasObject("keras.losses", "Huber", { name: "huber_loss", reduction: "sum_over_batch_size", delta: pyFloat(delta) });
  }
  if (!loss.fromLogits) return loss.name;
  return kerasObject("keras.losses", cls, { name: loss.name, reduction: "sum_over_batch_size", from_logits: true });
}

/** A Keras loss (a name or an object) as a tsdl loss. */
export function lossFromKeras(v: unknown): Loss {
  if (typeof v === "string") return getLoss(v === "huber_loss" ? "huber" : v);
  if (!isKerasObject(v)) throw new Error(`the loss ${JSON.stringify(v)} cannot be read`);
  const name = Object.entries(LOSS_CLASSES).find(([, cls]) => cls === v.class_name)?.[0];
  if (!name) throw new Error(`the loss ${v.class_name} is not supported by tsdl (known: ${Object.values(LOSS_CLASSES).join(", ")})`);
  const owner = `loss ${v.class_name}`;
  requireDefaults(owner, v.config, { reduction: "sum_over_batch_size", label_smoothing: 0, axis: -1, ignore_class: null });
  rejectUnknown(owner, v.config, ["name", "reduction", "from_logits", "label_smoothing", "axis", "ignore_class", "delta", "dtype"]);
  if (name === "huber") return getLoss({ name, ...(typeof v.config.delta === "number" ? { delta: v.config.delta } : {}) });
  if (name === "mean_squared_error" || name === "mean_absolute_error") return getLoss(name);
  return getLoss({ name, fromLogits: v.config.from_logits === true });
}

// ---- metrics -----------------------------------------------------------------------------------

const METRIC_CLASSES = ["BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanAbsoluteError", "MeanSquaredError", "Precision", "Recall"];

/** A tsdl compiled metric (its saved form) as Keras writes it, or null for a class of the user's own. */
export function metricToKeras(saved: SavedMetric): string | KerasObject | null {
  if (typeof saved === "string") return snakeCase(saved);
  if (!METRIC_CLASSES.includes(saved.className)) return null;
  const config: Record<string, unknown> = { name: saved.config.name, dtype: "float32" };
  if (saved.className === "BinaryAccuracy") config.threshold = pyFloat(saved.config.threshold ?? 0.5);
  if (saved.className === "Precision" || saved.className === "Recall") config.thresholds = saved.config.threshold === undefined ? null : pyFloat(saved.config.threshold);
  return kerasObject("keras.metrics", saved.className, config);
}

/** A Keras metric (a name or an object) as tsdl's saved form, which `compile` and metricFromConfig take. */
export function metricFromKeras(v: unknown): SavedMetric {
  if (typeof v === "string") {
    // Keras's names resolve through tsdl's own table (an unknown one names itself there).
    lookupName("metric", v, { accuracy: 1, acc: 1, binary_accuracy: 1, categorical_accuracy: 1, sparse_categorical_accuracy: 1, mae: 1, mse: 1, mean_absolute_error: 1, mean_squared_error: 1, precision: 1, recall: 1 });
    return v;
  }
  if (!isKerasObject(v) || !METRIC_CLASSES.includes(v.class_name)) throw new Error(`the metric ${JSON.stringify(isKerasObject(v) ? v.class_name : v)} is not supported by tsdl (known: ${METRIC_CLASSES.join(", ")})`);
  const owner = `metric ${v.class_name}`;
  requireDefaults(owner, v.config, { top_k: null, class_id: null });
  rejectUnknown(owner, v.config, ["name", "dtype", "threshold", "thresholds", "top_k", "class_id"]);
  const t = v.config.thresholds ?? v.config.threshold;
  if (t !== undefined && t !== null && typeof t !== "number") throw new Error(`${owner}: thresholds ${JSON.stringify(t)} is not supported by tsdl (one number)`);
  const name = typeof v.config.name === "string" ? v.config.name : snakeCase(v.class_name);
  return { className: v.class_name, config: { name, ...(typeof t === "number" ? { threshold: t } : {}) } };
}
