import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callbacks, clearInterrupt, datasets, layers, loadModel, models, requestInterrupt, Sequential, tensor, utils, type Tensor } from "../runtime/index.js";

const [[trainImages, trainLabels], [testImages, testLabels]] = datasets.mnist.loadData();
const x = trainImages.slice(0, 2000).reshape([2000, 784]).astype("float32").div(255);
const yIdx = trainLabels.slice(0, 2000);
const y = utils.toCategorical(yIdx, 10);
const xTest = testImages.slice(0, 1000).reshape([1000, 784]).astype("float32").div(255);
const yTestIdx = testLabels.slice(0, 1000);

function chapterModel(units = 64): models.Sequential {
  const model = Sequential([layers.Dense(units, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

function sameValues(a: Tensor, b: Tensor): boolean {
  const da = a.data();
  const db = b.data();
  return da.length === db.length && da.every((v, i) => v === db[i]);
}

describe("training on a slice of MNIST", () => {
  it("one epoch on 2,000 images reaches more than 0.8 accuracy on 1,000 test images", async () => {
    utils.setRandomSeed(3);
    const model = chapterModel(512);
    const history = await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
    expect(Object.keys(history.history)).toEqual(["accuracy", "loss"]);
    const [loss, acc] = model.evaluate(xTest, utils.toCategorical(yTestIdx, 10));
    expect(loss).toBeLessThan(0.8);
    expect(acc).toBeGreaterThan(0.8);
  });

  it("uint8 class labels train with sparse_categorical_crossentropy and 'accuracy' picks the sparse variant", async () => {
    const model = Sequential([layers.Dense(32, { activation: "relu", inputShape: [784] }), layers.Dense(10, { activation: "softmax" })]);
    model.compile({ optimizer: new (await import("../runtime/index.js")).optimizers.Adam(), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const history = await model.fit(x, yIdx, { epochs: 2, batchSize: 64, verbose: 0 });
    expect(history.history.accuracy[1]).toBeGreaterThan(history.history.accuracy[0]);
    const [, acc] = model.evaluate(xTest, yTestIdx);
    expect(acc).toBeGreaterThan(0.75);
  });

  it("sparse labels shaped [n, 1] train like [n]; one-hot labels with the sparse loss fail before the first step", async () => {
    const sparseModel = () => {
      const m = Sequential([layers.Dense(8, { activation: "relu", inputShape: [784] }), layers.Dense(10, { activation: "softmax" })]);
      m.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
      return m;
    };
    const column = yIdx.slice(0, 256).reshape([256, 1]);
    const history = await sparseModel().fit(x.slice(0, 256), column, { epochs: 1, batchSize: 64, verbose: 0 });
    expect(history.history.loss[0]).toBeGreaterThan(0);
    const model = sparseModel();
    const before = model.getWeights().map((w) => w.data().slice());
    await expect(model.fit(x.slice(0, 256), y.slice(0, 256), { epochs: 1, verbose: 0 })).rejects.toThrow(
      "sparse_categorical_crossentropy: labels must be class indices of shape [batch] or [batch, 1], received shape [256, 10]",
    );
    expect(model.getWeights().every((w, i) => w.data().every((v, j) => v === before[i][j]))).toBe(true);
  });

  it("validationSplit holds out the end of the data and logs val_loss and val_accuracy", async () => {
    const model = chapterModel();
    const history = await model.fit(x, y, { epochs: 2, batchSize: 128, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(history.history)).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    expect(history.history.val_loss).toHaveLength(2);
    expect(history.epoch).toEqual([0, 1]);
    // The held-out 400 are the last rows: evaluating on them gives the same val_loss.
    const [valLoss] = model.evaluate(x.slice(1600), y.slice(1600), { batchSize: 128 });
    expect(valLoss).toBeCloseTo(history.history.val_loss[1], 5);
  });

  it("setRandomSeed makes initialization, shuffling and dropout reproducible", async () => {
    const run = async () => {
      utils.setRandomSeed(42);
      const model = Sequential([layers.Dense(16, { activation: "relu" }), layers.Dropout(0.3), layers.Dense(10, { activation: "softmax" })]);
      model.compile({ optimizer: "sgd", loss: "categorical_crossentropy", metrics: ["accuracy"] });
      const h = await model.fit(x.slice(0, 500), y.slice(0, 500), { epochs: 2, batchSize: 50, verbose: 0 });
      return { h: h.history, w: model.getWeights() };
    };
    const a = await run();
    const b = await run();
    expect(a.h).toEqual(b.h);
    a.w.forEach((w, i) => expect(sameValues(w, b.w[i])).toBe(true));
  });

  it("predict works in batches and matches applying the model to the whole array", () => {
    const model = chapterModel();
    model.build([null, 784]);
    const probs = model.predict(xTest, { batchSize: 100 }) as Tensor;
    expect(probs.shape).toEqual([1000, 10]);
    const direct = model.apply(xTest) as Tensor;
    const p = probs.data();
    const d = direct.data();
    expect(Math.max(...Array.from(p, (v, i) => Math.abs(v - d[i])))).toBeLessThan(1e-5);
  });
});

describe("memory", () => {
  it("native memory does not grow from epoch to epoch: each step frees its intermediates", async () => {
    const { loadNative } = await import("../runtime/backend/native.js");
    const model = chapterModel();
    const live: number[] = [];
    await model.fit(x.slice(0, 1000), y.slice(0, 1000), {
      epochs: 4,
      batchSize: 100,
      verbose: 0,
      validationSplit: 0.1,
      callbacks: [{ onEpochEnd: () => void live.push(loadNative().liveBytes()) }],
    });
    // The garbage collector may free older tensors meanwhile (memory only goes down); a step that
    // kept anything would make every later epoch end higher than the second.
    for (const bytes of live.slice(2)) expect(bytes).toBeLessThanOrEqual(live[1]);
  });
});

describe("layers in training and inference", () => {
  it("Dropout is active only in training", () => {
    const drop = layers.Dropout(0.5);
    const ones = tensor(new Float32Array(1000).fill(1), { shape: [10, 100] });
    expect(sameValues(drop.apply(ones), ones)).toBe(true);
    const dropped = drop.apply(ones, { training: true }).data();
    const zeros = dropped.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(350);
    expect(zeros).toBeLessThan(650);
    expect(dropped.filter((v) => v !== 0).every((v) => Math.abs(v - 2) < 1e-6)).toBe(true);
  });

  it("Dropout with a seed repeats its sequence of masks, and each step gets a new mask", () => {
    const ones = tensor(new Float32Array(1000).fill(1), { shape: [10, 100] });
    const masks = (layer: ReturnType<typeof layers.Dropout>) => [0, 1].map(() => Array.from(layer.apply(ones, { training: true }).data()));
    const [a1, a2] = masks(layers.Dropout(0.5, { seed: 7 }));
    utils.setRandomSeed(99); // the global stream does not matter to a seeded layer
    const [b1, b2] = masks(layers.Dropout(0.5, { seed: 7 }));
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a1);
    // Layers seeded 7 and 8 are unrelated streams (not one shifted by a step).
    const [c1] = masks(layers.Dropout(0.5, { seed: 8 }));
    expect(c1).not.toEqual(a2);
  });

  it("BatchNormalization learns moving statistics in fit and uses them at inference", async () => {
    const bn = layers.BatchNormalization({ momentum: 0.5 });
    const model = Sequential([layers.Dense(4, { inputShape: [3], kernelInitializer: "ones" }), bn]);
    model.compile({ optimizer: new (await import("../runtime/index.js")).optimizers.SGD({ learningRate: 1e-9 }), loss: "mse" });
    const xs = tensor([[1, 2, 3], [3, 4, 5], [5, 6, 7], [7, 8, 9]]);
    await model.fit(xs, tensor(new Float32Array(16), { shape: [4, 4] }), { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
    const [gamma, beta, movingMean, movingVar] = bn.getWeights().map((t) => Array.from(t.data()));
    expect(gamma).toHaveLength(4);
    expect(beta).toHaveLength(4);
    // Each row sums to 6, 12, 18, 24: batch mean 15, variance 45; after 5 updates at momentum 0.5 → 15·(1 − 0.5⁵).
    movingMean.forEach((m) => expect(m).toBeCloseTo(15 * (1 - 0.5 ** 5), 3));
    movingVar.forEach((v) => expect(v).toBeCloseTo(45 * (1 - 0.5 ** 5) + 0.5 ** 5, 2));
    expect(bn.trainableWeights).toHaveLength(2);
    expect(bn.nonTrainableWeights).toHaveLength(2);
    expect(model.summaryText()).toContain(" Non-trainable params: 8 (32.00 B)");
  });

  it("a kernel regularizer adds its penalty to the loss", () => {
    const dense = layers.Dense(2, { inputShape: [2], kernelInitializer: "ones", kernelRegularizer: "l2" });
    const model = Sequential([dense]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    const [loss] = model.evaluate(tensor([[0, 0]]), tensor([[0, 0]]));
    expect(loss).toBeCloseTo(0.01 * 4, 6);
  });

  it("Flatten and Reshape change the sample shape only", () => {
    const model = Sequential([layers.Reshape([28, 28], { inputShape: [784] }), layers.Flatten(), layers.Dense(3)]);
    expect(model.outputShapes[0]).toEqual([null, 3]);
    expect(model.layers[0].outputShape).toEqual([null, 28, 28]);
    expect((model.apply(xTest.slice(0, 5)) as Tensor).shape).toEqual([5, 3]);
  });

  it("getWeights and setWeights round-trip a layer's kernel and bias", () => {
    const dense = layers.Dense(2, { inputShape: [3] });
    Sequential([dense]);
    dense.setWeights([tensor([[1, 2], [3, 4], [5, 6]]), tensor([0.5, -0.5])]);
    const [k, b] = dense.getWeights();
    expect(k.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(b.toArray()).toEqual([0.5, -0.5]);
    expect(() => dense.setWeights([tensor([1])])).toThrow(/setWeights expects 2 arrays/);
  });
});

describe("callbacks", () => {
  it("EarlyStopping stops when the monitored value stops improving and restores the best weights", async () => {
    const model = chapterModel();
    let afterFirst: Tensor[] = [];
    const stopper = new callbacks.EarlyStopping({ monitor: "loss", mode: "max", patience: 1, restoreBestWeights: true });
    const history = await model.fit(x, y, {
      epochs: 10,
      batchSize: 256,
      verbose: 0,
      callbacks: [{ onEpochEnd: (epoch) => void (epoch === 0 && (afterFirst = model.getWeights())) }, stopper],
    });
    // Loss falls every epoch, so in "max" mode epoch 0 stays the best: stop after epoch 1.
    expect(history.epoch).toEqual([0, 1]);
    expect(stopper.stoppedEpoch).toBe(1);
    model.getWeights().forEach((w, i) => expect(sameValues(w, afterFirst[i])).toBe(true));
  });

  it("user callbacks see every batch and epoch; LearningRateScheduler sets the rate", async () => {
    const model = chapterModel();
    const seen: string[] = [];
    let batches = 0;
    let fieldBatches = 0;
    const history = await model.fit(x.slice(0, 1000), y.slice(0, 1000), {
      epochs: 2,
      batchSize: 250,
      verbose: 0,
      callbacks: [
        new callbacks.LearningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr / 10)),
        { onEpochBegin: (e) => void seen.push(`begin ${e}`), onEpochEnd: (e) => void seen.push(`end ${e}`), onBatchEnd: () => void batches++ },
        // A hook written as a class field (not on the prototype) is a per-batch hook too.
        new (class extends callbacks.Callback {
          override onBatchEnd = () => void fieldBatches++;
        })(),
      ],
    });
    expect(seen).toEqual(["begin 0", "end 0", "begin 1", "end 1"]);
    expect(batches).toBe(8);
    expect(fieldBatches).toBe(8);
    expect(model.optimizer!.learningRate).toBeCloseTo(1e-4, 10);
    expect(history.history.learning_rate).toEqual([0.001, expect.closeTo(1e-4, 10)]);
  });

  it("a Callback subclass's onTrainBatchBegin and onTrainBatchEnd are called every batch, as a plain object's are", async () => {
    const model = chapterModel();
    const calls: string[] = [];
    class KerasNames extends callbacks.Callback {
      override onTrainBatchBegin(batch: number) {
        calls.push(`begin ${batch}`);
      }
      override onTrainBatchEnd(batch: number, logs?: callbacks.Logs) {
        calls.push(`end ${batch} ${typeof logs?.loss}`);
      }
      // Keras's names win over the short ones, as they do in a plain object of hooks.
      override onBatchEnd() {
        calls.push("short name");
      }
    }
    const plain: string[] = [];
    await model.fit(x.slice(0, 500), y.slice(0, 500), {
      epochs: 1,
      batchSize: 250,
      verbose: 0,
      callbacks: [
        new KerasNames(),
        { onTrainBatchBegin: (b) => void plain.push(`begin ${b}`), onTrainBatchEnd: (b, logs) => void plain.push(`end ${b} ${typeof logs?.loss}`), onBatchEnd: () => void plain.push("short name") },
      ],
    });
    expect(calls).toEqual(["begin 0", "end 0 number", "begin 1", "end 1 number"]);
    expect(plain).toEqual(calls);
  });

  it("ReduceLROnPlateau divides the rate when the monitored value stalls", async () => {
    const model = chapterModel();
    const cb = new callbacks.ReduceLROnPlateau({ monitor: "loss", mode: "max", factor: 0.5, patience: 1 });
    await model.fit(x.slice(0, 500), y.slice(0, 500), { epochs: 3, batchSize: 250, verbose: 0, callbacks: [cb] });
    expect(model.optimizer!.learningRate).toBeCloseTo(0.00025, 10);
  });

  it("ModelCheckpoint with saveBestOnly writes a model that loadModel restores", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-ckpt-"));
    try {
      const model = chapterModel();
      await model.fit(x, y, {
        epochs: 2,
        batchSize: 200,
        verbose: 0,
        validationData: [xTest, utils.toCategorical(yTestIdx, 10)],
        callbacks: [new callbacks.ModelCheckpoint(join(dir, "best-{epoch:02d}"), { saveBestOnly: true, monitor: "val_accuracy" })],
      });
      const saved = readdirSync(dir).sort();
      expect(saved[0]).toBe("best-01");
      const restored = loadModel(join(dir, saved[saved.length - 1]));
      const [, acc] = restored.evaluate(xTest, utils.toCategorical(yTestIdx, 10));
      expect(acc).toBeCloseTo(model.evaluate(xTest, utils.toCategorical(yTestIdx, 10))[1], 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an interrupt stops fit between batches and keeps the weights of the last finished batch", async () => {
    const model = chapterModel();
    let batches = 0;
    const run = model.fit(x, y, { epochs: 3, batchSize: 100, verbose: 0, callbacks: [{ onBatchEnd: () => void (++batches === 5 && requestInterrupt()) }] });
    await expect(run).rejects.toMatchObject({ name: "KeyboardInterrupt" });
    expect(model.optimizer!.iterations).toBe(5);
    // The next fit runs normally: the flag was consumed.
    await model.fit(x.slice(0, 100), y.slice(0, 100), { epochs: 1, verbose: 0 });
  });
});

describe("a Stop that ends the cell while fit waits between batches", () => {
  it("stops the fit even when the next cell has started (and cleared the stop flag) before fit looks again", async () => {
    const SIGNAL = Symbol.for("tsdl.interrupt");
    const g = globalThis as Record<symbol, unknown>;
    const before = g[SIGNAL];
    const cell = new AbortController();
    g[SIGNAL] = cell.signal; // as the kernel publishes the running cell's signal
    try {
      const m = models.Sequential([layers.Dense(4, { activation: "relu", inputShape: [3] }), layers.Dense(1)]);
      m.compile({ optimizer: "sgd", loss: "mse" });
      let batches = 0;
      const fit = m.fit(tensor(new Float32Array(3 * 4096), { shape: [4096, 3] }), tensor(new Float32Array(4096), { shape: [4096, 1] }), {
        epochs: 1000, batchSize: 8, verbose: 0, callbacks: [{ onTrainBatchEnd: () => void batches++ }],
      });
      while (batches === 0) await new Promise((r) => setImmediate(r));
      // The Stop: the kernel sets the flag and aborts the cell's signal; then the queued cell
      // starts, clearing the flag and publishing its own signal, before fit's loop resumes.
      requestInterrupt();
      cell.abort();
      clearInterrupt();
      g[SIGNAL] = new AbortController().signal;
      await expect(fit).rejects.toMatchObject({ name: "KeyboardInterrupt" });
      const stoppedAt = batches;
      await new Promise((r) => setTimeout(r, 100));
      expect(batches).toBe(stoppedAt); // nothing trains on in the background
    } finally {
      g[SIGNAL] = before;
    }
  });
});
