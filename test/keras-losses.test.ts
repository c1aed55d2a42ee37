import { describe, expect, it } from "vitest";
import { losses, metrics, tensor, utils } from "../runtime/index.js";

const probs = tensor([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);
const onehot = tensor([[1, 0, 0], [0, 1, 0]]);
const ce = -(Math.log(0.7) + Math.log(0.3)) / 2;

describe("losses", () => {
  it("categorical and sparse categorical cross-entropy agree, from probabilities or logits", () => {
    expect(losses.getLoss("categorical_crossentropy").call(onehot, probs).item()).toBeCloseTo(ce, 5);
    expect(losses.getLoss("sparseCategoricalCrossentropy").call(tensor([0, 1], "int32"), probs).item()).toBeCloseTo(ce, 5);
    const logits = probs.log();
    expect(new losses.CategoricalCrossentropy({ fromLogits: true }).call(onehot, logits).item()).toBeCloseTo(ce, 5);
    expect(new losses.SparseCategoricalCrossentropy({ fromLogits: true }).call(tensor([0, 1], "int32"), logits).item()).toBeCloseTo(ce, 5);
  });

  it("binary cross-entropy from probabilities and from logits", () => {
    const p = [0.9, 0.2, 0.6];
    const t = [1, 0, 0];
    const want = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3;
    expect(losses.getLoss("binary_crossentropy").call(tensor(t), tensor(p).reshape([3, 1])).item()).toBeCloseTo(want, 5);
    const logits = tensor(p.map((v) => Math.log(v / (1 - v)))).reshape([3, 1]);
    expect(new losses.BinaryCrossentropy({ fromLogits: true }).call(tensor(t), logits).item()).toBeCloseTo(want, 5);
  });

  it("mse, mae and huber", () => {
    const yt = tensor([[0], [1], [4]]);
    const yp = tensor([[0.5], [1], [1]]);
    expect(losses.getLoss("mse").call(yt, yp).item()).toBeCloseTo((0.25 + 0 + 9) / 3, 5);
    expect(losses.getLoss("mean_absolute_error").call(yt, yp).item()).toBeCloseTo((0.5 + 0 + 3) / 3, 5);
    expect(losses.getLoss("huber").call(yt, yp).item()).toBeCloseTo((0.125 + 0 + (3 - 0.5)) / 3, 5);
  });

  it("categorical cross-entropy on class indices says what to use instead", () => {
    expect(() => losses.getLoss("categorical_crossentropy").call(tensor([0, 1]), probs)).toThrow(/use sparse_categorical_crossentropy or utils.toCategorical/);
  });
});

describe("metrics", () => {
  const update = (m: metrics.Metric, yt: ReturnType<typeof tensor>, yp: ReturnType<typeof tensor>) => {
    m.update(yt, yp);
    return m.result();
  };

  it("accuracy variants, precision and recall", () => {
    expect(update(new metrics.CategoricalAccuracy(), onehot, probs)).toBe(0.5);
    expect(update(new metrics.SparseCategoricalAccuracy(), tensor([0, 2]), probs)).toBe(1);
    const yt = tensor([[1], [0], [1], [1]]);
    const yp = tensor([[0.8], [0.6], [0.3], [0.9]]);
    expect(update(new metrics.BinaryAccuracy(), yt, yp)).toBe(0.5);
    expect(update(new metrics.Precision(), yt, yp)).toBeCloseTo(2 / 3, 6);
    expect(update(new metrics.Recall(), yt, yp)).toBeCloseTo(2 / 3, 6);
    expect(update(metrics.getMetric("mae", losses.getLoss("mse"), 1), yt, yp)).toBeCloseTo((0.2 + 0.6 + 0.7 + 0.1) / 4, 6);
  });

  it("'accuracy' is picked from the loss as Keras does", () => {
    expect(metrics.getMetric("accuracy", losses.getLoss("binary_crossentropy"), 1)).toBeInstanceOf(metrics.BinaryAccuracy);
    expect(metrics.getMetric("accuracy", losses.getLoss("sparse_categorical_crossentropy"), 10)).toBeInstanceOf(metrics.SparseCategoricalAccuracy);
    expect(metrics.getMetric("accuracy", losses.getLoss("categorical_crossentropy"), 10)).toBeInstanceOf(metrics.CategoricalAccuracy);
    expect(() => metrics.getMetric("acuracy", losses.getLoss("mse"), 1)).toThrow(/unknown metric 'acuracy'; did you mean 'accuracy'\?/);
  });
});

describe("utils", () => {
  it("toCategorical one-hot encodes class labels", () => {
    expect(utils.toCategorical([0, 2, 1]).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expect(utils.toCategorical(tensor([3], "uint8"), 5).shape).toEqual([1, 5]);
    expect(() => utils.toCategorical([0, 7], 5)).toThrow("toCategorical: label 7 does not fit in 5 classes (allowed: 0..4)");
  });
});
