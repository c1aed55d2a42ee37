/**
 * The same numbers as Keras 3: every activation, layer, loss, metric and optimizer the runtime
 * has, given the same weights and inputs, against Keras on TensorFlow (test/keras/parity.py, one
 * Python process for all cases): outputs and gradients to 1e-5 relative, one optimizer step (and
 * two more, so the state counts) to Keras's updated weights, and whole training steps of small
 * models — written by tsdl as .keras files, stepped by Keras's train_on_batch — to Keras's
 * weights and loss.
 *
 * Relative error here is |tsdl − keras| / max(|keras|, 1e-2): values near zero are compared to
 * 1e-7 absolute, where float32 sums in another order differ (a gradient that cancels to 1e-9 has
 * no relative digits left on either side).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { activations, Input, layers, losses, metrics, optimizers, regularizers, Sequential, setRandomSeed, tensor, variable, type Tensor } from "../runtime/index.js";
import { gradients } from "../runtime/autograd/grad.js";
import { layerFromKeras } from "../runtime/models/keras/layers.js";
import type { Layer } from "../runtime/layers/layer.js";
import type { Optimizer } from "../runtime/optimizers/optimizer.js";
import type { Model as ModelType } from "../runtime/models/model.js";
import { kerasWorkDir, maxRelDiff, runKeras } from "./helpers/keras.js";

const TOL = 1e-5;
const FLOOR = 5e-2;

/** Deterministic numbers in [lo, hi) from a seed (no generator of either side is involved). */
function rand(shape: number[], seed: number, lo = -1, hi = 1): unknown {
  let s = seed * 7919 + 17;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + (hi - lo) * (s / 2147483648);
  };
  const build = (d: number): unknown => (d === shape.length - 1 ? Array.from({ length: shape[d] }, next) : Array.from({ length: shape[d] }, () => build(d + 1)));
  return shape.length === 0 ? next() : build(0);
}
const softmaxRows = (rows: number[][]) => rows.map((r) => {
  const e = r.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
});
const oneHot = (labels: number[], k: number) => labels.map((c) => Array.from({ length: k }, (_, i) => (i === c ? 1 : 0)));
const shapeOf = (a: unknown): number[] => (Array.isArray(a) ? [a.length, ...shapeOf(a[0])] : []);

interface Case {
  id: string;
  kind: "activation" | "layer" | "loss" | "metric" | "optimizer" | "train";
  /** What tsdl answers, computed before Keras runs. */
  ours: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  [key: string]: unknown;
}
const cases: Case[] = [];

// ---- activations: value and gradient -----------------------------------------------------------
for (const [i, name] of Object.keys(activations.ACTIVATIONS).entries()) {
  const x = rand([4, 6], 100 + i, -4, 4);
  const g = rand([4, 6], 200 + i);
  cases.push({
    id: `activation ${name}`,
    kind: "activation",
    name,
    x,
    g,
    ours: () => {
      const xt = tensor(x as number[][]);
      const fn = activations.getActivation(name).fn;
      const { grads } = gradients(() => fn(xt).mul(tensor(g as number[][])).sum(), [xt]);
      return { y: fn(xt).toArray(), dx: grads[0].toArray() };
    },
  });
}

// ---- layers: output, input gradient, weight gradients, weights after (moving statistics) -------
interface LayerCase {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  x: unknown | unknown[];
  weights?: unknown[];
  training?: boolean;
}
let seed = 1000;
const layerCases: LayerCase[] = [];
const dense = (activation: string, xShape: number[]) => {
  const inDim = xShape[xShape.length - 1];
  layerCases.push({ name: `Dense ${activation} on ${xShape.join("×")}`, class_name: "Dense", config: { units: 4, activation }, x: rand(xShape, seed++), weights: [rand([inDim, 4], seed++), rand([4], seed++)] });
};
for (const a of ["linear", "relu", "sigmoid", "tanh", "softmax", "elu", "gelu"]) dense(a, [5, 7]);
dense("relu", [2, 3, 7]);
const bnWeights = (c: number) => [rand([c], seed++, 0.5, 1.5), rand([c], seed++), rand([c], seed++), rand([c], seed++, 0.5, 2)];
layerCases.push({ name: "BatchNormalization at inference", class_name: "BatchNormalization", config: { momentum: 0.9, epsilon: 0.001 }, x: rand([6, 5], seed++, -2, 3), weights: bnWeights(5) });
layerCases.push({ name: "BatchNormalization in training (batch statistics, moving averages)", class_name: "BatchNormalization", config: { momentum: 0.9, epsilon: 0.001 }, x: rand([6, 5], seed++, -2, 3), weights: bnWeights(5), training: true });
layerCases.push({ name: "BatchNormalization in training on images", class_name: "BatchNormalization", config: { momentum: 0.99, epsilon: 0.01, center: false }, x: rand([2, 3, 3, 4], seed++, -2, 3), weights: [rand([4], seed++, 0.5, 1.5), rand([4], seed++), rand([4], seed++, 0.5, 2)], training: true });
layerCases.push({ name: "Dropout at inference", class_name: "Dropout", config: { rate: 0.5 }, x: rand([4, 5], seed++) });
layerCases.push({ name: "Activation relu", class_name: "Activation", config: { activation: "relu" }, x: rand([4, 5], seed++) });
layerCases.push({ name: "Flatten", class_name: "Flatten", config: {}, x: rand([2, 3, 4], seed++) });
layerCases.push({ name: "Reshape", class_name: "Reshape", config: { target_shape: [3, 4] }, x: rand([2, 12], seed++) });
layerCases.push({ name: "Concatenate on the last axis", class_name: "Concatenate", config: { axis: -1 }, x: [rand([3, 2], seed++), rand([3, 4], seed++)] });
layerCases.push({ name: "Concatenate on axis 1", class_name: "Concatenate", config: { axis: 1 }, x: [rand([2, 2, 3], seed++), rand([2, 1, 3], seed++)] });
layerCases.push({ name: "Add of three", class_name: "Add", config: {}, x: [rand([3, 4], seed++), rand([3, 4], seed++), rand([3, 4], seed++)] });
const conv2d = (name: string, config: Record<string, unknown>, inShape: number[]) => {
  const k = config.kernel_size as number[];
  layerCases.push({ name: `Conv2D ${name}`, class_name: "Conv2D", config: { filters: 4, ...config }, x: rand(inShape, seed++), weights: [rand([...k, inShape[3], 4], seed++), rand([4], seed++)] });
};
conv2d("3×3 valid", { kernel_size: [3, 3] }, [2, 7, 6, 3]);
conv2d("3×3 same, strides 2, relu", { kernel_size: [3, 3], padding: "same", strides: [2, 2], activation: "relu" }, [2, 7, 6, 3]);
conv2d("2×3 valid, dilation 2", { kernel_size: [2, 3], dilation_rate: [2, 2] }, [2, 7, 8, 2]);
conv2d("4×4 same (even kernel), strides 3", { kernel_size: [4, 4], padding: "same", strides: [3, 3] }, [1, 8, 7, 2]);
const conv1d = (name: string, config: Record<string, unknown>) => {
  const k = (config.kernel_size as number[])[0];
  layerCases.push({ name: `Conv1D ${name}`, class_name: "Conv1D", config: { filters: 3, ...config }, x: rand([2, 9, 2], seed++), weights: [rand([k, 2, 3], seed++), rand([3], seed++)] });
};
conv1d("valid", { kernel_size: [3] });
conv1d("same, strides 2", { kernel_size: [3], padding: "same", strides: [2] });
conv1d("causal, dilation 2, tanh", { kernel_size: [3], padding: "causal", dilation_rate: [2], activation: "tanh" });
for (const cls of ["MaxPooling2D", "AveragePooling2D"]) {
  layerCases.push({ name: `${cls} 2 valid`, class_name: cls, config: { pool_size: [2, 2], strides: [2, 2] }, x: rand([2, 6, 5, 3], seed++) });
  layerCases.push({ name: `${cls} 3 same, strides 2`, class_name: cls, config: { pool_size: [3, 3], strides: [2, 2], padding: "same" }, x: rand([2, 7, 6, 3], seed++) });
}
for (const cls of ["MaxPooling1D", "AveragePooling1D"]) {
  layerCases.push({ name: `${cls} 2 valid`, class_name: cls, config: { pool_size: [2], strides: [2] }, x: rand([2, 9, 3], seed++) });
  layerCases.push({ name: `${cls} 3 same, strides 2`, class_name: cls, config: { pool_size: [3], strides: [2], padding: "same" }, x: rand([2, 8, 3], seed++) });
}
for (const cls of ["GlobalAveragePooling2D", "GlobalMaxPooling2D"]) {
  layerCases.push({ name: `${cls}`, class_name: cls, config: { keepdims: false }, x: rand([2, 4, 5, 3], seed++) });
  layerCases.push({ name: `${cls} keepdims`, class_name: cls, config: { keepdims: true }, x: rand([2, 3, 3, 2], seed++) });
}

for (const c of layerCases) {
  // The merge layers take a list of inputs.
  const multi = c.class_name === "Concatenate" || c.class_name === "Add";
  const layer: Layer = layerFromKeras({ class_name: c.class_name, config: { name: `case_${cases.length}`, ...c.config } });
  const xs = multi ? (c.x as unknown[]).map((v) => tensor(v as number[])) : [tensor(c.x as number[])];
  const y0 = layer.apply(multi ? xs : xs[0]) as Tensor;
  // The upstream gradient: the loss differentiated is sum(y · g), so every output counts.
  const g = rand([...y0.shape], seed++);
  cases.push({
    id: `layer ${c.name}`,
    kind: "layer",
    class_name: c.class_name,
    config: c.config,
    x: c.x,
    multi,
    weights: c.weights ?? [],
    g,
    training: c.training ?? false,
    ours: () => {
      if (c.weights) layer.setWeights(c.weights.map((w) => tensor(w as number[])));
      const gt = tensor(g as number[]);
      let y: Tensor | null = null;
      const { grads } = gradients(() => {
        y = layer.call(multi ? xs : xs[0], { training: c.training ?? false });
        return y.mul(gt).sum();
      }, [...xs, ...layer.trainableWeights]);
      return { y: y!.toArray(), dx: grads.slice(0, xs.length).map((t) => t.toArray()), dw: grads.slice(xs.length).map((t) => t.toArray()), weights_after: layer.getWeights().map((t) => t.toArray()) };
    },
  });
}

// Dropout in training: the masks come from each side's own random generator, so they cannot be
// the same; what must be the same is the rule — each element dropped or kept and scaled by
// 1 / (1 − rate) — and about rate of them dropped.
const dropX = rand([40, 50], seed++, 0.5, 1.5) as number[][];
cases.push({
  id: "dropout in training",
  kind: "layer",
  class_name: "Dropout",
  config: { rate: 0.3 },
  x: dropX,
  multi: false,
  weights: [],
  g: rand([40, 50], seed++),
  training: true,
  ours: () => ({ y: layers.Dropout(0.3).apply(tensor(dropX), { training: true }).toArray() }),
});

// ---- losses: value and gradient with respect to the predictions --------------------------------
const logits = rand([6, 4], seed++, -3, 3) as number[][];
const probs = softmaxRows(logits);
const labels = [0, 3, 1, 1, 2, 0];
const binLogits = rand([6, 3], seed++, -3, 3) as number[][];
const binProbs = binLogits.map((r) => r.map((v) => 1 / (1 + Math.exp(-v))));
const binTrue = rand([6, 3], seed++, 0, 1) as number[][];
const binLabels = binTrue.map((r) => r.map((v) => (v > 0.5 ? 1 : 0)));
const regTrue = rand([6, 3], seed++, -2, 2);
const regPred = rand([6, 3], seed++, -2, 2);
const lossCases: [string, string, Record<string, unknown>, unknown, unknown, () => InstanceType<typeof losses.Loss>, string?][] = [
  ["categorical_crossentropy on probabilities", "CategoricalCrossentropy", {}, oneHot(labels, 4), probs, () => new losses.CategoricalCrossentropy()],
  ["categorical_crossentropy from logits", "CategoricalCrossentropy", { from_logits: true }, oneHot(labels, 4), logits, () => new losses.CategoricalCrossentropy({ fromLogits: true })],
  ["sparse_categorical_crossentropy on probabilities", "SparseCategoricalCrossentropy", {}, labels, probs, () => new losses.SparseCategoricalCrossentropy(), "int32"],
  ["sparse_categorical_crossentropy from logits", "SparseCategoricalCrossentropy", { from_logits: true }, labels, logits, () => new losses.SparseCategoricalCrossentropy({ fromLogits: true }), "int32"],
  ["binary_crossentropy on probabilities", "BinaryCrossentropy", {}, binLabels, binProbs, () => new losses.BinaryCrossentropy()],
  ["binary_crossentropy from logits, soft targets", "BinaryCrossentropy", { from_logits: true }, binTrue, binLogits, () => new losses.BinaryCrossentropy({ fromLogits: true })],
  ["mean_squared_error", "MeanSquaredError", {}, regTrue, regPred, () => new losses.MeanSquaredError()],
  ["mean_absolute_error", "MeanAbsoluteError", {}, regTrue, regPred, () => new losses.MeanAbsoluteError()],
  ["huber", "Huber", {}, regTrue, regPred, () => new losses.Huber()],
  ["huber, delta 0.5", "Huber", { delta: 0.5 }, regTrue, regPred, () => new losses.Huber({ delta: 0.5 })],
];
for (const [name, cls, config, yTrue, yPred, make, dtype] of lossCases) {
  cases.push({
    id: `loss ${name}`,
    kind: "loss",
    class_name: cls,
    config,
    y_true: yTrue,
    y_pred: yPred,
    y_true_dtype: dtype ?? "float32",
    ours: () => {
      const yt = tensor(yTrue as number[], dtype === "int32" ? "int32" : undefined);
      const yp = tensor(yPred as number[][]);
      const { value, grads } = gradients(() => make().call(yt, yp), [yp]);
      return { value: value.item(), dy: grads[0].toArray() };
    },
  });
}

// ---- metrics: two batches, then the result -----------------------------------------------------
const batch = () => {
  const l = rand([8, 3], seed++, -2, 2) as number[][];
  const lab = (rand([8], seed++, 0, 3) as number[]).map(Math.floor);
  const bl = rand([8, 2], seed++, 0, 1) as number[][];
  const bt = (rand([8, 2], seed++, 0, 1) as number[][]).map((r) => r.map((v) => (v > 0.4 ? 1 : 0)));
  return { probs: softmaxRows(l), lab, onehot: oneHot(lab, 3), bl, bt, reg: rand([8, 2], seed++), regT: rand([8, 2], seed++) };
};
const b1 = batch();
const b2 = batch();
const metricCases: [string, string, Record<string, unknown>, [unknown, unknown][], () => InstanceType<typeof metrics.Metric>][] = [
  ["binary_accuracy", "BinaryAccuracy", {}, [[b1.bt, b1.bl], [b2.bt, b2.bl]], () => new metrics.BinaryAccuracy()],
  ["binary_accuracy, threshold 0.3", "BinaryAccuracy", { threshold: 0.3 }, [[b1.bt, b1.bl], [b2.bt, b2.bl]], () => new metrics.BinaryAccuracy("binary_accuracy", { threshold: 0.3 })],
  ["categorical_accuracy", "CategoricalAccuracy", {}, [[b1.onehot, b1.probs], [b2.onehot, b2.probs]], () => new metrics.CategoricalAccuracy()],
  ["sparse_categorical_accuracy", "SparseCategoricalAccuracy", {}, [[b1.lab, b1.probs], [b2.lab, b2.probs]], () => new metrics.SparseCategoricalAccuracy()],
  ["mean_absolute_error", "MeanAbsoluteError", {}, [[b1.regT, b1.reg], [b2.regT, b2.reg]], () => new metrics.MeanAbsoluteError()],
  ["mean_squared_error", "MeanSquaredError", {}, [[b1.regT, b1.reg], [b2.regT, b2.reg]], () => new metrics.MeanSquaredError()],
  ["precision", "Precision", {}, [[b1.bt, b1.bl], [b2.bt, b2.bl]], () => new metrics.Precision()],
  ["precision, threshold 0.7", "Precision", { thresholds: 0.7 }, [[b1.bt, b1.bl], [b2.bt, b2.bl]], () => new metrics.Precision("precision", { threshold: 0.7 })],
  ["recall", "Recall", {}, [[b1.bt, b1.bl], [b2.bt, b2.bl]], () => new metrics.Recall()],
];
for (const [name, cls, config, batches, make] of metricCases) {
  cases.push({
    id: `metric ${name}`,
    kind: "metric",
    class_name: cls,
    config,
    batches,
    ours: () => {
      const m = make();
      for (const [yt, yp] of batches) m.update(tensor(yt as number[]), tensor(yp as number[]));
      return { value: m.result() };
    },
  });
}

// ---- optimizers: three steps from the same weights and gradients -------------------------------
const optimizerCases: [string, string, Record<string, unknown>, () => Optimizer][] = [
  ["SGD", "SGD", {}, () => new optimizers.SGD()],
  ["SGD, momentum 0.9", "SGD", { learning_rate: 0.1, momentum: 0.9 }, () => new optimizers.SGD({ learningRate: 0.1, momentum: 0.9 })],
  ["SGD, Nesterov momentum", "SGD", { learning_rate: 0.1, momentum: 0.8, nesterov: true }, () => new optimizers.SGD({ learningRate: 0.1, momentum: 0.8, nesterov: true })],
  ["RMSprop", "RMSprop", {}, () => new optimizers.RMSprop()],
  ["RMSprop, rho 0.8, epsilon 1e-4", "RMSprop", { learning_rate: 0.01, rho: 0.8, epsilon: 1e-4 }, () => new optimizers.RMSprop({ learningRate: 0.01, rho: 0.8, epsilon: 1e-4 })],
  ["Adam", "Adam", {}, () => new optimizers.Adam()],
  ["Adam, betas 0.8 / 0.99", "Adam", { learning_rate: 0.01, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-4 }, () => new optimizers.Adam({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 })],
  ["AdamW", "AdamW", {}, () => new optimizers.AdamW()],
  ["AdamW, weight decay 0.1", "AdamW", { learning_rate: 0.01, weight_decay: 0.1 }, () => new optimizers.AdamW({ learningRate: 0.01, weightDecay: 0.1 })],
  ["Adagrad", "Adagrad", {}, () => new optimizers.Adagrad()],
  ["Adagrad, initial accumulator 0.5", "Adagrad", { learning_rate: 0.05, initial_accumulator_value: 0.5, epsilon: 1e-5 }, () => new optimizers.Adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.5, epsilon: 1e-5 })],
];
const optWeights = [rand([3, 4], seed++), rand([4], seed++)];
const optGrads = [0, 1, 2].map(() => [rand([3, 4], seed++, -0.5, 0.5), rand([4], seed++, -0.5, 0.5)]);
for (const [name, cls, config, make] of optimizerCases) {
  cases.push({
    id: `optimizer ${name}`,
    kind: "optimizer",
    class_name: cls,
    config,
    weights: optWeights,
    grads: optGrads,
    ours: () => {
      const opt = make();
      const vars = optWeights.map((w) => variable(tensor(w as number[])));
      const steps = optGrads.map((gs) => {
        opt.applyGradients(gs.map((g) => tensor(g as number[])), vars);
        return vars.map((v) => v.toArray());
      });
      return { steps };
    },
  });
}

// ---- whole training steps: tsdl's model in a .keras file, one step on either side --------------
const work = kerasWorkDir("keras-parity");
interface TrainCase {
  name: string;
  build: () => ModelType;
  x: unknown;
  y: unknown;
  yDtype?: "int32";
}
const xTrain = rand([12, 6], seed++, -1, 1);
const trainCases: TrainCase[] = [
  {
    name: "Dense + l2 → softmax, sparse_categorical_crossentropy, RMSprop",
    build: () => {
      const m = Sequential([Input({ shape: [6] }), layers.Dense(6, { activation: "relu", kernelRegularizer: regularizers.l2(0.01) }), layers.Dense(3, { activation: "softmax" })]);
      m.compile({ optimizer: new optimizers.RMSprop({ learningRate: 0.01 }), loss: "sparse_categorical_crossentropy" });
      return m;
    },
    x: xTrain,
    y: [0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2],
    yDtype: "int32",
  },
  {
    // A softmax wrong with confidence: p(true class) = e⁻⁴⁰. From probabilities the loss would be
    // clipped at −log(1e-7) = 16.1; Keras takes the softmax's logits (it keeps them on the output),
    // as tsdl's fit fuses softmax into the loss, so both report 25 and step alike.
    name: "a confidently wrong softmax (loss 25, past the 1e-7 clip), categorical_crossentropy, SGD",
    build: () => {
      const m = Sequential([Input({ shape: [2] }), layers.Dense(3, { activation: "softmax" })]);
      m.setWeights([tensor([[20, -20, 0], [0, 0, 0]]), tensor([0, 0, 0])]);
      m.compile({ optimizer: new optimizers.SGD({ learningRate: 0.1 }), loss: "categorical_crossentropy" });
      return m;
    },
    x: [[1, 0], [0.5, 0]],
    y: [[0, 1, 0], [0, 0, 1]],
  },
  {
    name: "tanh → sigmoid, binary_crossentropy, SGD with Nesterov momentum",
    build: () => {
      const m = Sequential([Input({ shape: [6] }), layers.Dense(5, { activation: "tanh" }), layers.Dense(1, { activation: "sigmoid" })]);
      m.compile({ optimizer: new optimizers.SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }), loss: "binary_crossentropy" });
      return m;
    },
    x: xTrain,
    y: [[1], [0], [0], [1], [1], [0], [1], [0], [1], [1], [0], [0]],
  },
  {
    name: "linear + l1, mse, Adagrad",
    build: () => {
      const m = Sequential([Input({ shape: [6] }), layers.Dense(4, { kernelRegularizer: regularizers.l1(0.01) }), layers.Dense(2)]);
      m.compile({ optimizer: new optimizers.Adagrad({ learningRate: 0.1 }), loss: "mse" });
      return m;
    },
    x: xTrain,
    y: rand([12, 2], seed++),
  },
  {
    name: "BatchNormalization and elu, huber, SGD",
    build: () => {
      // Plain SGD and no bias before BatchNormalization: the batch mean takes that bias's gradient
      // out (it is zero but for rounding), and the weights before a BatchNormalization get small
      // gradients that cancel; Adam's or RMSprop's first step, lr·g/|g|, would turn the last bits of
      // such gradients into whole steps on either side (the files test checks Adam with
      // BatchNormalization on a bigger model, where it is well within 1e-5).
      const m = Sequential([Input({ shape: [6] }), layers.Dense(5, { useBias: false }), layers.BatchNormalization(), layers.Activation("elu"), layers.Dense(2)]);
      m.compile({ optimizer: new optimizers.SGD({ learningRate: 0.1 }), loss: "huber" });
      return m;
    },
    x: xTrain,
    y: rand([12, 2], seed++, -2, 2),
  },
  {
    name: "Conv2D, MaxPooling2D, Flatten → softmax, categorical_crossentropy, AdamW",
    build: () => {
      const m = Sequential([Input({ shape: [6, 6, 2] }), layers.Conv2D(3, 3, { activation: "relu" }), layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(3, { activation: "softmax" })]);
      m.compile({ optimizer: new optimizers.AdamW({ learningRate: 0.01, weightDecay: 0.05 }), loss: "categorical_crossentropy" });
      return m;
    },
    x: rand([5, 6, 6, 2], seed++),
    y: oneHot([0, 2, 1, 1, 0], 3),
  },
];
trainCases.forEach((c, i) => {
  const fileName = `train-${i}.keras`;
  cases.push({
    id: `train ${c.name}`,
    kind: "train",
    file: fileName,
    x: c.x,
    multi: false,
    y: c.y,
    y_dtype: c.yDtype ?? "float32",
    ours: async () => {
      setRandomSeed(50 + i);
      const m = c.build();
      m.save(join(work.dir, fileName));
      const x = tensor(c.x as number[]);
      const y = tensor(c.y as number[], c.yDtype);
      const n = x.shape[0];
      const h = await m.fit(x, y, { epochs: 1, batchSize: n, shuffle: false, verbose: 0 });
      return { weights: m.getWeights().map((w) => w.toArray()), loss: h.history.loss[0] };
    },
  });
});

// ---- run both sides ----------------------------------------------------------------------------
const ours = new Map<string, Record<string, unknown>>();
let keras: Record<string, Record<string, unknown> & { error?: string }>;

beforeAll(async () => {
  setRandomSeed(1);
  for (const c of cases) ours.set(c.id, await c.ours());
  const spec = { cases: cases.map(({ ours: _, ...rest }) => rest) };
  keras = runKeras("parity.py", work.dir, spec);
}, 600_000);

afterAll(() => work.done());

/** Compares every field Keras answered with tsdl's, naming the field that differs. */
function compare(id: string): void {
  const k = keras[id];
  if (k.error) throw new Error(`Keras failed on '${id}':\n${k.error}`);
  const o = ours.get(id)!;
  for (const [field, theirs] of Object.entries(k)) {
    const diff = maxRelDiff(o[field], theirs, FLOOR);
    expect(diff, `${id}: ${field} (max relative difference)`).toBeLessThan(TOL);
  }
}

describe("activations match Keras (value and gradient)", () => {
  for (const c of cases.filter((c) => c.kind === "activation")) it(`${c.name}`, () => compare(c.id));
});
describe("layers match Keras (output, input and weight gradients, weights after the call)", () => {
  for (const c of cases.filter((c) => c.kind === "layer" && c.id.startsWith("layer "))) it(c.id.slice(6), () => compare(c.id));
});
describe("Dropout in training follows Keras's rule (masks differ: each side draws its own)", () => {
  it("each element is dropped or scaled by 1 / (1 − rate), and about rate of them are dropped, on both sides", () => {
    const check = (y: number[][]) => {
      let dropped = 0;
      y.forEach((row, i) => row.forEach((v, j) => {
        if (v === 0) dropped++;
        else expect(Math.abs(v - dropX[i][j] / 0.7)).toBeLessThan(1e-6);
      }));
      return dropped / (40 * 50);
    };
    const k = keras["dropout in training"];
    if (k.error) throw new Error(k.error);
    for (const fraction of [check(k.y as number[][]), check(ours.get("dropout in training")!.y as number[][])]) {
      expect(fraction).toBeGreaterThan(0.25);
      expect(fraction).toBeLessThan(0.35);
    }
  });
});
describe("losses match Keras (value and gradient)", () => {
  for (const c of cases.filter((c) => c.kind === "loss")) it(c.id.slice(5), () => compare(c.id));
});
describe("metrics match Keras over two batches", () => {
  for (const c of cases.filter((c) => c.kind === "metric")) it(c.id.slice(7), () => compare(c.id));
});
describe("optimizers match Keras for three steps", () => {
  for (const c of cases.filter((c) => c.kind === "optimizer")) it(c.id.slice(10), () => compare(c.id));
});
describe("one training step matches Keras's train_on_batch (weights and loss)", () => {
  for (const c of cases.filter((c) => c.kind === "train")) it(c.id.slice(6), () => compare(c.id));
});

