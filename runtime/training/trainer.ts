/**
 * The training loop behind fit, evaluate and predict.
 *
 * fit uploads the data once (float32 inputs; int32 class indices or float32 targets), then per
 * step: gathers the batch rows by the shuffled indices, runs the forward pass on the tape (with
 * softmax fused into the cross-entropy when the model ends in Dense(softmax)), takes the
 * gradients, applies ONE fused optimizer update, and updates the running loss and metrics.
 * Each step runs inside `withScope`, so every intermediate is released before the next batch
 * and memory stays flat across epochs. Between batches it checks for an interrupt and, at most
 * every 50 ms, yields to the event loop so a kernel can deliver progress and interrupts.
 */
import { Tensor } from "../tensor/tensor.js";
import { fromHost } from "../tensor/create.js";
import { withScope } from "../tensor/engine.js";
import { gradients } from "../autograd/grad.js";
import * as ops from "../ops/index.js";
import { randomPermutation } from "../random.js";
import { cellSignal, checkInterrupt } from "../interrupt.js";
import { Progbar } from "../display/progbar.js";
import { Callback, type CallbackHooks, type Logs } from "../callbacks/callback.js";
import { History } from "./history.js";
import { asDataTensor, sampleCount, toList, type ModelData } from "./data.js";
import type { Model, Compiled } from "../models/model.js";
import type { Metric } from "../metrics/metric.js";
import { CategoricalAccuracy, SparseCategoricalAccuracy } from "../metrics/accuracy.js";
import { Accumulator } from "../metrics/accumulator.js";
import { BatchGatherer } from "./batches.js";
import { sparseLabels } from "../losses/crossentropy.js";
import { softmaxCrossEntropyOf } from "../ops/losses.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import { closest, snakeCase } from "./names.js";

/** Options of fit (Keras's names in camelCase; each is accepted in snake_case too: `batch_size`). */
export interface FitOptions {
  /** Passes over the training data. Default 1. */
  epochs?: number;
  /** Samples per gradient step. Default 32. */
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch; "auto" = 1. Default "auto". */
  verbose?: 0 | 1 | 2 | "auto";
  /** Callback objects or plain objects of hooks (`{ onEpochEnd(epoch, logs) {…} }`). Default none. */
  callbacks?: (Callback | CallbackHooks)[];
  /** Fraction of the data, taken from the end before shuffling, held out for validation. Default 0. */
  validationSplit?: number;
  /** [xVal, yVal] evaluated at the end of each epoch (takes precedence over validationSplit). Default none. */
  validationData?: [ModelData, ModelData];
  /** Samples per step of the validation pass. Default batchSize. */
  validationBatchSize?: number;
  /** Shuffle the training samples before each epoch. Default true. */
  shuffle?: boolean;
  /** Epoch to start from (resuming a previous run). Default 0. */
  initialEpoch?: number;
}

const FIT_OPTIONS: OptionTable<FitOptions> = {
  epochs: true,
  batchSize: true,
  verbose: true,
  callbacks: true,
  validationSplit: true,
  validationData: true,
  validationBatchSize: true,
  shuffle: true,
  initialEpoch: true,
};

/** Options of evaluate (each also in snake_case: `batch_size`). */
export interface EvaluateOptions {
  /** Samples per step. Default 32. */
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line. Default 1 (as Keras). */
  verbose?: 0 | 1 | 2 | "auto";
}

const EVALUATE_OPTIONS: OptionTable<EvaluateOptions> = { batchSize: true, verbose: true };

/** Options of predict (each also in snake_case: `batch_size`). */
export interface PredictOptions {
  /** Samples per step. Default 32. */
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line. Default 1 (as Keras). */
  verbose?: 0 | 1 | 2 | "auto";
}

const PREDICT_OPTIONS: OptionTable<PredictOptions> = { batchSize: true, verbose: true };

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, received ${String(v)}`);
  return v;
}

function verbosity(v: unknown, fallback: 0 | 1 | 2): 0 | 1 | 2 {
  if (v === undefined || v === "auto") return fallback;
  if (v === 0 || v === 1 || v === 2) return v;
  throw new Error(`verbose must be 0, 1, 2 or "auto", received ${String(v)}`);
}

function requireCompiled(model: Model, what: string): Compiled {
  if (!model.compiled) throw new Error(`${model.name}: call compile({ optimizer, loss, metrics }) before ${what}()`);
  return model.compiled;
}

/** Uploaded data of one fit/evaluate call. */
interface Arrays {
  xs: Tensor[];
  ys: Tensor[];
  n: number;
}

function prepareX(model: Model, x: ModelData, what: string): Tensor[] {
  const xs = toList(x, model.inputNames, `${what}: x`).map((d, i) => asDataTensor(d, "float32", `${what}: x[${i}]`));
  model.ensureBuiltFor(xs);
  return xs;
}

function prepareY(model: Model, c: Compiled, y: ModelData, what: string): Tensor[] {
  return toList(y, model.outputNames, `${what}: y`).map((d, i) => {
    const sparse = c.losses[i].name === "sparse_categorical_crossentropy";
    const t = asDataTensor(d, sparse ? "int32" : "float32", `${what}: y[${i}]`);
    return sparse ? sparseLabels(t) : t;
  });
}

function prepare(model: Model, c: Compiled, x: ModelData, y: ModelData, what: string): Arrays {
  const xs = prepareX(model, x, what);
  const ys = prepareY(model, c, y, what);
  const n = sampleCount([...xs, ...ys], what);
  return { xs, ys, n };
}

/** Which outputs take the fused softmax-cross-entropy path. */
function fusion(model: Model, c: Compiled): boolean[] {
  return c.losses.map((loss, i) => loss.softmaxFusion() !== null && model.softmaxOutput(i));
}

/** The loss of one output from its predictions (logits when fused). */
function outputLoss(c: Compiled, i: number, pred: Tensor, y: Tensor, fused: boolean): Tensor {
  if (fused) return softmaxCrossEntropyOf(pred, y, c.losses[i].softmaxFusion() === "sparse");
  return c.losses[i].call(y, pred);
}

function argmaxBased(m: Metric): boolean {
  return m instanceof CategoricalAccuracy || m instanceof SparseCategoricalAccuracy;
}

function updateMetrics(c: Compiled, ys: Tensor[], preds: Tensor[], fused: boolean[]): void {
  c.metrics.forEach((list, i) => {
    let probs: Tensor | null = null;
    for (const m of list) {
      // argmax(logits) = argmax(softmax(logits)): accuracies read the logits directly.
      if (!fused[i] || argmaxBased(m)) m.update(ys[i], preds[i], { logits: false });
      else m.update(ys[i], (probs ??= ops.softmax(preds[i])), { logits: false });
    }
  });
}

function resetMetrics(metrics: Metric[]): void {
  for (const m of metrics) m.reset();
}

/** Logs in Keras 3's display order: names sorted, validation after training. */
function ordered(logs: Logs): Logs {
  const keys = Object.keys(logs);
  const train = keys.filter((k) => !k.startsWith("val_")).sort();
  const val = keys.filter((k) => k.startsWith("val_")).sort();
  return Object.fromEntries([...train, ...val].map((k) => [k, logs[k]]));
}

/**
 * The running loss and metrics (reads the backend's running sums: call it only when needed).
 * `metrics` is the compiled metrics flattened once per fit or evaluate.
 */
function currentLogs(metrics: Metric[], lossSum: Accumulator, count: number): Logs {
  const logs: Logs = { loss: count === 0 ? 0 : lossSum.values()[0] / count };
  for (const m of metrics) logs[m.name] = m.result();
  return ordered(logs);
}

/** Runs the model over arrays in order, without training; returns the logs. */
function evaluateArrays(model: Model, c: Compiled, data: Arrays, batchSize: number, bar: Progbar | null, lossSum = new Accumulator(1)): Logs {
  const metrics = c.metrics.flat();
  resetMetrics(metrics);
  lossSum.reset();
  const fused = fusion(model, c);
  let count = 0;
  const steps = Math.ceil(data.n / batchSize);
  for (let s = 0; s < steps; s++) {
    checkInterrupt();
    const start = s * batchSize;
    const end = Math.min(data.n, start + batchSize);
    withScope(() => {
      const xb = data.xs.map((t) => ops.slice(t, start, end));
      const yb = data.ys.map((t) => ops.slice(t, start, end));
      const preds = model.forward(xb, false, fused);
      let total = outputLoss(c, 0, preds[0], yb[0], fused[0]);
      for (let i = 1; i < preds.length; i++) total = ops.add(total, outputLoss(c, i, preds[i], yb[i], fused[i]));
      for (const r of model.regularizationLosses()) total = ops.add(total, r);
      updateMetrics(c, yb, preds, fused);
      lossSum.add(ops.mul(total, end - start));
    });
    count += end - start;
    bar?.update(s + 1, () => Object.entries(currentLogs(metrics, lossSum, count)));
  }
  const logs = currentLogs(metrics, lossSum, count);
  bar?.finish(Object.entries(logs));
  return logs;
}

/** The hooks a plain object given as a callback may have. */
const HOOKS: OptionTable<CallbackHooks> = {
  onTrainBegin: true,
  onTrainEnd: true,
  onEpochBegin: true,
  onEpochEnd: true,
  onBatchBegin: true,
  onBatchEnd: true,
  onTrainBatchBegin: true,
  onTrainBatchEnd: true,
};

/**
 * A plain object's hooks. It may hold state of its own (`{ best: 0, onEpochEnd() {…} }`), so only
 * a key that looks like a hook (`on…`) and is none is an error, or a hook that is not a function.
 */
function checkHooks(hooks: unknown): CallbackHooks {
  if (hooks === null || typeof hooks !== "object") {
    throw new Error(`fit: callbacks must be Callback objects or objects of hooks such as { onEpochEnd(epoch, logs) {…} }, received ${typeof hooks === "function" ? "a function" : String(hooks)}`);
  }
  const known = Object.keys(HOOKS);
  for (const [key, value] of Object.entries(hooks)) {
    const hook = Object.hasOwn(HOOKS, key);
    if (!hook && /^on[A-Z_]/.test(key)) {
      // Compared in snake_case, so Keras's on_epoch_end finds onEpochEnd.
      const near = closest(snakeCase(key), known.map(snakeCase));
      const hookName = near === null ? null : known.find((k) => snakeCase(k) === near);
      throw new Error(`fit: callback hook "${key}" is not one fit calls (${hookName ? `did you mean "${hookName}"?` : `hooks: ${known.join(", ")}`})`);
    }
    if (hook && value !== undefined && typeof value !== "function") throw new Error(`fit: callback hook "${key}" must be a function, received ${String(value)}`);
  }
  return hooks as CallbackHooks;
}

/** Wraps plain objects of hooks as callbacks. */
class HookCallback extends Callback {
  private readonly hooks: CallbackHooks;
  constructor(hooks: unknown) {
    super();
    this.hooks = checkHooks(hooks);
    // Batch hooks become own properties only where the object has one (Keras's onTrainBatch*
    // names win over the short ones), so fit tells them apart as it does a subclass's.
    const begin = this.hooks.onTrainBatchBegin ?? this.hooks.onBatchBegin;
    const end = this.hooks.onTrainBatchEnd ?? this.hooks.onBatchEnd;
    if (begin) this.onTrainBatchBegin = (batch, logs) => begin.call(hooks, batch, logs);
    if (end) this.onTrainBatchEnd = (batch, logs) => end.call(hooks, batch, logs);
  }
  override onTrainBegin(logs?: Logs) {
    return this.hooks.onTrainBegin?.(logs);
  }
  override onTrainEnd(logs?: Logs) {
    return this.hooks.onTrainEnd?.(logs);
  }
  override onEpochBegin(epoch: number, logs?: Logs) {
    return this.hooks.onEpochBegin?.(epoch, logs);
  }
  override onEpochEnd(epoch: number, logs?: Logs) {
    return this.hooks.onEpochEnd?.(epoch, logs);
  }
}

const SHORT_NAME = { onTrainBatchBegin: "onBatchBegin", onTrainBatchEnd: "onBatchEnd" } as const;

/**
 * Whether a callback has a per-batch hook of its own, under Keras's name or the short one (on
 * the prototype or as a field): only then does fit build the logs every step (reading the
 * running sums back from the device) and await it.
 */
function hasBatchHook(cb: Callback, name: keyof typeof SHORT_NAME): boolean {
  const base = Callback.prototype;
  return cb[name] !== base[name] || cb[SHORT_NAME[name]] !== base[SHORT_NAME[name]];
}

async function all(results: (void | Promise<void>)[]): Promise<void> {
  for (const r of results) if (r instanceof Promise) await r;
}

/** Splits arrays at `at` (validationSplit takes the end). */
function splitAt(data: Arrays, at: number): [Arrays, Arrays] {
  const head = (t: Tensor) => ops.slice(t, 0, at);
  const tail = (t: Tensor) => ops.slice(t, at, data.n);
  return [
    { xs: data.xs.map(head), ys: data.ys.map(head), n: at },
    { xs: data.xs.map(tail), ys: data.ys.map(tail), n: data.n - at },
  ];
}

/** fit: see Model.fit. @internal */
export async function fitModel(model: Model, x: ModelData, y: ModelData, fitOptions?: WithSnakeCase<FitOptions>): Promise<History> {
  // The cell's own Stop signal, taken now: fit yields between batches, and a cell queued behind
  // this one may start (and clear the stop flag) before the loop looks again.
  const signal = cellSignal();
  const options = checkOptions("fit", fitOptions, FIT_OPTIONS);
  const c = requireCompiled(model, "fit");
  const epochs = options.epochs === undefined ? 1 : positiveInt(options.epochs, "fit: epochs");
  const batchSize = positiveInt(options.batchSize ?? 32, "fit: batchSize");
  const verbose = verbosity(options.verbose, 1);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be an integer ≥ 0, received ${initialEpoch}`);
  const split = options.validationSplit ?? 0;
  if (typeof split !== "number" || !(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1), received ${String(split)}`);
  const shuffle = options.shuffle ?? true;
  const valBatch = positiveInt(options.validationBatchSize ?? batchSize, "fit: validationBatchSize");

  let train = prepare(model, c, x, y, "fit");
  let val: Arrays | null = null;
  const valData = options.validationData;
  if (valData) {
    if (!Array.isArray(valData) || valData.length !== 2) throw new Error("fit: validationData must be [xVal, yVal]");
    val = prepare(model, c, valData[0], valData[1], "fit: validationData");
  } else if (split > 0) {
    const at = Math.ceil(train.n * (1 - split));
    if (at <= 0 || at >= train.n) throw new Error(`fit: validationSplit ${split} of ${train.n} samples leaves an empty training or validation set`);
    [train, val] = splitAt(train, at);
  }
  if (train.n === 0) throw new Error("fit: no training samples");

  const steps = Math.ceil(train.n / batchSize);
  const history = new History();
  // History last, as Keras appends it: it records what the other callbacks added (learning_rate).
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks)) {
    throw new Error(`fit: callbacks must be a list, e.g. [new callbacks.EarlyStopping()], received ${typeof options.callbacks}`);
  }
  const callbacks: Callback[] = [...(options.callbacks ?? []).map((cb) => (cb instanceof Callback ? cb : new HookCallback(cb))), history];
  for (const cb of callbacks) {
    cb.setModel(model);
    cb.setParams({ epochs, steps, verbose });
  }
  // Only callbacks with their own batch hooks are called per step: building the logs reads the
  // running sums back from the device, so it happens only for an onBatchEnd that wants them.
  const beginHooks = callbacks.filter((cb) => hasBatchHook(cb, "onTrainBatchBegin"));
  const endHooks = callbacks.filter((cb) => hasBatchHook(cb, "onTrainBatchEnd"));
  (model as { history?: History }).history = history;
  model.stopTraining = false;

  const vars = model.trainableWeights;
  const fused = fusion(model, c);
  const lossSum = new Accumulator(1);
  const valLossSum = new Accumulator(1);
  const metrics = c.metrics.flat();
  const gatherer = new BatchGatherer(train.xs, train.ys);
  let lastYield = performance.now();

  await all(callbacks.map((cb) => cb.onTrainBegin({})));
  let lastLogs: Logs = {};
  try {
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      await all(callbacks.map((cb) => cb.onEpochBegin(epoch, {})));
      resetMetrics(metrics);
      const order = shuffle ? randomPermutation(train.n) : Int32Array.from({ length: train.n }, (_, i) => i);
      // Keras prints the "Epoch k/N" header only when there is more than one epoch.
      const bar = verbose === 0 ? null : new Progbar({ target: steps, verbose, ...(epochs > 1 ? { epoch, epochs } : {}) });
      lossSum.reset();
      let count = 0;
      try {
        for (let step = 0; step < steps; step++) {
          checkInterrupt(signal);
          if (beginHooks.length) await all(beginHooks.map((cb) => cb.onTrainBatchBegin(step, {})));
          const start = step * batchSize;
          const end = Math.min(train.n, start + batchSize);
          const idx = order.subarray(start, end);
          withScope(() => {
            const { xs: xb, ys: yb } = gatherer.gather(idx);
            let preds: Tensor[] = [];
            const { value, grads } = gradients(() => {
              preds = model.forward(xb, true, fused);
              let total = outputLoss(c, 0, preds[0], yb[0], fused[0]);
              for (let i = 1; i < preds.length; i++) total = ops.add(total, outputLoss(c, i, preds[i], yb[i], fused[i]));
              for (const r of model.regularizationLosses()) total = ops.add(total, r);
              return total;
            }, vars);
            c.optimizer.applyGradients(grads, vars);
            updateMetrics(c, yb, preds, fused);
            // Summed on the backend; read back only when the bar redraws or the epoch ends.
            lossSum.add(ops.mul(value, end - start));
          });
          count += end - start;
          bar?.update(step + 1, () => Object.entries(currentLogs(metrics, lossSum, count)));
          if (endHooks.length) {
            const logs = currentLogs(metrics, lossSum, count);
            await all(endHooks.map((cb) => cb.onTrainBatchEnd(step, logs)));
          }
          const now = performance.now();
          if (now - lastYield > 50) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
        }
      } catch (err) {
        // Interrupted (or a callback threw) inside the epoch: the bar keeps the step it reached.
        bar?.stop();
        throw err;
      }
      const logs: Logs = currentLogs(metrics, lossSum, count);
      if (val) {
        const vlogs = evaluateArrays(model, c, val, valBatch, null, valLossSum);
        for (const [k, v] of Object.entries(vlogs)) logs[`val_${k}`] = v;
      }
      const shown = ordered(logs);
      bar?.finish(Object.entries(shown));
      await all(callbacks.map((cb) => cb.onEpochEnd(epoch, shown)));
      lastLogs = shown;
      if (model.stopTraining) break;
    }
  } finally {
    gatherer.release();
  }
  await all(callbacks.map((cb) => cb.onTrainEnd(lastLogs)));
  return history;
}

/** evaluate: see Model.evaluate. @internal */
export function evaluateModel(model: Model, x: ModelData, y: ModelData, evaluateOptions?: WithSnakeCase<EvaluateOptions>): number[] {
  const options = checkOptions("evaluate", evaluateOptions, EVALUATE_OPTIONS);
  const c = requireCompiled(model, "evaluate");
  const batchSize = positiveInt(options.batchSize ?? 32, "evaluate: batchSize");
  const verbose = verbosity(options.verbose, 1);
  const data = prepare(model, c, x, y, "evaluate");
  const bar = verbose === 0 ? null : new Progbar({ target: Math.max(1, Math.ceil(data.n / batchSize)), verbose });
  const logs = evaluateArrays(model, c, data, batchSize, bar);
  return [logs.loss, ...c.metrics.flat().map((m) => logs[m.name])];
}

/** predict: see Model.predict. @internal */
export function predictModel(model: Model, x: ModelData, predictOptions?: WithSnakeCase<PredictOptions>): Tensor | Tensor[] {
  const options = checkOptions("predict", predictOptions, PREDICT_OPTIONS);
  const batchSize = positiveInt(options.batchSize ?? 32, "predict: batchSize");
  const verbose = verbosity(options.verbose, 1);
  const xs = prepareX(model, x, "predict");
  const n = sampleCount(xs, "predict");
  const steps = Math.max(1, Math.ceil(n / batchSize));
  const bar = verbose === 0 ? null : new Progbar({ target: steps, verbose });
  let hosts: Float32Array[] | null = null;
  let shapes: number[][] = [];
  for (let s = 0; s * batchSize < n; s++) {
    checkInterrupt();
    const start = s * batchSize;
    const end = Math.min(n, start + batchSize);
    withScope(() => {
      const outs = model.forward(xs.map((t) => ops.slice(t, start, end)), false);
      if (hosts === null) {
        shapes = outs.map((o) => [n, ...o.shape.slice(1)]);
        hosts = outs.map((o) => new Float32Array((o.size / Math.max(1, o.shape[0])) * n));
      }
      outs.forEach((o, i) => {
        const row = o.size / Math.max(1, o.shape[0]);
        hosts![i].set(o.data() as Float32Array, start * row);
      });
    });
    bar?.update(s + 1);
  }
  bar?.finish();
  if (hosts === null) {
    // No samples: one empty batch gives the output shapes.
    const outs = model.forward(xs, false);
    return outs.length === 1 ? outs[0] : outs;
  }
  const result = (hosts as Float32Array[]).map((h, i) => fromHost(h, shapes[i], "float32"));
  return result.length === 1 ? result[0] : result;
}
