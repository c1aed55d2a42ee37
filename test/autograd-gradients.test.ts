/**
 * Every op's gradient against central finite differences. Each check differentiates
 * sum(f(inputs) · R) for a fixed random R, so the upstream gradient is not all ones, and
 * compares with (f(x + ε) − f(x − ε)) / 2ε computed element by element.
 */
import { describe, expect, test } from "vitest";
import {
  tensor, Tensor, grad, setRandomSeed, randomUniform,
  add, sub, mul, div, pow, maximum, minimum, neg, abs, exp, log, sqrt, rsqrt, square, sign, clip,
  relu, relu6, sigmoid, tanh, elu, selu, gelu, leakyRelu, softplus, softmax, logSoftmax,
  matmul, dot, transpose, reshape, expandDims, squeeze, sum, mean, max, min,
  concat, stack, gather, where, greater, dense, softmaxCrossEntropy, broadcastTo, oneHot,
} from "../runtime/index.js";
import { checkGradients, type Fn } from "./helpers/gradcheck.js";


/** Values away from 0 (kinks of relu/abs) by at least `gap`. */
function awayFromZero(shape: number[], gap = 0.2): Tensor {
  const r = randomUniform(shape, { minval: gap, maxval: 1.5 }).data() as Float32Array;
  const s = randomUniform(shape).data() as Float32Array;
  return tensor(r.map((v, i) => (s[i] < 0.5 ? -v : v)), { shape });
}

function positive(shape: number[]): Tensor {
  return randomUniform(shape, { minval: 0.5, maxval: 2 });
}


setRandomSeed(1234);

describe("the gradients of element-wise arithmetic match finite differences", () => {
  const a = () => awayFromZero([2, 3]);
  test("add, sub, mul, div of same-shape tensors", () => {
    checkGradients(add, [a(), a()]);
    checkGradients(sub, [a(), a()]);
    checkGradients(mul, [a(), a()]);
    checkGradients(div, [a(), positive([2, 3])]);
  });

  test("broadcasting sums the gradient back to each input's shape", () => {
    checkGradients(add, [a(), awayFromZero([3])]);
    checkGradients(sub, [awayFromZero([2, 1]), awayFromZero([1, 3])]);
    checkGradients(mul, [awayFromZero([3]), a()]);
    checkGradients(div, [awayFromZero([2, 1, 3]), positive([4, 1])]);
    checkGradients(mul, [awayFromZero([]), a()]);
  });

  test("ops with a number on either side", () => {
    checkGradients((x) => add(x, 3), [a()]);
    checkGradients((x) => sub(3, x), [a()]);
    checkGradients((x) => mul(x, -2.5), [a()]);
    checkGradients((x) => mul(-2.5, x), [a()]);
    checkGradients((x) => div(2, x), [positive([2, 3])]);
    checkGradients((x) => div(x, 4), [a()]);
  });

  test("pow by a tensor, by a number, and of a number", () => {
    checkGradients(pow, [positive([2, 3]), awayFromZero([2, 3])]);
    checkGradients((x) => pow(x, 3), [a()]);
    checkGradients((x) => pow(2, x), [a()]);
  });

  test("maximum, minimum and clip send the gradient to the chosen side", () => {
    const x = tensor([[0.5, -1, 2], [1.5, 0.2, -0.7]]);
    const y = tensor([[1, -2, 1], [0.5, 0.9, 0.1]]);
    checkGradients(maximum, [x, y]);
    checkGradients(minimum, [x, y]);
    checkGradients((t) => maximum(t, 0), [x]);
    checkGradients((t) => minimum(0.3, t), [x]);
    checkGradients((t) => maximum(0.3, t), [x]);
    checkGradients((t) => clip(t, -0.5, 0.8), [x]);
    checkGradients(maximum, [x, tensor([0.3, -0.5, 1.1])]);
  });
});

describe("the gradients of element-wise functions match finite differences", () => {
  const x = () => awayFromZero([2, 4]);
  test.each([
    ["neg", neg], ["abs", abs], ["exp", exp], ["square", square], ["relu", relu], ["sigmoid", sigmoid],
    ["tanh", tanh], ["elu", (t: Tensor) => elu(t)], ["selu", selu], ["gelu", gelu], ["leakyRelu", (t: Tensor) => leakyRelu(t)],
    ["softplus", softplus], ["sign", sign],
  ] as [string, Fn][])("%s", (_name, f) => {
    checkGradients(f, [x()]);
  });

  test("relu6 away from its kinks", () => {
    checkGradients(relu6, [tensor([[-1, 0.5, 3], [5.5, 7, -0.3]])]);
  });

  test.each([["log", log], ["sqrt", sqrt], ["rsqrt", rsqrt]] as [string, Fn][])("%s on positive inputs", (_name, f) => {
    checkGradients(f, [positive([2, 3])]);
  });

  test("softmax and logSoftmax along the last axis and along the first", () => {
    checkGradients((t) => softmax(t), [x()]);
    checkGradients((t) => logSoftmax(t), [x()]);
    checkGradients((t) => softmax(t, 0), [x()]);
    checkGradients((t) => logSoftmax(t, 0), [x()]);
  });
});

describe("the gradients of products, shapes and reductions match finite differences", () => {
  test("matmul of matrices, vectors and batches", () => {
    checkGradients(matmul, [awayFromZero([2, 3]), awayFromZero([3, 4])]);
    checkGradients(matmul, [awayFromZero([3]), awayFromZero([3, 2])]);
    checkGradients(matmul, [awayFromZero([2, 3]), awayFromZero([3])]);
    checkGradients(matmul, [awayFromZero([3]), awayFromZero([3])]);
    checkGradients(matmul, [awayFromZero([2, 2, 3]), awayFromZero([2, 3, 2])]);
    checkGradients(matmul, [awayFromZero([2, 2, 3]), awayFromZero([3, 2])]);
    checkGradients(matmul, [awayFromZero([2, 3]), awayFromZero([2, 3, 2])]);
    checkGradients(dot, [awayFromZero([2, 3]), awayFromZero([3])]);
  });

  test("transpose, reshape, expandDims, squeeze and broadcastTo", () => {
    checkGradients((t) => transpose(t), [awayFromZero([2, 3])]);
    checkGradients((t) => transpose(t, [1, 2, 0]), [awayFromZero([2, 3, 2])]);
    checkGradients((t) => reshape(t, [3, 2]).mul(tensor([1, 2])), [awayFromZero([2, 3])]);
    checkGradients((t) => expandDims(t, 1), [awayFromZero([2, 3])]);
    checkGradients((t) => squeeze(t), [awayFromZero([2, 1, 3])]);
    checkGradients((t) => broadcastTo(t, [4, 2, 3]), [awayFromZero([2, 1])]);
  });

  test("sum and mean over every axis, one axis, several, with and without keepdims", () => {
    const x = () => awayFromZero([2, 3, 4]);
    checkGradients((t) => sum(t), [x()]);
    checkGradients((t) => sum(t, 1), [x()]);
    checkGradients((t) => sum(t, [0, 2], true), [x()]);
    checkGradients((t) => mean(t), [x()]);
    checkGradients((t) => mean(t, -1, true), [x()]);
    checkGradients((t) => mean(t, [0, 1]), [x()]);
  });

  test("max and min send the gradient to the extreme element", () => {
    const x = () => tensor([[0.1, 0.9, -0.5, 0.3], [1.2, -0.4, 0.7, 0.0]]);
    checkGradients((t) => max(t), [x()]);
    checkGradients((t) => max(t, 1), [x()]);
    checkGradients((t) => min(t, 0, true), [x()]);
  });

  test("concat, stack, get, slice, gather and where", () => {
    checkGradients((p, q) => concat([p, q], 0), [awayFromZero([2, 3]), awayFromZero([1, 3])]);
    checkGradients((p, q) => concat([p, q], 1), [awayFromZero([2, 3]), awayFromZero([2, 2])]);
    checkGradients((p, q) => stack([p, q], 1), [awayFromZero([2, 3]), awayFromZero([2, 3])]);
    checkGradients((t) => t.get(1), [awayFromZero([3, 2])]);
    checkGradients((t) => t.slice(1, 3), [awayFromZero([4, 2])]);
    checkGradients((t) => gather(t, [2, 0, 2]), [awayFromZero([3, 2])]);
    const cond = greater(tensor([[1, -1, 1], [-1, 1, -1]]), 0);
    checkGradients((p, q) => where(cond, p, q), [awayFromZero([2, 3]), awayFromZero([3])]);
  });

  test("astype between float32 tensors passes the gradient through", () => {
    checkGradients((t) => t.astype("float32").mul(2), [awayFromZero([3])]);
  });
});

describe("the fused training ops' gradients match finite differences", () => {
  test.each(["linear", "relu", "sigmoid", "tanh"] as const)("dense with %s, for input, kernel and bias", (activation) => {
    checkGradients((x, w, b) => dense(x, w, b, activation), [awayFromZero([3, 4]), awayFromZero([4, 2], 0.3), awayFromZero([2])]);
  });

  test("dense without a bias, and on a rank-3 input", () => {
    checkGradients((x, w) => dense(x, w, null, "tanh"), [awayFromZero([3, 4]), awayFromZero([4, 2])]);
    checkGradients((x, w, b) => dense(x, w, b, "linear"), [awayFromZero([2, 3, 4]), awayFromZero([4, 2]), awayFromZero([2])]);
  });

  test("softmaxCrossEntropy with class indices and with one-hot labels, every reduction", () => {
    const labels = tensor([2, 0, 1], "int32");
    checkGradients((z) => softmaxCrossEntropy(z, labels, { sparse: true }), [awayFromZero([3, 4])]);
    checkGradients((z) => softmaxCrossEntropy(z, oneHot(labels, 4), { sparse: false }), [awayFromZero([3, 4])]);
    checkGradients((z) => softmaxCrossEntropy(z, labels, { reduction: "sum" }), [awayFromZero([3, 4])]);
    checkGradients((z) => softmaxCrossEntropy(z, labels, { reduction: "none" }), [awayFromZero([3, 4])]);
  });
});

describe("gradients compose", () => {
  test("a tensor used twice gets the sum of both gradients", () => {
    checkGradients((x) => mul(x, x).add(x), [awayFromZero([2, 2])]);
    const g = grad((x: Tensor) => x.mul(x).sum())(tensor([3, -1]));
    expect(g.toArray()).toEqual([6, -2]);
  });

  test("a two-layer network's loss differentiates end to end", () => {
    const y = tensor([1, 0, 2], "int32");
    checkGradients(
      (x, w1, b1, w2) => softmaxCrossEntropy(matmul(relu(add(matmul(x, w1), b1)), w2), y),
      [awayFromZero([3, 4]), awayFromZero([4, 5]), awayFromZero([5]), awayFromZero([5, 3])],
    );
  });
});
