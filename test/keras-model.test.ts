import { describe, expect, it } from "vitest";
import { layers, models, utils, Input, Model, Sequential, tensor } from "../runtime/index.js";

describe("Sequential models", () => {
  it("summary reports 25,120 / 330 / 11 and a total of 25,461 for 784→32→10→1", () => {
    const model = Sequential([
      layers.Dense(32, { activation: "relu", inputShape: [784] }),
      layers.Dense(10, { activation: "relu" }),
      layers.Dense(1, { activation: "sigmoid" }),
    ]);
    const text = model.summaryText();
    expect(text).toContain("25,120");
    expect(text).toContain("│           330 │");
    expect(text).toContain("│            11 │");
    expect(text).toContain(" Total params: 25,461 (99.46 KB)");
  });

  it("summary of the chapter's network matches Keras 3's table", () => {
    const model = new models.Sequential([Input({ shape: [784] }), layers.Dense(512, { activation: "relu", name: "dense" }), layers.Dense(10, { activation: "softmax", name: "dense_1" })], { name: "sequential" });
    expect(model.summaryText()).toBe(
      [
        'Model: "sequential"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ dense (Dense)                   │ (None, 512)            │       401,920 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense_1 (Dense)                 │ (None, 10)             │         5,130 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 407,050 (1.55 MB)",
        " Trainable params: 407,050 (1.55 MB)",
        " Non-trainable params: 0 (0.00 B)",
      ].join("\n"),
    );
  });

  it("a model without an input shape is unbuilt until its first batch", async () => {
    const model = Sequential([layers.Dense(8, { activation: "relu" }), layers.Dense(3, { activation: "softmax" })]);
    expect(model.summaryText()).toContain("│ ?                      │   0 (unbuilt) │");
    model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
    const x = tensor([[1, 2, 3, 4], [4, 3, 2, 1]]);
    const y = utils.toCategorical([0, 2], 3);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(model.summaryText()).toContain("(None, 8)");
    expect(model.countParams()).toBe(4 * 8 + 8 + 8 * 3 + 3);
  });
});

describe("errors name what was wrong", () => {
  it("Dense rejects a non-positive units", () => {
    expect(() => layers.Dense(0)).toThrow("Dense: units must be a positive integer, received 0");
  });
  it("an unknown loss suggests the closest name", () => {
    const model = Sequential([layers.Dense(2, { inputShape: [3] })]);
    expect(() => model.compile({ loss: "categorical_crossentropi" })).toThrow(/unknown loss 'categorical_crossentropi'; did you mean 'categorical_crossentropy'\? Known: categorical_crossentropy, sparse_categorical_crossentropy/);
  });
  it("an unknown optimizer lists the known ones", () => {
    const model = Sequential([layers.Dense(2, { inputShape: [3] })]);
    expect(() => model.compile({ optimizer: "rmsprob", loss: "mse" })).toThrow(/unknown optimizer 'rmsprob'; did you mean 'rmsprop'\?/);
  });
});

describe("functional models", () => {
  it("two inputs, a shared layer and two outputs train together", async () => {
    // Short names: Keras's "Connected to" column is 17 characters wide and cuts longer names with "…".
    const a = Input({ shape: [4], name: "left" });
    const b = Input({ shape: [4], name: "right" });
    const shared = layers.Dense(6, { activation: "tanh" });
    const merged = layers.Concatenate().apply([shared.apply(a), shared.apply(b)]);
    const out1 = layers.Dense(1, { name: "regression" }).apply(merged);
    const out2 = layers.Dense(2, { activation: "softmax", name: "classes" }).apply(merged);
    const model = Model({ inputs: [a, b], outputs: [out1, out2] });
    expect(model.layers.filter((l) => l === shared)).toHaveLength(1);
    model.compile({ optimizer: "adam", loss: ["mse", "sparse_categorical_crossentropy"], metrics: [[], ["accuracy"]] });
    const xa = tensor([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]]);
    const xb = tensor([[0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1]]);
    const history = await model.fit([xa, xb], [tensor([[1], [0], [0.5]]), tensor([1, 0, 1], "int32")], { epochs: 3, verbose: 0 });
    expect(history.history.loss).toHaveLength(3);
    expect(Object.keys(history.history)).toEqual(["classes_accuracy", "loss"]);
    const [p1, p2] = model.predict([xa, xb]) as ReturnType<typeof tensor>[];
    expect(p1.shape).toEqual([3, 1]);
    expect(p2.shape).toEqual([3, 2]);
    const summary = model.summaryText();
    expect(summary).toContain("Connected to");
    // The shared layer is one row that lists both of its calls.
    expect(summary).toMatch(new RegExp(`${shared.name} \\(Dense\\).*${a.name}\\[0\\]\\[0\\],[^\\n]*\\n[^\\n]*${b.name}\\[0\\]\\[0\\]`));
  });
});
