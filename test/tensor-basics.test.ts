import { describe, expect, test } from "vitest";
import {
  tensor, zeros, ones, full, arange, randomNormal, randomUniform, randomTruncatedNormal, zerosLike, onesLike,
  Tensor, Variable, variable, dot, maximum, relu, setRandomSeed, randomPermutation,
} from "../runtime/index.js";

describe("the chapter's tensor section reads naturally in TypeScript", () => {
  test("a scalar has rank 0, a vector rank 1, a stack of matrices rank 3", () => {
    expect(tensor(12).ndim).toBe(0);
    expect(tensor([12, 3, 6, 14]).ndim).toBe(1);
    const x = tensor([
      [[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]],
      [[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]],
    ]);
    expect(x.ndim).toBe(3);
    expect(x.shape).toEqual([2, 3, 5]);
    expect(x.dtype).toBe("float32");
    expect(x.size).toBe(30);
  });

  test("dot of a matrix and a vector is [1, 0]", () => {
    expect(dot(tensor([[1, -1], [0, 2]]), tensor([1, 0])).toArray()).toEqual([1, 0]);
  });

  test("adding a vector to a matrix broadcasts it over the rows", () => {
    expect(tensor([[1, -1], [0, 2]]).add(tensor([1, 0])).toArray()).toEqual([[2, -1], [1, 2]]);
  });

  test("maximum(t, 0) is relu", () => {
    const t = tensor([[1, -1], [0, 2], [-3, 0.5]]);
    expect(maximum(t, 0).toArray()).toEqual(relu(t).toArray());
    expect(maximum(t, 0).toArray()).toEqual([[1, 0], [0, 2], [0, 0.5]]);
  });

  test("broadcasting a (32, 10) tensor against a (64, 3, 32, 10) one, as the chapter's maximum example", () => {
    const x = randomUniform([64, 3, 32, 10]);
    const y = randomUniform([32, 10]);
    const z = maximum(x, y);
    expect(z.shape).toEqual([64, 3, 32, 10]);
    const [xd, yd, zd] = [x.data(), y.data(), z.data()];
    const i = 5 * 960 + 2 * 320 + 7 * 10 + 3;
    expect(zd[i]).toBe(Math.max(xd[i], yd[7 * 10 + 3]));
  });

  test("reshape and transpose as in the chapter", () => {
    const x = tensor([[0, 1], [2, 3], [4, 5]]);
    expect(x.shape).toEqual([3, 2]);
    expect(x.reshape([6, 1]).toArray()).toEqual([[0], [1], [2], [3], [4], [5]]);
    expect(x.reshape([2, 3]).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(zeros([300, 20]).transpose().shape).toEqual([20, 300]);
  });

  test("images are indexed and sliced in batches of 128", () => {
    const images = tensor(Uint8Array.from({ length: 1000 * 4 }, (_, i) => i % 256), { shape: [1000, 2, 2] });
    expect(images.get(4).shape).toEqual([2, 2]);
    expect(images.get(4).toArray<number[][]>()[1][1]).toBe(19);
    expect(images.slice(10, 100).shape).toEqual([90, 2, 2]);
    const n = 3;
    expect(images.slice(128 * n, 128 * (n + 1)).shape).toEqual([128, 2, 2]);
  });

  test("uint8 images reshape to rows of 784 floats scaled to [0, 1]", () => {
    const pixels = new Uint8Array(600 * 28 * 28);
    for (let i = 0; i < pixels.length; i++) pixels[i] = i % 256;
    const images = tensor(pixels, { shape: [600, 28, 28] });
    expect(images.dtype).toBe("uint8");
    const x = images.reshape(600, 28 * 28).astype("float32").div(255);
    expect(x.shape).toEqual([600, 784]);
    expect(x.dtype).toBe("float32");
    const d = x.data();
    expect(d[255]).toBeCloseTo(1, 6);
    expect(d[1]).toBeCloseTo(1 / 255, 6);
  });
});

describe("creating tensors", () => {
  test("numbers are float32, typed arrays keep their type, booleans are bool", () => {
    expect(tensor([1, 2]).dtype).toBe("float32");
    expect(tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tensor(new Uint8Array([1, 2])).dtype).toBe("uint8");
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor([1.7, -2.2], "int32").toArray()).toEqual([1, -2]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test("rows may be typed arrays", () => {
    expect(tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(() => tensor([[1, 2], [[3], 4]])).toThrow(/element at \[1, 0\] is an array; expected a number/);
  });

  test("a typed array is copied, so changing it later does not change the tensor", () => {
    const src = new Float32Array([1, 2, 3]);
    const t = tensor(src);
    src[0] = 100;
    expect(t.toArray()).toEqual([1, 2, 3]);
  });

  test("zeros, ones, full, arange and the *Like creators", () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3], "int32").toArray()).toEqual([1, 1, 1]);
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    const w = tensor([[1, 2]]);
    expect(zerosLike(w).toArray()).toEqual([[0, 0]]);
    expect(onesLike(w).shape).toEqual([1, 2]);
  });

  test("ragged nested arrays are refused with the element that differs", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged: element \[1\] has length 1 where 2 was expected/);
  });

  test("a shape that does not fit the data names both counts", () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/shape \[2, 2\] needs 4 elements but the data has 3/);
  });

  test("an unknown dtype lists the allowed ones", () => {
    expect(() => zeros([2], "float64" as never)).toThrow(/unknown dtype 'float64'; allowed: float32, int32, uint8, bool/);
  });
});

describe("random tensors", () => {
  test("the same seed gives the same numbers, and draws move on", () => {
    setRandomSeed(7);
    const a = randomNormal([100]).data();
    const b = randomNormal([100]).data();
    setRandomSeed(7);
    expect(randomNormal([100]).data()).toEqual(a);
    expect(randomNormal([100]).data()).toEqual(b);
    expect(a).not.toEqual(b);
  });

  test("an explicit seed draws the same numbers on every call", () => {
    expect(randomUniform([10], { seed: 3 }).data()).toEqual(randomUniform([10], { seed: 3 }).data());
  });

  test("normal, uniform and truncated normal have the asked statistics", () => {
    setRandomSeed(1);
    const n = randomNormal([20000], { mean: 2, stddev: 0.5 });
    expect(n.mean().item()).toBeCloseTo(2, 1);
    expect(n.sub(2).square().mean().sqrt().item()).toBeCloseTo(0.5, 1);
    const u = randomUniform([20000], { minval: -1, maxval: 3 });
    expect(u.min().item()).toBeGreaterThanOrEqual(-1);
    expect(u.max().item()).toBeLessThan(3);
    expect(u.mean().item()).toBeCloseTo(1, 1);
    const t = randomTruncatedNormal([20000], { stddev: 1 });
    expect(t.abs().max().item()).toBeLessThanOrEqual(2);
  });

  test("randomPermutation shuffles every index exactly once, reproducibly", () => {
    setRandomSeed(5);
    const p = randomPermutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    setRandomSeed(5);
    expect(randomPermutation(1000)).toEqual(p);
  });
});

describe("shape, dtype and indexing", () => {
  test("reshape accepts one -1 and shares the elements", () => {
    const t = arange(12);
    expect(t.reshape(3, -1).shape).toEqual([3, 4]);
    expect(t.reshape([2, 2, 3]).toArray()).toEqual([[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]]);
  });

  test("a reshape to a different size names both sizes", () => {
    expect(() => zeros([600, 28, 28]).reshape(600, 785)).toThrow(
      "reshape: cannot reshape [600, 28, 28] (470400 elements) to [600, 785] (471000 elements)",
    );
    expect(() => zeros([6]).reshape(-1, 4)).toThrow(/6 is not a multiple of 4/);
  });

  test("astype converts floats to integers toward zero and back", () => {
    expect(tensor([1.9, -1.9]).astype("int32").toArray()).toEqual([1, -1]);
    expect(tensor([0, 2]).astype("bool").toArray()).toEqual([0, 1]);
    expect(tensor([3, 4], "int32").astype("float32").dtype).toBe("float32");
  });

  test("get(i) takes one entry of the first axis, negative from the end", () => {
    const t = tensor([[1, 2], [3, 4], [5, 6]]);
    expect(t.get(1).toArray()).toEqual([3, 4]);
    expect(t.get(-1).toArray()).toEqual([5, 6]);
    expect(t.get(0).get(1).ndim).toBe(0);
    expect(t.get(0).get(1).item()).toBe(2);
    expect(t.get(2, -1).item()).toBe(6);
  });

  test("iterating a tensor walks its first axis", () => {
    const rows = [...tensor([[1, 2], [3, 4]])].map((r) => r.toArray());
    expect(rows).toEqual([[1, 2], [3, 4]]);
    expect(() => [...tensor(1)]).toThrow(/rank-0 tensor: it has no axis to iterate over/);
  });

  test("an index out of range says which indices exist", () => {
    expect(() => zeros([3, 2]).get(3)).toThrow("get: index 3 is out of range for axis 0 of size 3 (allowed: -3..2)");
    expect(() => tensor(1).get(0)).toThrow(/rank-0 tensor has no axis/);
  });

  test("slice takes batches along the first axis, clipped like NumPy", () => {
    const t = arange(10).reshape(5, 2);
    expect(t.slice(1, 3).toArray()).toEqual([[2, 3], [4, 5]]);
    expect(t.slice(3).shape).toEqual([2, 2]);
    expect(t.slice(-1).toArray()).toEqual([[8, 9]]);
    expect(t.slice(4, 100).shape).toEqual([1, 2]);
    expect(t.slice(4, 2).shape).toEqual([0, 2]);
  });

  test("toArray gives nested arrays and data() a fresh typed copy", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
    const d = t.data();
    expect(d).toBeInstanceOf(Float32Array);
    d[0] = 99;
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([1], "int32").data()).toBeInstanceOf(Int32Array);
    expect(tensor(3).toArray()).toBe(3);
  });

  test("clone() copies into new memory", () => {
    const v = variable(tensor([1, 2]));
    const c = v.clone();
    v.assign(tensor([3, 4]));
    expect(c.toArray()).toEqual([1, 2]);
    expect(c).not.toBeInstanceOf(Variable);
  });

  test("item() refuses a tensor with more than one element", () => {
    expect(() => zeros([2, 2]).item()).toThrow("item: the tensor has 4 elements (shape [2, 2]); item() needs exactly 1");
  });

  test("transpose reverses the axes and T is its shorthand", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(zeros([2, 3, 4]).transpose([1, 0, 2]).shape).toEqual([3, 2, 4]);
    expect(() => zeros([2, 3]).transpose([0, 0])).toThrow(/not a permutation of the axes 0..1/);
  });
});

describe("variables", () => {
  test("a variable is a named tensor whose value is replaced in place", () => {
    const v = variable(tensor([1, 2]), { name: "bias" });
    expect(v).toBeInstanceOf(Tensor);
    expect(v.name).toBe("bias");
    expect(v.trainable).toBe(true);
    v.assign(tensor([5, 6]));
    expect(v.toArray()).toEqual([5, 6]);
    v.assign(0);
    expect(v.toArray()).toEqual([0, 0]);
    expect(() => v.assign(tensor([1, 2, 3]))).toThrow("assign: variable 'bias' has shape [2]; the new value has shape [3]");
  });

  test("a variable copies its initial value", () => {
    const init = tensor([1, 2]);
    const v = variable(init);
    v.assign(tensor([3, 4]));
    expect(init.toArray()).toEqual([1, 2]);
  });
});
