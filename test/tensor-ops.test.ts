import { describe, expect, test } from "vitest";
import {
  tensor, zeros, ones, arange, randomNormal,
  add, sub, mul, div, pow, maximum, minimum, neg, abs, exp, log, sqrt, square, clip,
  relu, sigmoid, tanh, softmax, logSoftmax, leakyRelu, softplus, elu,
  equal, greater, less, notEqual, where, matmul, dot, transpose, sum, mean, max, min, argmax, argmin,
  concat, stack, gather, oneHot, expandDims, squeeze, dense, softmaxCrossEntropy, broadcastTo,
} from "../runtime/index.js";

/** Element-wise closeness of nested arrays. */
function close(actual: unknown, expected: unknown, digits = 5): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, digits));
  } else expect(actual as number).toBeCloseTo(expected as number, digits);
}

describe("arithmetic broadcasts as NumPy does", () => {
  test("a column plus a row gives the outer sum", () => {
    expect(add(tensor([[1], [10]]), tensor([1, 2, 3])).toArray()).toEqual([[2, 3, 4], [11, 12, 13]]);
  });

  test("numbers work on either side", () => {
    expect(sub(10, tensor([1, 2])).toArray()).toEqual([9, 8]);
    expect(div(1, tensor([2, 4])).toArray()).toEqual([0.5, 0.25]);
    expect(tensor([1, 2]).mul(3).toArray()).toEqual([3, 6]);
    expect(pow(2, tensor([1, 3])).toArray()).toEqual([2, 8]);
    expect(add(1, 2).item()).toBe(3);
  });

  test("mul, div, pow, maximum, minimum and neg", () => {
    expect(mul(tensor([[1, 2], [3, 4]]), tensor([10, 100])).toArray()).toEqual([[10, 200], [30, 400]]);
    expect(div(tensor([1, 3]), tensor([2, 4])).toArray()).toEqual([0.5, 0.75]);
    expect(pow(tensor([2, 3]), 2).toArray()).toEqual([4, 9]);
    expect(maximum(tensor([1, 5]), tensor([3, 2])).toArray()).toEqual([3, 5]);
    expect(minimum(tensor([1, 5]), tensor([3, 2])).toArray()).toEqual([1, 2]);
    expect(neg(tensor([1, -2])).toArray()).toEqual([-1, 2]);
    expect(clip(tensor([-2, 0.5, 3]), 0, 1).toArray()).toEqual([0, 0.5, 1]);
  });

  test("integers stay integers, and division gives floats", () => {
    const a = tensor([7, 8], "int32");
    expect(a.add(tensor([1, 2], "int32")).dtype).toBe("int32");
    expect(a.add(1).toArray()).toEqual([8, 9]);
    expect(a.add(0.5).dtype).toBe("float32");
    expect(a.div(2).toArray()).toEqual([3.5, 4]);
    expect(tensor([200, 100], "uint8").add(tensor([100, 1], "uint8")).toArray()).toEqual([300, 101]);
  });

  test("a shape mismatch names the op and both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(
      "add: shapes [2, 3] and [4] cannot be broadcast together (axis -1: 3 ≠ 4; sizes must match or one of them be 1)",
    );
    expect(() => mul(zeros([5, 2]), zeros([3, 2]))).toThrow(/^mul: shapes \[5, 2\] and \[3, 2\]/);
  });

  test("a value that is not a tensor is named", () => {
    expect(() => add(zeros([2]), "3" as never)).toThrow(/add: second argument must be a Tensor, a number or nested arrays of numbers; received string 3/);
  });
});

describe("element-wise functions", () => {
  test("exp, log, sqrt, square, abs", () => {
    close(exp(tensor([0, 1])).toArray(), [1, Math.E]);
    close(log(tensor([1, Math.E])).toArray(), [0, 1]);
    expect(sqrt(tensor([4, 9])).toArray()).toEqual([2, 3]);
    expect(square(tensor([2, -3])).toArray()).toEqual([4, 9]);
    expect(abs(tensor([-1.5, 2])).toArray()).toEqual([1.5, 2]);
    expect(sqrt(tensor([4], "int32")).dtype).toBe("float32");
  });

  test("activations", () => {
    expect(relu(tensor([-1, 2])).toArray()).toEqual([0, 2]);
    close(sigmoid(tensor([0, 2])).toArray(), [0.5, 1 / (1 + Math.exp(-2))]);
    close(tanh(tensor([0.5])).toArray(), [Math.tanh(0.5)]);
    close(leakyRelu(tensor([-1, 1])).toArray(), [-0.2, 1]);
    close(softplus(tensor([0])).toArray(), [Math.log(2)]);
    close(elu(tensor([-1, 1])).toArray(), [Math.exp(-1) - 1, 1]);
  });

  test("softmax rows sum to one, and logSoftmax is its log", () => {
    const x = tensor([[1, 2, 3], [0, 0, 0]]);
    const s = softmax(x);
    close(s.sum(1).toArray(), [1, 1]);
    close(s.get(1).toArray(), [1 / 3, 1 / 3, 1 / 3]);
    close(logSoftmax(x).exp().toArray(), s.toArray() as number[][]);
    close(softmax(x, 0).sum(0).toArray(), [1, 1, 1]);
  });
});

describe("comparisons and where", () => {
  test("comparisons give bool tensors", () => {
    const t = tensor([1, 2, 3]);
    expect(greater(t, 2).dtype).toBe("bool");
    expect(greater(t, 2).toArray()).toEqual([0, 0, 1]);
    expect(less(t, tensor([2, 2, 2])).toArray()).toEqual([1, 0, 0]);
    expect(equal(t, tensor([[1], [3]])).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(notEqual(t, 2).toArray()).toEqual([1, 0, 1]);
  });

  test("accuracy reads as argmax equals labels, averaged", () => {
    const logits = tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    const labels = tensor([1, 0, 0], "int32");
    expect(argmax(logits, 1).equal(labels).astype("float32").mean().item()).toBeCloseTo(2 / 3, 6);
  });

  test("where picks from a or b, broadcasting", () => {
    const x = tensor([[-1, 2], [3, -4]]);
    expect(where(greater(x, 0), x, 0).toArray()).toEqual([[0, 2], [3, 0]]);
  });
});

describe("matrix products", () => {
  test("matmul of matrices, and of a vector with a matrix", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    expect(matmul(a, b).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matmul(tensor([1, 1]), b).toArray()).toEqual([12, 14]);
    expect(matmul(a, tensor([1, 1])).toArray()).toEqual([3, 7]);
    expect(dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    expect(dot(2, tensor([1, 2])).toArray()).toEqual([2, 4]);
  });

  test("a batch of matrices times one matrix", () => {
    const x = arange(12).reshape(2, 2, 3);
    const w = ones([3, 1]);
    expect(matmul(x, w).toArray()).toEqual([[[3], [12]], [[21], [30]]]);
    expect(matmul(x, transpose(x, [0, 2, 1])).shape).toEqual([2, 2, 2]);
  });

  test("shapes that do not line up name both shapes and the two sizes", () => {
    expect(() => matmul(zeros([128, 784]), zeros([512, 10]))).toThrow("matmul: shapes [128, 784] and [512, 10] do not line up (784 ≠ 512)");
    expect(() => dot(zeros([2, 2, 2]), zeros([2]))).toThrow(/dot: supports tensors of rank ≤ 2/);
  });

  test("a wrong dtype names the op, the dtype and the allowed ones", () => {
    expect(() => matmul(zeros([2, 2], "int32"), zeros([2, 2]))).toThrow(
      'matmul: the first argument has dtype int32; allowed: float32 (convert with .astype("float32"))',
    );
  });

  test("dense is x·kernel + bias through the activation, in one op", () => {
    const x = randomNormal([4, 3]);
    const w = randomNormal([3, 5]);
    const b = randomNormal([5]);
    close(dense(x, w, b, "relu").toArray(), relu(matmul(x, w).add(b)).toArray() as number[][]);
    close(dense(x, w, null, "tanh").toArray(), tanh(matmul(x, w)).toArray() as number[][]);
    expect(() => dense(x, zeros([4, 5]))).toThrow("dense: input shape [4, 3] and kernel shape [4, 5] do not line up (3 ≠ 4)");
  });
});

describe("reductions", () => {
  const t = tensor([[1, 5, 3], [4, 2, 6]]);

  test("sum, mean, max, min over all axes, one axis, or several", () => {
    expect(sum(t).item()).toBe(21);
    expect(sum(t, 0).toArray()).toEqual([5, 7, 9]);
    expect(mean(t, 1).toArray()).toEqual([3, 4]);
    expect(max(t, -1).toArray()).toEqual([5, 6]);
    expect(min(t, 0).toArray()).toEqual([1, 2, 3]);
    expect(sum(t, [0, 1]).item()).toBe(21);
  });

  test("keepdims keeps the reduced axes with size 1", () => {
    expect(sum(t, 1, true).shape).toEqual([2, 1]);
    expect(t.mean(null, true).shape).toEqual([1, 1]);
    expect(t.sub(t.max(1, true)).toArray()).toEqual([[-4, 0, -2], [-2, -4, 0]]);
  });

  test("argmax and argmin along an axis or over everything", () => {
    expect(argmax(t, 1).toArray()).toEqual([1, 2]);
    expect(argmax(t, 1).dtype).toBe("int32");
    expect(argmin(t, 0).toArray()).toEqual([0, 1, 0]);
    expect(argmax(t).item()).toBe(5);
  });

  test("integer sums stay integers", () => {
    expect(tensor([1, 2, 3], "int32").sum().dtype).toBe("int32");
    expect(tensor([1, 2, 3], "uint8").sum().item()).toBe(6);
    expect(tensor([1, 2], "int32").mean().dtype).toBe("float32");
  });

  test("an out-of-range axis says which axes exist", () => {
    expect(() => sum(t, 3)).toThrow("sum: axis 3 is out of range for a tensor of rank 2 (allowed: -2..1)");
    expect(() => argmax(t, -3)).toThrow("argmax: axis -3 is out of range for a tensor of rank 2 (allowed: -2..1)");
  });
});

describe("joining, indexing and shapes", () => {
  test("concat along the first and the last axis", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([a, tensor([[9], [9]])], 1).toArray()).toEqual([[1, 2, 9], [3, 4, 9]]);
    expect(() => concat([a, tensor([[1, 2, 3]])])).toThrow(
      "concat: tensor 1 has shape [1, 3] but tensor 0 has [2, 2]; all axes except axis 0 must match",
    );
  });

  test("concat along a late axis of a tall tensor matches the row-by-row result", () => {
    const a = arange(3000).reshape(1500, 2);
    const b = arange(1500).reshape(1500, 1);
    const c = concat([a, b], 1);
    expect(c.shape).toEqual([1500, 3]);
    expect(c.get(1499).toArray()).toEqual([2998, 2999, 1499]);
  });

  test("stack adds a new axis", () => {
    expect(stack([tensor([1, 2]), tensor([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
  });

  test("gather picks rows, oneHot makes one-hot rows", () => {
    const e = tensor([[0, 0], [1, 1], [2, 2]]);
    expect(gather(e, [2, 0, 2]).toArray()).toEqual([[2, 2], [0, 0], [2, 2]]);
    expect(oneHot(tensor([0, 2], "int32"), 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(() => oneHot(tensor([3], "int32"), 3)).toThrow(/oneHot: .*allowed indices: 0..2/);
    expect(() => gather(e, [5])).toThrow(/^gather: index 5 at position 0 is outside \[0, 3\) \(x has 3 rows, shape \[3, 2\]; allowed indices: 0..2\)$/);
  });

  test("expandDims, squeeze and broadcastTo", () => {
    expect(expandDims(tensor([1, 2]), 0).shape).toEqual([1, 2]);
    expect(expandDims(tensor([1, 2]), -1).shape).toEqual([2, 1]);
    expect(squeeze(zeros([1, 3, 1])).shape).toEqual([3]);
    expect(() => squeeze(zeros([2, 3]), 0)).toThrow(/axis 0 of shape \[2, 3\] has size 2/);
    expect(broadcastTo(tensor([1, 2]), [2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
  });
});

describe("softmax cross-entropy", () => {
  test("matches −log softmax at the label, sparse and one-hot alike", () => {
    const logits = tensor([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
    const labels = tensor([0, 1], "int32");
    const expected = logSoftmax(logits).mul(oneHot(labels, 3)).sum(1).neg();
    close(softmaxCrossEntropy(logits, labels, { sparse: true }).item(), expected.mean().item());
    close(softmaxCrossEntropy(logits, oneHot(labels, 3), { sparse: false }).item(), expected.mean().item());
    close(softmaxCrossEntropy(logits, labels, { reduction: "none" }).toArray(), expected.toArray() as number[]);
    close(softmaxCrossEntropy(logits, labels, { reduction: "sum" }).item(), expected.sum().item());
  });

  test("a class index outside the logits names the row and the allowed range", () => {
    expect(() => softmaxCrossEntropy(zeros([2, 3]), tensor([0, 7], "int32"))).toThrow(
      /^softmaxCrossEntropy: label 7 at row 1 is outside \[0, 3\) \(class indices must be in 0..2\)$/,
    );
  });

  test("labels that do not fit the logits are named", () => {
    expect(() => softmaxCrossEntropy(zeros([4, 10]), tensor([1, 2], "int32"), { sparse: true })).toThrow(
      /sparse labels need one class index per row: logits \[4, 10\] have 4 rows, labels have shape \[2\]/,
    );
  });
});
