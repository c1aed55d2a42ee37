import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callbacks, datasets, Input, layers, loadModel, metrics, Model, optimizers, Sequential, setRandomSeed, tensor, utils, type Tensor } from "../runtime/index.js";

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-save-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const x = tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.1, 0.9, 0.3], [0.7, 0.7, 0.2, 0.1]]);

/** The weights file a saved folder's manifest names. */
function weightsFileOf(dir: string, manifest = "model.json"): string {
  return JSON.parse(readFileSync(join(dir, manifest), "utf8")).weightsFile;
}

function close(a: Tensor, b: Tensor): boolean {
  const da = a.data();
  const db = b.data();
  return da.length === db.length && da.every((v, i) => Math.abs(v - db[i]) < 1e-6);
}

describe("saving and loading models", () => {
  it("save writes model.json and a weights file named by its hash, and loadModel rebuilds a Sequential with its compile settings", withDir(async (dir) => {
    const model = Sequential([layers.Dense(5, { activation: "tanh", inputShape: [4] }), layers.Dropout(0.2), layers.BatchNormalization(), layers.Dense(2, { activation: "softmax" })]);
    model.compile({ optimizer: new optimizers.SGD({ learningRate: 0.05, momentum: 0.5 }), loss: "categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(x, tensor([[1, 0], [0, 1], [1, 0]]), { epochs: 2, verbose: 0 });
    const path = join(dir, "model");
    model.save(path);
    const json = JSON.parse(readFileSync(join(path, "model.json"), "utf8"));
    expect(readdirSync(path).sort()).toEqual(["model.json", json.weightsFile]);
    expect(json.weightsFile).toMatch(/^weights-[0-9a-f]{16}\.bin$/);
    expect(json.weightsSha256.startsWith(json.weightsFile.slice(8, 24))).toBe(true);
    expect(json.weights.map((w: { name: string }) => w.name)).toEqual(model.weights.map((w) => w.name));
    expect(readFileSync(join(path, json.weightsFile)).length).toBe(model.countParams() * 4);

    const again = loadModel(path);
    // Same table and weights; the optimizer's state starts fresh (so no "Optimizer params" line yet).
    const table = (t: string) => t.split("\n").filter((l) => !/Total params|Optimizer params/.test(l));
    expect(table(again.summaryText())).toEqual(table(model.summaryText()));
    expect(close(again.predict(x) as Tensor, model.predict(x) as Tensor)).toBe(true);
    expect(again.optimizer).toBeInstanceOf(optimizers.SGD);
    expect((again.optimizer as optimizers.SGD).momentum).toBe(0.5);
    expect(again.evaluate(x, tensor([[1, 0], [0, 1], [1, 0]]))).toHaveLength(2);
  }));

  it("metric objects survive save and load with their class, name and threshold", withDir(async (dir) => {
    const model = Sequential([layers.Dense(1, { activation: "sigmoid", inputShape: [4] })]);
    model.compile({ optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy", new metrics.Precision("prec", { threshold: 0.7 })] });
    model.save(join(dir, "m"));
    const again = loadModel(join(dir, "m"));
    const [lossA, accA, precA] = model.evaluate(x, tensor([[1], [0], [1]]), { verbose: 0 });
    expect(again.evaluate(x, tensor([[1], [0], [1]]), { verbose: 0 })).toEqual([lossA, accA, precA]);
    const m = again.compiled!.metrics[0].find((x) => x.name === "prec");
    expect(m).toBeInstanceOf(metrics.Precision);
    expect((m as metrics.Precision).threshold).toBe(0.7);
  }));

  it("a model.json written before metrics had a config still loads its metric objects", withDir(async (dir) => {
    const model = Sequential([layers.Dense(1, { activation: "sigmoid", inputShape: [4] })]);
    model.compile({ optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy", new metrics.Precision("prec", { threshold: 0.7 })] });
    model.save(join(dir, "m"));
    const file = join(dir, "m", "model.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.compileConfig.metrics = [["accuracy", { className: "Precision", name: "prec", threshold: 0.7 }]];
    writeFileSync(file, JSON.stringify(json));
    const m = loadModel(join(dir, "m")).compiled!.metrics[0];
    expect(m.map((x) => x.name)).toEqual(["accuracy", "prec"]);
    expect(m[1]).toBeInstanceOf(metrics.Precision);
    expect((m[1] as metrics.Precision).threshold).toBe(0.7);
  }));

  it("a user's own metric class is left out of a loaded model with a warning that names it", withDir(async (dir) => {
    class Recall2 extends metrics.Recall {
      override readonly className = "Recall2";
    }
    const model = Sequential([layers.Dense(1, { activation: "sigmoid", inputShape: [4] })]);
    model.compile({ optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy", new Recall2("mine")] });
    model.save(join(dir, "m"));
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (text: string) => void warnings.push(text);
    let again;
    try {
      again = loadModel(join(dir, "m"));
    } finally {
      console.warn = warn;
    }
    expect(warnings.join("\n")).toMatch(/left out metric 'mine' \(Recall2\)/);
    expect(again.compiled!.metrics[0].map((m) => m.name)).toEqual(["accuracy"]);
    expect(again.evaluate(x, tensor([[1], [0], [1]]), { verbose: 0 })).toHaveLength(2);
  }));

  it("a functional model with two inputs and a shared layer round-trips", withDir((dir) => {
    const a = Input({ shape: [4] });
    const b = Input({ shape: [4] });
    const shared = layers.Dense(3, { activation: "relu" });
    const out = layers.Dense(1).apply(layers.Add().apply([shared.apply(a), shared.apply(b)]));
    const model = Model({ inputs: [a, b], outputs: out });
    model.save(join(dir, "f"));
    const again = loadModel(join(dir, "f"));
    expect(again.layers.map((l) => l.className)).toEqual(["InputLayer", "InputLayer", "Dense", "Add", "Dense"]);
    expect(close(again.predict([x, x.mul(2)]) as Tensor, model.predict([x, x.mul(2)]) as Tensor)).toBe(true);
  }));

  it("saveWeights and loadWeights move weights between models of one architecture", withDir((dir) => {
    const make = () => Sequential([layers.Dense(3, { inputShape: [4] })]);
    const a = make();
    const b = make();
    a.saveWeights(join(dir, "w"));
    expect(readdirSync(join(dir, "w")).sort()).toEqual([weightsFileOf(join(dir, "w"), "weights.json"), "weights.json"]);
    b.loadWeights(join(dir, "w"));
    expect(close(b.predict(x) as Tensor, a.predict(x) as Tensor)).toBe(true);
    const other = Sequential([layers.Dense(2, { inputShape: [4] })]);
    expect(() => other.loadWeights(join(dir, "w"))).toThrow(/has shape \[4, 3\]; the model's '.*kernel' has \[4, 2\]/);
  }));

  it("a truncated weights file or corrupt model.json is a clear error naming the file", withDir((dir) => {
    const model = Sequential([layers.Dense(3, { inputShape: [4] })]);
    model.save(join(dir, "m"));
    const bin = join(dir, "m", weightsFileOf(join(dir, "m")));
    truncateSync(bin, 20);
    expect(() => loadModel(join(dir, "m"))).toThrow(new RegExp(`${bin} holds 20 bytes; its manifest says 60`));
    writeFileSync(join(dir, "m", "model.json"), "{ not json");
    expect(() => loadModel(join(dir, "m"))).toThrow(new RegExp(`${join(dir, "m", "model.json")} is not valid JSON`));
    expect(() => loadModel(join(dir, "missing"))).toThrow(/missing\/model.json does not exist/);
  }));
});

/** A tensor's float32 values as their raw bits (so -0, NaN payloads and the last ulp count). */
function bits(t: Tensor): Uint32Array {
  const d = t.data() as Float32Array;
  return new Uint32Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}

describe("a saved model predicts bit for bit what it predicted before", () => {
  const [[xi, yi], [xt]] = datasets.mnist.loadData();
  const xTrain = xi.slice(0, 2048).reshape([2048, 784]).astype("float32").div(255);
  const yTrain = utils.toCategorical(yi.slice(0, 2048), 10);
  const xTest = xt.slice(0, 1000).reshape([1000, 784]).astype("float32").div(255);

  it("the chapter's model (Dense 512 relu, Dense 10 softmax, rmsprop), trained, saved and loaded", withDir(async (dir) => {
    setRandomSeed(7);
    const model = Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
    model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(xTrain, yTrain, { epochs: 2, batchSize: 128, verbose: 0 });
    model.save(join(dir, "chapter"));
    const again = loadModel(join(dir, "chapter"));
    expect(again.getWeights().map(bits)).toEqual(model.getWeights().map(bits));
    expect(bits(again.predict(xTest, { verbose: 0 }) as Tensor)).toEqual(bits(model.predict(xTest, { verbose: 0 }) as Tensor));
  }));

  it("a model with BatchNormalization and Dropout, including -0 and subnormal weights", withDir(async (dir) => {
    setRandomSeed(8);
    const model = Sequential([
      layers.Dense(64, { activation: "relu", inputShape: [784] }),
      layers.BatchNormalization(),
      layers.Dropout(0.3),
      layers.Dense(10, { activation: "softmax" }),
    ]);
    model.compile({ optimizer: "adam", loss: "categorical_crossentropy" });
    await model.fit(xTrain, yTrain, { epochs: 1, batchSize: 64, verbose: 0 });
    // Values a text format would lose: the sign of zero and the smallest subnormal.
    const w = model.getWeights();
    const bias = Float32Array.from(w[1].data() as Float32Array);
    bias[0] = -0;
    bias[1] = 1e-45;
    w[1] = tensor(bias);
    model.setWeights(w);
    model.save(join(dir, "bn"));
    const again = loadModel(join(dir, "bn"));
    // BatchNormalization's moving mean and variance are among the weights, so they are compared too.
    expect(again.getWeights().map(bits)).toEqual(model.getWeights().map(bits));
    expect(bits(again.getWeights()[1]).slice(0, 2)).toEqual(Uint32Array.of(0x80000000, 1));
    expect(bits(again.predict(xTest, { verbose: 0 }) as Tensor)).toEqual(bits(model.predict(xTest, { verbose: 0 }) as Tensor));
  }));
});

describe("a save replaces the previous one as a whole", () => {
  const y = tensor([[1, 0], [0, 1], [1, 0]]);
  const make = () => {
    const m = Sequential([layers.Dense(2, { activation: "softmax", inputShape: [4] })]);
    m.compile({ optimizer: "sgd", loss: "categorical_crossentropy" });
    return m;
  };

  it("saving again removes the previous weights file and keeps the other files in the folder", withDir(async (dir) => {
    const model = make();
    model.save(dir);
    const first = weightsFileOf(dir);
    writeFileSync(join(dir, "notes.txt"), "mine");
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    model.save(dir);
    const second = weightsFileOf(dir);
    expect(second).not.toBe(first);
    expect(readdirSync(dir).sort()).toEqual(["model.json", "notes.txt", second].sort());
    expect(bits(loadModel(dir).predict(x, { verbose: 0 }) as Tensor)).toEqual(bits(model.predict(x, { verbose: 0 }) as Tensor));
  }));

  it("a weights file damaged but of the right length is an error naming it and its manifest", withDir((dir) => {
    make().save(dir);
    const bin = join(dir, weightsFileOf(dir));
    const bytes = readFileSync(bin);
    bytes[5] ^= 0x40;
    writeFileSync(bin, bytes);
    expect(() => loadModel(dir)).toThrow(`loadWeights: ${bin} does not match the SHA-256 that ${join(dir, "model.json")} records (corrupt file)`);
  }));

  it("a temporary file left by a killed save is removed by the next save; a live process's is kept", withDir((dir) => {
    const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim();
    const stale = `model.json.${dead}.0badf00d.tmp`;
    const live = `weights-0123456789abcdef.bin.${process.ppid}.0badf00d.tmp`;
    writeFileSync(join(dir, stale), "{ half a");
    writeFileSync(join(dir, live), "being written");
    make().save(dir);
    expect(existsSync(join(dir, stale))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
  }));

  it("save and saveWeights into one folder keep each other's weights file", withDir((dir) => {
    const a = make();
    const b = make();
    a.save(dir);
    b.saveWeights(dir);
    expect(readdirSync(dir).length).toBe(4);
    expect(bits(loadModel(dir).predict(x, { verbose: 0 }) as Tensor)).toEqual(bits(a.predict(x, { verbose: 0 }) as Tensor));
    const c = make();
    c.loadWeights(dir); // the manifest written last: weights.json
    expect(bits(c.predict(x, { verbose: 0 }) as Tensor)).toEqual(bits(b.predict(x, { verbose: 0 }) as Tensor));
  }));

  it("a folder saved as weights.bin (before the hash names) loads, and the next save replaces it", withDir((dir) => {
    const model = make();
    model.save(dir);
    renameSync(join(dir, weightsFileOf(dir)), join(dir, "weights.bin"));
    const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    json.weightsFile = "weights.bin";
    delete json.weightsSha256;
    writeFileSync(join(dir, "model.json"), JSON.stringify(json));
    const again = loadModel(dir);
    expect(bits(again.predict(x, { verbose: 0 }) as Tensor)).toEqual(bits(model.predict(x, { verbose: 0 }) as Tensor));
    again.save(dir);
    expect(readdirSync(dir).sort()).toEqual([weightsFileOf(dir), "model.json"].sort());
  }));

  it("ModelCheckpoint saves through the same path: after three epochs the folder holds one model.json and its weights", withDir(async (dir) => {
    const model = make();
    await model.fit(x, y, { epochs: 3, verbose: 0, callbacks: [new callbacks.ModelCheckpoint(join(dir, "ckpt"))] });
    expect(readdirSync(join(dir, "ckpt")).sort()).toEqual([weightsFileOf(join(dir, "ckpt")), "model.json"].sort());
    expect(loadModel(join(dir, "ckpt")).getWeights().map(bits)).toEqual(model.getWeights().map(bits));
  }));
});
