/**
 * `.keras` and `.weights.h5` files both ways, held against Keras 3 itself (test/keras/files.py,
 * one Python process for the whole file): models trained in tsdl load in Keras and predict the
 * same; models trained in Keras load in tsdl and predict the same, to 1e-5; the optimizer's
 * state travels, so the next training step lands on the same weights on either side; and what
 * tsdl cannot compute names itself.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callbacks, Input, layers, loadModel, Model, optimizers, regularizers, Sequential, setRandomSeed, tensor, type Tensor } from "../runtime/index.js";
import { kerasWorkDir, maxRelDiff, runKeras } from "./helpers/keras.js";
import { readZip, writeZip } from "../runtime/models/keras/zip.js";

const N = 32;
/** Deterministic data without a random generator of either side: a few sines. */
const x = Array.from({ length: N }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(1.3 * i + 0.7 * j + 0.1 * i * j)));
const x2 = Array.from({ length: N }, (_, i) => Array.from({ length: 4 }, (_, j) => Math.cos(0.9 * i - 1.1 * j)));
const labels = x.map((r) => (r[0] + r[3] > 0.3 ? 0 : r[1] > 0 ? 1 : 2));
const y = labels.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
const y2 = x.map((r) => [r[2] * 0.5 + r[5]]);
const xs = () => tensor(x);
/** 16 two-channel 8×8 images and 16 three-channel sequences of 12 steps, for the convolution layers. */
const xc = Array.from({ length: 16 }, (_, n) => Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => [Math.sin(0.3 * n + 0.5 * i - 0.2 * j), Math.cos(0.7 * n - 0.4 * i * j)])));
const xq = Array.from({ length: 16 }, (_, n) => Array.from({ length: 12 }, (_, t) => [Math.sin(0.4 * n + 0.6 * t), Math.cos(0.2 * n * t), Math.sin(n - t)]));
const yc = Array.from({ length: 16 }, (_, n) => [0, 1, 2].map((k) => (k === n % 3 ? 1 : 0)));

interface KerasResult {
  t_seq_pred: number[][];
  t_seq_iterations: number;
  t_seq_optimizer: string;
  t_seq_layout: Layout;
  t_seq_resaved_layout: Layout;
  t_weights_pred: number[][];
  t_fun_pred: [number[][], number[][]];
  t_fun_layout: Layout;
  t_fun_resaved_layout: Layout;
  t_cont_iterations_before: number;
  t_cont_next_weights: number[][];
  k_seq_pred: number[][];
  k_seq_weights: number[][];
  k_seq_eval: number[];
  k_fun_pred: [number[][], number[][]];
  k_fun_layers: string[];
  k_cont_next_weights: number[][];
  t_conv_pred: number[][];
  t_conv_layers: string[];
  t_conv1d_pred: number[][];
  k_conv_pred: number[][];
  k_conv1d_pred: number[][];
  keras_version: string;
  warnings: string[];
}
interface Layout {
  entries: string[];
  config: { class_name: string; module: string; config: { layers: { class_name: string; config: { name: string }; inbound_nodes?: unknown }[] }; compile_config?: Record<string, unknown> };
  metadata: Record<string, string>;
  h5: Record<string, [string, number[] | null, string | null, Record<string, unknown>]>;
}

const work = kerasWorkDir("keras-files");
const file = (name: string) => join(work.dir, name);
let keras: KerasResult;
const tsdl: { seqPred?: Tensor; funPred?: Tensor[]; contNext?: Tensor[]; convPred?: Tensor; conv1dPred?: Tensor } = {};

function functionalModel() {
  const a = Input({ shape: [8], name: "a" });
  const b = Input({ shape: [4], name: "b" });
  const shared = layers.Dense(6, { activation: "tanh", name: "shared" });
  const h = layers.Concatenate({ name: "join" }).apply([layers.Dense(4, { name: "pa" }).apply(a), b]);
  const f = layers.Flatten({ name: "unfold" }).apply(layers.Reshape([2, 4], { name: "fold" }).apply(h));
  const s = layers.Add({ name: "sum" }).apply([shared.apply(f), shared.apply(layers.Activation("sigmoid", { name: "squash" }).apply(f))]);
  return Model({ inputs: [a, b], outputs: [layers.Dense(3, { activation: "softmax", name: "classes" }).apply(s), layers.Dense(1, { name: "value" }).apply(s)], name: "tsdl_functional" });
}

beforeAll(async () => {
  setRandomSeed(5);
  // A Sequential with every weight kind the format has: Dense (with a regularizer), Dropout, BatchNormalization.
  const seq = Sequential(
    [
      Input({ shape: [8] }),
      layers.Dense(16, { activation: "relu", kernelRegularizer: regularizers.l2(1e-3), name: "hidden" }),
      layers.Dropout(0.3),
      layers.BatchNormalization({ name: "norm" }),
      layers.Dense(3, { activation: "softmax", name: "probs" }),
    ],
    { name: "tsdl_sequential" },
  );
  seq.compile({ optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  await seq.fit(xs(), tensor(y), { epochs: 3, batchSize: 8, verbose: 0 });
  seq.save(file("t-seq.keras"));
  seq.saveWeights(file("t-seq.weights.h5"));
  tsdl.seqPred = seq.predict(xs(), { verbose: 0 }) as Tensor;

  const fun = functionalModel();
  fun.compile({ optimizer: new optimizers.RMSprop({ learningRate: 0.01 }), loss: ["categorical_crossentropy", "mse"], metrics: [["accuracy"], ["mae"]] });
  await fun.fit([xs(), tensor(x2)], [tensor(y), tensor(y2)], { epochs: 2, batchSize: 8, verbose: 0 });
  fun.save(file("t-fun.keras"));
  tsdl.funPred = fun.predict([xs(), tensor(x2)], { verbose: 0 }) as Tensor[];

  // Two steps here, saved; the third step is taken here and, from the file, in Keras.
  const cont = Sequential([Input({ shape: [8] }), layers.Dense(8, { activation: "relu" }), layers.BatchNormalization(), layers.Dense(3, { activation: "softmax" })]);
  cont.compile({ optimizer: new optimizers.Adam({ learningRate: 0.01 }), loss: "categorical_crossentropy" });
  await cont.fit(xs(), tensor(y), { epochs: 2, batchSize: N, shuffle: false, verbose: 0 });
  cont.save(file("t-cont.keras"));
  await cont.fit(xs(), tensor(y), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
  tsdl.contNext = cont.getWeights();

  // The convolution and pooling layers: every 2-D class here, the others in Keras's file below.
  const conv = Sequential([
    Input({ shape: [8, 8, 2] }),
    layers.Conv2D(4, 3, { activation: "relu" }),
    layers.AveragePooling2D(2),
    layers.Conv2D(5, 2, { padding: "same" }),
    layers.GlobalMaxPooling2D(),
    layers.Dense(3, { activation: "softmax" }),
  ]);
  conv.compile({ optimizer: "adam", loss: "categorical_crossentropy" });
  await conv.fit(tensor(xc), tensor(yc), { epochs: 2, batchSize: 4, verbose: 0 });
  conv.save(file("t-conv.keras"));
  tsdl.convPred = conv.predict(tensor(xc), { verbose: 0 }) as Tensor;
  const conv1d = Sequential([Input({ shape: [12, 3] }), layers.Conv1D(4, 3, { activation: "relu", padding: "same" }), layers.AveragePooling1D(2), layers.MaxPooling1D(3), layers.Flatten(), layers.Dense(3, { activation: "softmax" })]);
  conv1d.compile({ optimizer: "sgd", loss: "categorical_crossentropy" });
  await conv1d.fit(tensor(xq), tensor(yc), { epochs: 1, batchSize: 4, verbose: 0 });
  conv1d.save(file("t-conv1d.keras"));
  tsdl.conv1dPred = conv1d.predict(tensor(xq), { verbose: 0 }) as Tensor;

  keras = runKeras<KerasResult>("files.py", work.dir, { x, x2, y, y2, xc, xq, yc });
}, 600_000);

afterAll(() => work.done());

describe("models trained in tsdl, loaded by Keras 3", () => {
  it("a Sequential (Dense with a regularizer, Dropout, BatchNormalization) predicts the same in Keras", () => {
    expect(maxRelDiff(keras.t_seq_pred, tsdl.seqPred!.toArray())).toBeLessThan(1e-5);
    expect(keras.t_seq_optimizer).toBe("Adam");
    expect(keras.t_seq_iterations).toBe(12); // 3 epochs of 4 batches
    expect(keras.warnings.filter((w) => /Skipping variable loading/.test(w))).toEqual([]);
  });

  it("a functional model (two inputs, a shared layer, Concatenate, Reshape, Flatten, Add, two outputs) predicts the same in Keras", () => {
    expect(maxRelDiff(keras.t_fun_pred[0], tsdl.funPred![0].toArray())).toBeLessThan(1e-5);
    expect(maxRelDiff(keras.t_fun_pred[1], tsdl.funPred![1].toArray())).toBeLessThan(1e-5);
  });

  it("a convnet (Conv2D, AveragePooling2D, GlobalMaxPooling2D) and a 1-D one (Conv1D, AveragePooling1D, MaxPooling1D) predict the same in Keras", () => {
    expect(keras.t_conv_layers).toEqual(["Conv2D", "AveragePooling2D", "Conv2D", "GlobalMaxPooling2D", "Dense"]);
    expect(maxRelDiff(keras.t_conv_pred, tsdl.convPred!.toArray())).toBeLessThan(1e-5);
    expect(maxRelDiff(keras.t_conv1d_pred, tsdl.conv1dPred!.toArray())).toBeLessThan(1e-5);
  });

  it("weights saved with saveWeights('….weights.h5') load into Keras's model with load_weights", () => {
    expect(maxRelDiff(keras.t_weights_pred, tsdl.seqPred!.toArray())).toBeLessThan(1e-5);
  });

  it("the optimizer's state travels: Keras's next step from tsdl's file gives tsdl's next weights", () => {
    expect(keras.t_cont_iterations_before).toBe(2);
    const ours = tsdl.contNext!.map((t) => t.toArray());
    expect(ours).toHaveLength(keras.t_cont_next_weights.length);
    ours.forEach((w, i) => expect(maxRelDiff(keras.t_cont_next_weights[i], w), `weight ${i}`).toBeLessThan(1e-5));
  });

  it("the files have Keras's layout: Keras re-saving them writes the same h5 groups, datasets and layer list", () => {
    for (const [mine, theirs] of [[keras.t_seq_layout, keras.t_seq_resaved_layout], [keras.t_fun_layout, keras.t_fun_resaved_layout]]) {
      expect(mine.entries).toEqual(["metadata.json", "config.json", "model.weights.h5"]);
      expect(Object.keys(mine.metadata).sort()).toEqual(Object.keys(theirs.metadata).sort());
      expect(mine.h5).toEqual(theirs.h5);
      const layerList = (l: Layout) => l.config.config.layers.map((e) => [e.class_name, e.config.name, JSON.stringify(e.inbound_nodes ?? null)]);
      expect(layerList(mine)).toEqual(layerList(theirs));
      expect(mine.config.class_name).toBe(theirs.config.class_name);
      expect(Object.keys(mine.config.compile_config!).sort()).toEqual(Object.keys(theirs.config.compile_config!).sort());
    }
    expect(keras.t_seq_layout.h5["layers/dense/vars"][3]).toEqual({ name: "hidden" });
    expect(keras.t_seq_layout.h5["optimizer/vars/0"]).toEqual(["dataset", [], "int64", {}]);
  });
});

describe("models trained in Keras 3, loaded by tsdl", () => {
  it("a Sequential (Dense with a regularizer, Dropout, BatchNormalization) predicts and evaluates the same in tsdl", () => {
    const m = loadModel(file("k-seq.keras"));
    expect(m.name).toBe("keras_sequential");
    expect(m.layers.map((l) => l.className)).toEqual(["Dense", "Dropout", "BatchNormalization", "Dense"]);
    expect(maxRelDiff((m.predict(xs(), { verbose: 0 }) as Tensor).toArray(), keras.k_seq_pred)).toBeLessThan(1e-5);
    m.getWeights().forEach((w, i) => expect(w.toArray()).toEqual(keras.k_seq_weights[i]));
    const [loss, accuracy] = m.evaluate(xs(), tensor(y), { verbose: 0 });
    expect(maxRelDiff(loss, keras.k_seq_eval[0])).toBeLessThan(1e-5);
    expect(accuracy).toBeCloseTo(keras.k_seq_eval[1], 6);
    expect(m.optimizer!.className).toBe("Adam");
    expect(m.optimizer!.iterations).toBe(12);
  });

  it("a functional model loads with Keras's layer order and predicts the same", () => {
    const m = loadModel(file("k-fun.keras"));
    expect(m.layers.map((l) => l.name)).toEqual(keras.k_fun_layers);
    const [p1, p2] = m.predict([xs(), tensor(x2)], { verbose: 0 }) as Tensor[];
    expect(maxRelDiff(p1.toArray(), keras.k_fun_pred[0])).toBeLessThan(1e-5);
    expect(maxRelDiff(p2.toArray(), keras.k_fun_pred[1])).toBeLessThan(1e-5);
    expect(m.compiled!.losses.map((l) => l.name)).toEqual(["categorical_crossentropy", "mean_squared_error"]);
    expect(m.compiled!.metrics.map((list) => list.map((x) => x.name))).toEqual([["classes_accuracy"], ["value_mae"]]);
  });

  it("a convnet (Conv2D, MaxPooling2D, GlobalAveragePooling2D) and a causal Conv1D one predict the same in tsdl", () => {
    const m = loadModel(file("k-conv.keras"));
    expect(m.layers.map((l) => l.className)).toEqual(["Conv2D", "MaxPooling2D", "Conv2D", "GlobalAveragePooling2D", "Dense"]);
    expect(maxRelDiff((m.predict(tensor(xc), { verbose: 0 }) as Tensor).toArray(), keras.k_conv_pred)).toBeLessThan(1e-5);
    const m1 = loadModel(file("k-conv1d.keras"));
    expect(m1.layers.map((l) => l.className)).toEqual(["Conv1D", "MaxPooling1D", "AveragePooling1D", "Flatten", "Dense"]);
    expect(maxRelDiff((m1.predict(tensor(xq), { verbose: 0 }) as Tensor).toArray(), keras.k_conv1d_pred)).toBeLessThan(1e-5);
  });

  it("tsdl's next training step from Keras's file gives Keras's next weights", async () => {
    const m = loadModel(file("k-cont.keras"));
    expect(m.optimizer!.iterations).toBe(2);
    await m.fit(xs(), tensor(y), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
    m.getWeights().forEach((w, i) => expect(maxRelDiff(w.toArray(), keras.k_cont_next_weights[i]), `weight ${i}`).toBeLessThan(1e-5));
  });

  it("loadWeights reads a .weights.h5 that Keras's save_weights wrote", () => {
    const m = Sequential([Input({ shape: [8] }), layers.Dense(16, { activation: "relu" }), layers.Dropout(0.3), layers.BatchNormalization(), layers.Dense(3, { activation: "softmax" })]);
    m.loadWeights(file("k-seq.weights.h5"));
    expect(maxRelDiff((m.predict(xs(), { verbose: 0 }) as Tensor).toArray(), keras.k_seq_pred)).toBeLessThan(1e-5);
  });
});

describe("saving from inside fit", () => {
  it("ModelCheckpoint writes .keras and .weights.h5 files between epochs (saving is synchronous, as in Keras)", async () => {
    const m = Sequential([Input({ shape: [8] }), layers.Dense(3, { activation: "softmax" })]);
    m.compile({ optimizer: "sgd", loss: "categorical_crossentropy" });
    await m.fit(xs(), tensor(y), { epochs: 2, verbose: 0, callbacks: [new callbacks.ModelCheckpoint(file("ckpt-{epoch:02d}.keras")), new callbacks.ModelCheckpoint(file("ckpt.weights.h5"), { saveWeightsOnly: true })] });
    expect([existsSync(file("ckpt-01.keras")), existsSync(file("ckpt-02.keras"))]).toEqual([true, true]);
    const last = loadModel(file("ckpt-02.keras"));
    expect((last.predict(xs(), { verbose: 0 }) as Tensor).toArray()).toEqual((m.predict(xs(), { verbose: 0 }) as Tensor).toArray());
    expect(last.optimizer!.iterations).toBe(2);
    const twin = Sequential([Input({ shape: [8] }), layers.Dense(3, { activation: "softmax" })]);
    twin.loadWeights(file("ckpt.weights.h5"));
    expect(twin.getWeights().map((w) => w.toArray())).toEqual(m.getWeights().map((w) => w.toArray()));
  });
});

describe("what tsdl cannot read or write says so", () => {
  it("an unsupported layer names itself", () => {
    expect(() => loadModel(file("k-unsupported-layer.keras"))).toThrow(/k-unsupported-layer\.keras: LayerNormalization 'layer_normalization': the layer class LayerNormalization is not supported by tsdl/);
  });

  it("an unsupported setting names the layer, the setting and its value", () => {
    expect(() => loadModel(file("k-unsupported-setting.keras"))).toThrow(/Dense 'constrained': kernel_constraint=\{.*"NonNeg".*\} is not supported by tsdl/);
  });

  it("an optimizer setting tsdl lacks loads the model uncompiled, with a warning that names it", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const m = loadModel(file("k-unsupported-optimizer.keras"));
      expect(m.compiled).toBeNull();
      expect(warn.mock.calls.join("\n")).toMatch(/loaded without its compile settings: optimizer RMSprop: centered=true is not supported by tsdl/);
    } finally {
      warn.mockRestore();
    }
    expect(loadModel(file("k-unsupported-optimizer.keras"), { compile: false }).compiled).toBeNull();
  });

  it("a layer with an activation function of one's own cannot be saved, and the previous file stays whole", () => {
    const target = file("custom.keras");
    writeFileSync(target, readFileSync(file("k-seq.keras")));
    const m = Sequential([Input({ shape: [8] }), layers.Dense(2, { activation: function swish(t: Tensor) { return t.mul(t.sigmoid()); }, name: "mine" })]);
    expect(() => m.save(target)).toThrow(/Dense 'mine': the activation 'swish' is a function of your own; a \.keras file can hold only Keras's built-in activations/);
    expect(readFileSync(target)).toEqual(readFileSync(file("k-seq.keras")));
  });

  it("a layer class of one's own cannot go into a .keras file: the error names the layer and its class", () => {
    class Doubler extends layers.Layer {
      readonly className = "Doubler";
      call(x: Tensor | Tensor[]) {
        return (x as Tensor).mul(2);
      }
      computeOutputShape(s: (number | null)[]) {
        return s;
      }
    }
    const m = Sequential([Input({ shape: [3] }), new Doubler({ name: "twice" }), layers.Dense(1)]);
    expect(() => m.save(file("doubler.keras"))).toThrow(/Doubler 'twice': tsdl cannot write the layer class Doubler into a \.keras file \(supported: Dense, Dropout/);
    expect(existsSync(file("doubler.keras"))).toBe(false);
  });

  it("a damaged .keras file is an error naming the file and the entry", () => {
    const bytes = new Uint8Array(readFileSync(file("k-seq.keras")));
    const entries = readZip(bytes, "k-seq.keras");
    const h5 = entries.get("model.weights.h5")!;
    // Flip a byte inside the weights: the entry's CRC-32 no longer matches.
    const at = bytes.length - 2000;
    bytes[at] ^= 0xff;
    writeFileSync(file("damaged.keras"), bytes);
    expect(() => loadModel(file("damaged.keras"))).toThrow(/damaged\.keras: zip entry 'model\.weights\.h5' fails its CRC-32 check/);
    // A zip whose weights are not HDF5 at all.
    writeFileSync(file("not-h5.keras"), writeZip([["config.json", entries.get("config.json")!], ["model.weights.h5", h5.subarray(100)]]));
    expect(() => loadModel(file("not-h5.keras"))).toThrow(/not-h5\.keras \(model\.weights\.h5\) is not an HDF5 file/);
    expect(() => loadModel(file("missing.keras"))).toThrow(/loadModel: .*missing\.keras does not exist/);
  });

  it("legacy .h5 paths and mixed-up file kinds are refused with the right call to make", () => {
    const m = Sequential([Input({ shape: [2] }), layers.Dense(1)]);
    expect(() => m.save(file("old.h5"))).toThrow(/legacy Keras 2 HDF5 file, which tsdl does not read or write; use a '\.keras' file/);
    expect(() => m.save(file("w.weights.h5"))).toThrow(/use saveWeights\(\) for '\.weights\.h5'/);
    expect(() => m.saveWeights(file("m.keras"))).toThrow(/use save\(\) for '\.keras'/);
    expect(() => loadModel(file("k-seq.weights.h5"))).toThrow(/holds only weights; build the model, then model\.loadWeights/);
    expect(existsSync(file("old.h5"))).toBe(false);
  });
});
