import { describe, expect, test } from "vitest";
import { inspect } from "node:util";
import { tensor, arange, zeros, variable } from "../runtime/index.js";
import { DISPLAY } from "../runtime/display/sink.js";

describe("a tensor prints as NumPy prints an array", () => {
  test("a 2-D tensor prints as a bracketed grid with shape and dtype", () => {
    expect(String(tensor([[2, -1], [1, 2]]))).toBe(
      "tensor([[ 2., -1.],\n" +
      "        [ 1.,  2.]], shape=[2, 2], dtype=float32)",
    );
  });

  test("floats align on the decimal point with the shortest digits of each float32", () => {
    expect(String(tensor([0.1, 1.5, 2.25]))).toBe("tensor([0.1 , 1.5 , 2.25], shape=[3], dtype=float32)");
    expect(String(tensor([1 / 3, 2 / 3]))).toBe("tensor([0.33333334, 0.6666667 ], shape=[2], dtype=float32)");
  });

  test("digits beyond the eighth place are rounded from the float32 value itself, as NumPy does", () => {
    expect(String(tensor([0.05485479533672333, 0.16877173]))).toBe("tensor([0.0548548 , 0.16877173], shape=[2], dtype=float32)");
    expect(String(tensor([[0, 1e-3, 1e-2]]))).toBe("tensor([[0.   , 0.001, 0.01 ]], shape=[1, 3], dtype=float32)");
  });

  test("integer rows wrap and right-align like NumPy's", () => {
    expect(String(arange(-50, 50, 1, "int32").reshape(4, 25))).toBe(
      "tensor([[-50, -49, -48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38,\n" +
      "         -37, -36, -35, -34, -33, -32, -31, -30, -29, -28, -27, -26],\n" +
      "        [-25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13,\n" +
      "         -12, -11, -10,  -9,  -8,  -7,  -6,  -5,  -4,  -3,  -2,  -1],\n" +
      "        [  0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,\n" +
      "          13,  14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24],\n" +
      "        [ 25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,\n" +
      "          38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49]],\n" +
      "       shape=[4, 25], dtype=int32)",
    );
  });

  test("tiny, huge or widely spread magnitudes switch to scientific notation", () => {
    expect(String(tensor([[-1.5, 2.25e3, 7], [0.001, -3, 12.5]]))).toBe(
      "tensor([[-1.50e+00,  2.25e+03,  7.00e+00],\n" +
      "        [ 1.00e-03, -3.00e+00,  1.25e+01]], shape=[2, 3], dtype=float32)",
    );
    expect(String(tensor([1e-5, 1]))).toBe("tensor([1.e-05, 1.e+00], shape=[2], dtype=float32)");
    expect(String(tensor([1.5e-5, 1, -3e8]))).toBe("tensor([ 1.5e-05,  1.0e+00, -3.0e+08], shape=[3], dtype=float32)");
  });

  test("integers print without a decimal point, bools as true/false", () => {
    expect(String(tensor([1, 20, -3], "int32"))).toBe("tensor([ 1, 20, -3], shape=[3], dtype=int32)");
    expect(String(tensor([true, false]))).toBe("tensor([ true, false], shape=[2], dtype=bool)");
  });

  test("nan and infinities are spelled out", () => {
    expect(String(tensor([NaN, 1.5, -Infinity]))).toBe("tensor([ nan,  1.5, -inf], shape=[3], dtype=float32)");
  });

  test("a scalar prints its value", () => {
    expect(String(tensor(12))).toBe("tensor(12., shape=[], dtype=float32)");
  });

  test("long rows wrap at 75 columns under the first bracket", () => {
    expect(String(arange(30))).toBe(
      "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n" +
      "        13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25.,\n" +
      "        26., 27., 28., 29.], shape=[30], dtype=float32)",
    );
  });

  test("more than 1000 elements are elided with ... keeping three at each edge", () => {
    // As NumPy does with its dtype, shape and dtype move to their own line when the last one is full.
    expect(String(arange(1200, undefined, 1, "int32"))).toBe(
      "tensor([   0,    1,    2, ..., 1197, 1198, 1199],\n" +
      "       shape=[1200], dtype=int32)",
    );
    expect(String(arange(2000).reshape(40, 50).mul(1.5))).toBe(
      "tensor([[0.0000e+00, 1.5000e+00, 3.0000e+00, ..., 7.0500e+01, 7.2000e+01,\n" +
      "         7.3500e+01],\n" +
      "        [7.5000e+01, 7.6500e+01, 7.8000e+01, ..., 1.4550e+02, 1.4700e+02,\n" +
      "         1.4850e+02],\n" +
      "        [1.5000e+02, 1.5150e+02, 1.5300e+02, ..., 2.2050e+02, 2.2200e+02,\n" +
      "         2.2350e+02],\n" +
      "        ...,\n" +
      "        [2.7750e+03, 2.7765e+03, 2.7780e+03, ..., 2.8455e+03, 2.8470e+03,\n" +
      "         2.8485e+03],\n" +
      "        [2.8500e+03, 2.8515e+03, 2.8530e+03, ..., 2.9205e+03, 2.9220e+03,\n" +
      "         2.9235e+03],\n" +
      "        [2.9250e+03, 2.9265e+03, 2.9280e+03, ..., 2.9955e+03, 2.9970e+03,\n" +
      "         2.9985e+03]], shape=[40, 50], dtype=float32)",
    );
  });

  test("a 3-D tensor separates its matrices with a blank line", () => {
    expect(String(arange(8, undefined, 1, "int32").reshape(2, 2, 2))).toBe(
      "tensor([[[0, 1],\n" +
      "         [2, 3]],\n" +
      "\n" +
      "        [[4, 5],\n" +
      "         [6, 7]]], shape=[2, 2, 2], dtype=int32)",
    );
  });

  test("an empty tensor says so", () => {
    expect(String(zeros([0, 3]))).toBe("tensor([], shape=[0, 3], dtype=float32)");
  });

  test("a large image batch prints its edges without reading the whole tensor", () => {
    const images = zeros([60000, 28, 28], "uint8");
    const text = String(images);
    expect(text.startsWith("tensor([[[0, 0, 0, ..., 0, 0, 0],")).toBe(true);
    expect(text.endsWith("shape=[60000, 28, 28], dtype=uint8)")).toBe(true);
  });

  test("a variable prints its name, then its value aligned as a tensor", () => {
    expect(String(variable(tensor([[1, 2], [3, 4]]), { name: "kernel" }))).toBe(
      "Variable 'kernel'\n" +
      "tensor([[1., 2.],\n" +
      "        [3., 4.]], shape=[2, 2], dtype=float32)",
    );
    expect(String(variable(zeros([2]), { name: "mean", trainable: false }))).toBe(
      "Variable 'mean' (non-trainable) tensor([0., 0.], shape=[2], dtype=float32)",
    );
  });

  test("console.log and util.inspect show the same text", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(inspect(t)).toBe(String(t));
  });

  test("a notebook gets a MIME bundle whose text/plain is the printed form", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(t[DISPLAY]()["text/plain"]).toBe(String(t));
  });
});
