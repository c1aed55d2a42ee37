/**
 * conv2d, conv1d, maxPool2d, avgPool2d (and the 1-D pools) on the native kernels: values against
 * plain TypeScript loops on small odd shapes, Keras's output sizes and "same" padding (the extra
 * cell on the bottom/right, average pooling dividing by the cells inside), gradients against
 * central finite differences on stride 2, "same", dilation, a batch of 1, one channel and
 * non-square kernels, and the errors a user sees.
 */
import { describe, expect, test } from "vitest";
import {
  tensor, Tensor, grad, setRandomSeed, randomNormal, randomUniform, mul, relu, add,
  conv2d, conv1d, maxPool2d, avgPool2d, maxPool1d, avgPool1d,
} from "../runtime/index.js";
import { getBackend } from "../runtime/backend/index.js";
import { checkGradients as check, type Fn } from "./helpers/gradcheck.js";

setRandomSeed(4321);

/** Convolutions sum more terms per output than the element-wise ops: a slightly wider absolute bound. */
const checkGradients = (f: Fn, inputs: Tensor[], o: { eps?: number; rtol?: number; atol?: number } = {}) =>
  check(f, inputs, { atol: 3e-3, ...o });

const rand = (shape: number[]) => randomUniform(shape, { minval: -1, maxval: 1 });

/** Distinct values 0.05 apart in random order, so a ±0.01 step never changes a window's max. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  const keys = randomUniform([n]).data() as Float32Array;
  const order = v.map((_, i) => i).sort((a, b) => keys[a] - keys[b]);
  return tensor(Float32Array.from(order.map((i) => v[i])), { shape });
}

interface Geo { sh: number; sw: number; dh: number; dw: number; same: boolean }

/** TensorFlow's output size and padding before, for one axis. */
function axis(input: number, k: number, s: number, d: number, same: boolean): [number, number] {
  const eff = (k - 1) * d + 1;
  if (!same) return [Math.floor((input - eff) / s) + 1, 0];
  const out = Math.ceil(input / s);
  return [out, Math.floor(Math.max((out - 1) * s + eff - input, 0) / 2)];
}

/** The convolution as the formula says, in float64. */
function convRef(x: Tensor, k: Tensor, g: Geo): { shape: number[]; data: Float64Array } {
  const [B, H, W, C] = x.shape;
  const [KH, KW, , O] = k.shape;
  const [OH, pt] = axis(H, KH, g.sh, g.dh, g.same);
  const [OW, pl] = axis(W, KW, g.sw, g.dw, g.same);
  const xv = x.data() as Float32Array;
  const kv = k.data() as Float32Array;
  const out = new Float64Array(B * OH * OW * O);
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let i = 0; i < KH; i++)
            for (let j = 0; j < KW; j++) {
              const iy = oy * g.sh - pt + i * g.dh;
              const ix = ox * g.sw - pl + j * g.dw;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (let c = 0; c < C; c++) s += xv[((b * H + iy) * W + ix) * C + c] * kv[((i * KW + j) * C + c) * O + o];
            }
          out[((b * OH + oy) * OW + ox) * O + o] = s;
        }
  return { shape: [B, OH, OW, O], data: out };
}

function poolRef(kind: "max" | "avg", x: Tensor, p: [number, number], s: [number, number], same: boolean): { shape: number[]; data: Float64Array } {
  const [B, H, W, C] = x.shape;
  const [OH, pt] = axis(H, p[0], s[0], 1, same);
  const [OW, pl] = axis(W, p[1], s[1], 1, same);
  const xv = x.data() as Float32Array;
  const out = new Float64Array(B * OH * OW * C);
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity, sum = 0, n = 0;
          for (let i = 0; i < p[0]; i++)
            for (let j = 0; j < p[1]; j++) {
              const iy = oy * s[0] - pt + i, ix = ox * s[1] - pl + j;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const v = xv[((b * H + iy) * W + ix) * C + c];
              best = Math.max(best, v);
              sum += v;
              n++;
            }
          out[((b * OH + oy) * OW + ox) * C + c] = kind === "max" ? best : sum / n;
        }
  return { shape: [B, OH, OW, C], data: out };
}

function expectClose(got: Tensor, want: { shape: readonly number[]; data: Float64Array }, tol = 1e-5): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.data() as Float32Array;
  for (let i = 0; i < g.length; i++) {
    if (Math.abs(g[i] - want.data[i]) > tol * (1 + Math.abs(want.data[i]))) {
      throw new Error(`element ${i}: ${g[i]} vs ${want.data[i]}`);
    }
  }
}

const CASES: [string, number[], number[], Geo][] = [
  //  name                            x shape        kernel shape    geometry
  ["3×3 valid", [2, 7, 9, 3], [3, 3, 3, 5], { sh: 1, sw: 1, dh: 1, dw: 1, same: false }],
  ["3×3 same", [2, 7, 9, 3], [3, 3, 3, 5], { sh: 1, sw: 1, dh: 1, dw: 1, same: true }],
  ["stride 2, same, non-square kernel", [3, 9, 8, 2], [3, 2, 2, 4], { sh: 2, sw: 2, dh: 1, dw: 1, same: true }],
  ["strides (2, 1), valid", [2, 9, 8, 2], [2, 3, 2, 3], { sh: 2, sw: 1, dh: 1, dw: 1, same: false }],
  ["dilation 2, same, batch of 1", [1, 10, 11, 3], [3, 3, 3, 2], { sh: 1, sw: 1, dh: 2, dw: 2, same: true }],
  ["dilation (3, 1), one channel", [2, 10, 7, 1], [2, 3, 1, 3], { sh: 1, sw: 1, dh: 3, dw: 1, same: false }],
  ["1×1 kernel", [2, 5, 6, 3], [1, 1, 3, 4], { sh: 1, sw: 1, dh: 1, dw: 1, same: false }],
  ["even kernel, same", [1, 6, 5, 2], [2, 4, 2, 3], { sh: 1, sw: 1, dh: 1, dw: 1, same: true }],
];

describe("conv2d computes Keras's convolution", () => {
  test.each(CASES)("%s matches the formula", (_name, xs, ks, g) => {
    const x = rand(xs);
    const k = rand(ks);
    const y = conv2d(x, k, { strides: [g.sh, g.sw], padding: g.same ? "same" : "valid", dilationRate: [g.dh, g.dw] });
    expectClose(y, convRef(x, k, g));
  });

  test("output sizes are TensorFlow's: the book's layers and 'same' with stride 2", () => {
    expect(conv2d(randomNormal([2, 28, 28, 1]), randomNormal([3, 3, 1, 32])).shape).toEqual([2, 26, 26, 32]);
    expect(conv2d(randomNormal([1, 7, 7, 1]), randomNormal([3, 3, 1, 1]), { padding: "same", strides: 2 }).shape).toEqual([1, 4, 4, 1]);
    expect(conv2d(randomNormal([1, 8, 8, 1]), randomNormal([3, 3, 1, 1]), { strides: 2 }).shape).toEqual([1, 3, 3, 1]);
    expect(conv2d(randomNormal([1, 9, 9, 1]), randomNormal([3, 3, 1, 1]), { dilation_rate: 3 }).shape).toEqual([1, 3, 3, 1]);
  });

  test("'same' puts the odd padding cell on the bottom and right", () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1] });
    const y = conv2d(x, tensor([1, 1, 1, 1], { shape: [2, 2, 1, 1] }), { padding: "same" });
    expect(Array.from(y.data())).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
  });

  test("the fused bias and relu equal relu(conv2d + bias)", () => {
    const x = rand([2, 6, 7, 3]);
    const k = rand([3, 3, 3, 4]);
    const b = rand([4]);
    const fused = conv2d(x, k, { bias: b, activation: "relu", padding: "same" });
    const plain = relu(add(conv2d(x, k, { padding: "same" }), b));
    expectClose(fused, { shape: plain.shape, data: Float64Array.from(plain.data() as Float32Array) });
  });

  test("a batch of 0 gives an empty result", () => {
    expect(conv2d(randomNormal([0, 5, 5, 2]), randomNormal([3, 3, 2, 4])).shape).toEqual([0, 3, 3, 4]);
  });
});

describe("the gradients of conv2d match finite differences", () => {
  test.each(CASES)("%s, for input and kernel", (_name, xs, ks, g) => {
    // Smaller copies of the shapes (the check evaluates the op twice per element).
    const x = rand([Math.min(xs[0], 2), Math.min(xs[1], 6), Math.min(xs[2], 6), xs[3]]);
    const k = rand(ks);
    const opts = { strides: [g.sh, g.sw] as [number, number], padding: g.same ? ("same" as const) : ("valid" as const), dilationRate: [g.dh, g.dw] as [number, number] };
    checkGradients((a, b) => conv2d(a, b, opts), [x, k]);
  });

  test("with the fused bias and tanh, for input, kernel and bias", () => {
    checkGradients((x, k, b) => conv2d(x, k, { bias: b, activation: "tanh", strides: 2, padding: "same" }), [rand([2, 5, 6, 2]), rand([3, 2, 2, 3]), rand([3])]);
  });

  test("with the fused bias and relu, against relu(conv2d + bias)'s own gradient", () => {
    const x = rand([2, 5, 5, 3]);
    const k = rand([3, 3, 3, 2]);
    const b = rand([2]);
    const r = randomNormal([2, 3, 3, 2]);
    const fused = grad((x: Tensor, k: Tensor, b: Tensor) => mul(conv2d(x, k, { bias: b, activation: "relu" }), r).sum(), { argnums: [0, 1, 2] })(x, k, b) as Tensor[];
    const plain = grad((x: Tensor, k: Tensor, b: Tensor) => mul(relu(add(conv2d(x, k), b)), r).sum(), { argnums: [0, 1, 2] })(x, k, b) as Tensor[];
    fused.forEach((f, i) => expectClose(f, { shape: plain[i].shape, data: Float64Array.from(plain[i].data() as Float32Array) }));
  });
});

describe("maxPool2d and avgPool2d compute Keras's pooling", () => {
  const POOLS: [string, number[], [number, number], [number, number], boolean][] = [
    ["2×2, valid (odd input)", [2, 7, 9, 3], [2, 2], [2, 2], false],
    ["2×2, same", [2, 7, 9, 3], [2, 2], [2, 2], true],
    ["3×3 stride 1, same, batch 1, one channel", [1, 6, 5, 1], [3, 3], [1, 1], true],
    ["non-square 3×2, strides (2, 3)", [2, 9, 10, 2], [3, 2], [2, 3], true],
    ["stride above the pool", [1, 9, 9, 2], [2, 2], [3, 3], false],
  ];
  test.each(POOLS)("%s matches the formula", (_name, xs, p, s, same) => {
    const x = rand(xs);
    const o = { poolSize: p, strides: s, padding: same ? ("same" as const) : ("valid" as const) };
    expectClose(maxPool2d(x, o), poolRef("max", x, p, s, same));
    expectClose(avgPool2d(x, o), poolRef("avg", x, p, s, same));
  });

  test.each(POOLS)("%s: gradients match finite differences", (_name, xs, p, s, same) => {
    const x = distinct([1, Math.min(xs[1], 6), Math.min(xs[2], 6), xs[3]]);
    const o = { poolSize: p, strides: s, padding: same ? ("same" as const) : ("valid" as const) };
    checkGradients((t) => maxPool2d(t, o), [x]);
    checkGradients((t) => avgPool2d(t, o), [x]);
  });

  test("strides default to the pool size, and 'same' average pooling divides by the cells inside", () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1] });
    expect(maxPool2d(x).shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(avgPool2d(x, { padding: "same" }).data())).toEqual([3, 4.5, 7.5, 9]);
    expect(Array.from(maxPool2d(x, { pool_size: 2, padding: "same" }).data())).toEqual([5, 6, 8, 9]);
    expect(maxPool2d(randomNormal([2, 26, 26, 32])).shape).toEqual([2, 13, 13, 32]);
  });

  test("a tie sends the gradient to the first maximum only", () => {
    const x = tensor([1, 3, 3, 2], { shape: [1, 2, 2, 1] });
    const g = grad((t: Tensor) => maxPool2d(t).sum())(x) as Tensor;
    expect(Array.from(g.data())).toEqual([0, 1, 0, 0]);
  });
});

describe("the 1-D forms are the 2-D kernels with a height of 1", () => {
  test("conv1d with 'valid', 'same' and 'causal' padding", () => {
    const x = rand([2, 9, 3]);
    const k = rand([3, 3, 4]);
    const as2d = (o: { strides?: number; dilationRate?: number; same: boolean }) =>
      convRef(x.reshape([2, 1, 9, 3]), k.reshape([1, 3, 3, 4]), { sh: 1, sw: o.strides ?? 1, dh: 1, dw: o.dilationRate ?? 1, same: o.same });
    const flat = (r: { shape: number[]; data: Float64Array }) => ({ shape: [r.shape[0], r.shape[2], r.shape[3]], data: r.data });
    expectClose(conv1d(x, k), flat(as2d({ same: false })));
    expectClose(conv1d(x, k, { padding: "same", strides: 2 }), flat(as2d({ same: true, strides: 2 })));
    // causal: output t sees inputs ≤ t, i.e. a "valid" convolution of x with (k−1)·d zeros in front.
    const xp = tensor(Float32Array.from([0, 0, 0, 0, 0, 0, ...(x.data() as Float32Array).slice(0, 27), 0, 0, 0, 0, 0, 0, ...(x.data() as Float32Array).slice(27)]), { shape: [2, 11, 3] });
    const causal = conv1d(x, k, { padding: "causal", dilation_rate: 1 });
    expect(causal.shape).toEqual([2, 9, 4]);
    expectClose(causal, flat(convRef(xp.reshape([2, 1, 11, 3]), k.reshape([1, 3, 3, 4]), { sh: 1, sw: 1, dh: 1, dw: 1, same: false })));
  });

  test("conv1d's gradients, and maxPool1d/avgPool1d's values and gradients", () => {
    checkGradients((a, b) => conv1d(a, b, { padding: "causal", dilationRate: 2 }), [rand([2, 7, 2]), rand([2, 2, 3])]);
    const x = distinct([2, 7, 3]);
    expect(maxPool1d(x).shape).toEqual([2, 3, 3]);
    expect(avgPool1d(x, { poolSize: 3, strides: 1, padding: "same" }).shape).toEqual([2, 7, 3]);
    const xs = Array.from(x.data() as Float32Array);
    expect((maxPool1d(x).data() as Float32Array)[0]).toBeCloseTo(Math.max(xs[0], xs[3]), 6);
    checkGradients((t) => maxPool1d(t, { poolSize: 3, strides: 2, padding: "same" }), [x]);
    checkGradients((t) => avgPool1d(t, { poolSize: 3, strides: 2, padding: "same" }), [x]);
  });
});

describe("bad input gets an error that names the op and the shapes", () => {
  test("a wrong rank", () => {
    expect(() => conv2d(randomNormal([28, 28, 1]), randomNormal([3, 3, 1, 8]))).toThrow(/conv2d: the input must be \[batch, height, width, channels\]; received shape \[28, 28, 1\]/);
    expect(() => conv2d(randomNormal([1, 28, 28, 1]), randomNormal([3, 3, 8]))).toThrow(/conv2d: the kernel must be .*received shape \[3, 3, 8\]/);
    expect(() => maxPool2d(randomNormal([4, 4]))).toThrow(/maxPool2d: the input must be .*received shape \[4, 4\]/);
    expect(() => conv1d(randomNormal([1, 28, 28, 1]), randomNormal([3, 1, 8]))).toThrow(/conv1d: the input must be \[batch, steps, channels\]/);
  });

  test("mismatched channels name both shapes", () => {
    expect(() => conv2d(randomNormal([1, 8, 8, 3]), randomNormal([3, 3, 2, 8]))).toThrow(
      "conv2d: input shape [1, 8, 8, 3] has 3 channels but kernel shape [3, 3, 2, 8] expects 2",
    );
  });

  test("a window larger than the input with 'valid' padding", () => {
    expect(() => conv2d(randomNormal([1, 4, 4, 1]), randomNormal([5, 3, 1, 1]))).toThrow(/conv2d: the window 5 is larger than the input's 4 with padding "valid"/);
    expect(() => conv2d(randomNormal([1, 6, 6, 1]), randomNormal([3, 3, 1, 1]), { dilationRate: 3 })).toThrow(/window 7 \(kernel 3 with dilation 3\)/);
    expect(() => maxPool2d(randomNormal([1, 1, 5, 1]))).toThrow(/maxPool2d: the window 2 is larger than the input's 1/);
  });

  test("non-positive strides, unknown padding and options, a wrong bias", () => {
    const x = randomNormal([1, 6, 6, 1]);
    const k = randomNormal([3, 3, 1, 2]);
    expect(() => conv2d(x, k, { strides: 0 })).toThrow("conv2d: strides must be a positive integer or a pair of them; received 0");
    expect(() => conv2d(x, k, { strides: [1, -2] })).toThrow(/strides must be a positive integer/);
    expect(() => avgPool2d(x, { poolSize: 1.5 })).toThrow(/avgPool2d: poolSize must be a positive integer/);
    expect(() => conv2d(x, k, { padding: "full" as "same" })).toThrow(`conv2d: padding must be "valid" or "same"; received "full"`);
    expect(() => conv2d(x, k, { stride: 2 } as object)).toThrow(/conv2d: unknown option "stride" \(did you mean "strides"\?\)/);
    expect(() => conv2d(x, k, { bias: randomNormal([3]) })).toThrow("conv2d: the bias must have shape [2] (one per output channel); received [3]");
    expect(() => conv2d(x, k, { activation: "softmax" as "relu" })).toThrow(/conv2d: activation 'softmax' cannot be fused/);
  });
});

describe("the native entries check every argument before running", () => {
  const geo = {
    batch: 1, inHeight: 4, inWidth: 4, inChannels: 2, outHeight: 2, outWidth: 2, outChannels: 3,
    kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0,
  };
  const pgeo = { batch: 1, inHeight: 4, inWidth: 4, channels: 2, outHeight: 2, outWidth: 2, poolHeight: 2, poolWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 };

  test("buffers whose sizes do not match the geometry, and a missing or bad field", () => {
    const be = getBackend();
    const x = be.alloc("float32", 32), w = be.alloc("float32", 54), y = be.alloc("float32", 12);
    expect(() => be.conv2d(x, w, be.alloc("float32", 11), geo)).toThrow("conv2d: out has 11 elements but batch·outHeight·outWidth·outChannels needs 12");
    expect(() => be.conv2dInputGrad(y, be.alloc("float32", 53), x, geo)).toThrow(/conv2dInputGrad: kernel has 53 elements/);
    expect(() => be.conv2dKernelGrad(x, y, w, { ...geo, strideHeight: 0 })).toThrow("conv2dKernelGrad: opts.strideHeight must be in [1, 2147483648], received 0");
    const { padLeft: _omit, ...noPad } = geo;
    expect(() => be.conv2d(x, w, y, noPad as typeof geo)).toThrow("conv2d: opts.padLeft is required");
    const same = { ...geo, outHeight: 4, outWidth: 4, outChannels: 2, padTop: 1, padLeft: 1 };
    expect(() => be.conv2d(x, be.alloc("float32", 36), x, same)).toThrow("conv2d: x, kernel and out must be three different buffers");
    expect(() => be.conv2d(x, w, y, { ...geo, bias: be.alloc("float32", 2) })).toThrow("conv2d: opts.bias has 2 elements but one bias per output channel needs 3");
    expect(() => be.conv2d(x, w, y, { ...geo, batch: 2 ** 30, inHeight: 2 ** 30 })).toThrow(/more than 2\^40 elements/);
  });

  test("pooling: argmax only for max, required by its gradient, and of one index per output", () => {
    const be = getBackend();
    const x = be.alloc("float32", 32), y = be.alloc("float32", 8), dx = be.alloc("float32", 32);
    expect(() => be.pool2d("avg", x, y, be.alloc("int32", 8), pgeo)).toThrow("pool2d: argmax is only written by max pooling; pass null for avg");
    expect(() => be.pool2d("max", x, y, be.alloc("int32", 7), pgeo)).toThrow("pool2d: argmax has 7 elements but one index per output needs 8");
    expect(() => be.pool2dGrad("max", y, null, dx, pgeo)).toThrow(/pool2dGrad: max pooling's gradient needs the forward's argmax/);
    expect(() => be.pool2d("min" as "max", x, y, null, pgeo)).toThrow("pool2d: unknown pool op 'min'; allowed: max, avg");
    // Indices that the forward did not write cannot make the backward write outside dx.
    const bad = be.alloc("int32", 8);
    be.upload(bad, Int32Array.from([-1, 4, 2 ** 30, 3, 0, 1, 2, 3]));
    be.fill(y, 1);
    be.pool2dGrad("max", y, bad, dx, pgeo);
    const out = new Float32Array(32);
    be.download(dx, out);
    expect(out.reduce((a, v) => a + v, 0)).toBe(5);
  });
});
