import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Input, layers, loadModel, metrics, Model, optimizers, Sequential, tensor, type Tensor } from "../runtime/index.js";

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

function close(a: Tensor, b: Tensor): boolean {
  const da = a.data();
  const db = b.data();
  return da.length === db.length && da.every((v, i) => Math.abs(v - db[i]) < 1e-6);
}

describe("saving and loading models", () => {
  it("save writes model.json and weights.bin, and loadModel rebuilds a Sequential with its compile settings", withDir(async (dir) => {
    const model = Sequential([layers.Dense(5, { activation: "tanh", inputShape: [4] }), layers.Dropout(0.2), layers.BatchNormalization(), layers.Dense(2, { activation: "softmax" })]);
    model.compile({ optimizer: new optimizers.SGD({ learningRate: 0.05, momentum: 0.5 }), loss: "categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(x, tensor([[1, 0], [0, 1], [1, 0]]), { epochs: 2, verbose: 0 });
    const path = join(dir, "model");
    model.save(path);
    expect(readdirSync(path).sort()).toEqual(["model.json", "weights.bin"]);
    const json = JSON.parse(readFileSync(join(path, "model.json"), "utf8"));
    expect(json.weights.map((w: { name: string }) => w.name)).toEqual(model.weights.map((w) => w.name));
    expect(readFileSync(join(path, "weights.bin")).length).toBe(model.countParams() * 4);

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
    expect(readdirSync(join(dir, "w")).sort()).toEqual(["weights.bin", "weights.json"]);
    b.loadWeights(join(dir, "w"));
    expect(close(b.predict(x) as Tensor, a.predict(x) as Tensor)).toBe(true);
    const other = Sequential([layers.Dense(2, { inputShape: [4] })]);
    expect(() => other.loadWeights(join(dir, "w"))).toThrow(/has shape \[4, 3\]; the model's '.*kernel' has \[4, 2\]/);
  }));

  it("a truncated weights file or corrupt model.json is a clear error naming the file", withDir((dir) => {
    const model = Sequential([layers.Dense(3, { inputShape: [4] })]);
    model.save(join(dir, "m"));
    truncateSync(join(dir, "m", "weights.bin"), 20);
    expect(() => loadModel(join(dir, "m"))).toThrow(new RegExp(`${join(dir, "m", "weights.bin")} holds 20 bytes; its manifest says 60`));
    writeFileSync(join(dir, "m", "model.json"), "{ not json");
    expect(() => loadModel(join(dir, "m"))).toThrow(new RegExp(`${join(dir, "m", "model.json")} is not valid JSON`));
    expect(() => loadModel(join(dir, "missing"))).toThrow(/missing\/model.json does not exist/);
  }));
});
