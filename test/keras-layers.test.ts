import { describe, expect, it } from "vitest";
import { activations, initializers, layers, Sequential, tensor, utils, type Tensor } from "../runtime/index.js";

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = Array.from(t.data());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { mean, std, min: d.reduce((a, b) => Math.min(a, b)), max: d.reduce((a, b) => Math.max(a, b)) };
}

describe("initializers", () => {
  it("glorot_uniform draws within ±sqrt(6 / (fanIn + fanOut)), Dense's default", () => {
    utils.setRandomSeed(5);
    const dense = layers.Dense(256, { inputShape: [784] });
    Sequential([dense]);
    const limit = Math.sqrt(6 / (784 + 256));
    const s = stats(dense.kernel!);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 3);
    expect(stats(dense.bias!)).toMatchObject({ min: 0, max: 0 });
  });

  it("he_normal has standard deviation sqrt(2 / fanIn) and zeros is all zeros", () => {
    const s = stats(initializers.getInitializer("he_normal")([1000, 200]));
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 1000), 3);
    expect(stats(initializers.getInitializer("zeros")([3, 3])).max).toBe(0);
  });

  it("an unknown initializer names the known ones", () => {
    expect(() => layers.Dense(3, { inputShape: [2], kernelInitializer: "he_normall" }).apply(tensor([[1, 2]]))).toThrow(
      /unknown initializer 'he_normall'; did you mean 'he_normal'\?/,
    );
  });
});

describe("activations", () => {
  const x = [-2, -0.5, 0, 0.5, 2];
  const apply = (name: string) => Array.from(activations.getActivation(name).fn(tensor(x)).data());
  const expectClose = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));

  it("relu, sigmoid, tanh, linear, elu, selu, gelu and leaky_relu follow their formulas", () => {
    expectClose(apply("relu"), x.map((v) => Math.max(0, v)));
    expectClose(apply("sigmoid"), x.map((v) => 1 / (1 + Math.exp(-v))));
    expectClose(apply("tanh"), x.map(Math.tanh));
    expectClose(apply("linear"), x);
    expectClose(apply("elu"), x.map((v) => (v > 0 ? v : Math.exp(v) - 1)));
    const [a, s] = [1.6732632423543772, 1.0507009873554805];
    expectClose(apply("selu"), x.map((v) => s * (v > 0 ? v : a * (Math.exp(v) - 1))));
    // gelu = x·Φ(x); the tanh approximation agrees with it to 1e-3 on these points.
    apply("gelu").forEach((v, i) => expect(v).toBeCloseTo(0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] ** 3))), 2));
    expectClose(apply("leakyRelu"), x.map((v) => (v > 0 ? v : 0.2 * v)));
  });

  it("softmax rows sum to one", () => {
    const p = activations.getActivation("softmax").fn(tensor([[1, 2, 3], [0, 0, 0]]));
    const rows = p.toArray() as number[][];
    rows.forEach((r) => expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6));
    expect(rows[1][0]).toBeCloseTo(1 / 3, 6);
  });

  it("Dense with a non-fused activation (softmax, elu) applies it after the matmul", () => {
    const d = layers.Dense(3, { inputShape: [2], activation: "elu", kernelInitializer: "ones" });
    Sequential([d]);
    expect(Array.from(d.apply(tensor([[-1, -1]])).data())).toEqual(Array(3).fill(Math.fround(Math.exp(-2) - 1)));
  });

  it("Dense acts on the last axis of a rank-3 input, integer inputs included, fused activation or not", () => {
    for (const activation of ["relu", "softmax"] as const) {
      const d = layers.Dense(3, { inputShape: [2, 4], activation, kernelInitializer: "glorot_uniform" });
      Sequential([d]);
      const x = tensor([[[1, 2, 3, 4], [0, 1, 0, 2]], [[5, 0, 1, 1], [2, 2, 2, 2]]], "int32");
      const y = d.apply(x) as Tensor;
      expect(y.shape).toEqual([2, 2, 3]);
      const rows = d.apply(x.reshape([4, 4]).astype("float32")) as Tensor;
      expect(Array.from(y.data())).toEqual(Array.from(rows.data()));
    }
  });
});

describe("layer construction", () => {
  it("layers are made with or without new, and named as Keras names them", () => {
    layers.resetLayerNames();
    const a = new layers.Dense(4);
    const b = layers.Dense(4);
    expect(a).toBeInstanceOf(layers.Dense);
    expect(b).toBeInstanceOf(layers.DenseLayer);
    expect([a.name, b.name]).toEqual(["dense", "dense_1"]);
    expect(layers.BatchNormalization().name).toBe("batch_normalization");
  });

  it("bad arguments are errors that say what was received", () => {
    expect(() => layers.Dropout(1)).toThrow("Dropout: rate must be a number in [0, 1), received 1");
    expect(() => layers.Dropout(0.5, { seed: -1 })).toThrow("Dropout: the seed must be a non-negative integer; received -1");
    expect(() => layers.Reshape([2, -1, -1])).toThrow(/Reshape: targetShape must be an array of positive integers with at most one -1/);
    expect(() => layers.Activation("reLu")).not.toThrow();
    expect(() => layers.Activation("rellu")).toThrow(/unknown activation 'rellu'; did you mean 'relu'\?/);
    const model = Sequential([layers.Dense(2, { inputShape: [3] })]);
    expect(() => model.predict(tensor([[1, 2]]))).toThrow(/expected inputs of shape \(None, 3\), received \(1, 2\)/);
  });
});
