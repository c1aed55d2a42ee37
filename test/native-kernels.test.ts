// Every kernel of the CPU backend against a small JavaScript reference, through the real
// addon, on odd shapes and with broadcasting.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { getBackend } from "../runtime/backend/index.js";
import type { BinaryOp, DType, NativeBuffer, UnaryOp } from "../runtime/backend/backend.js";
import { packageRoot } from "../runtime/backend/native.js";

const b = getBackend();

// A reproducible stream of test values in [-2, 2).
function values(n: number, seed = 1): number[] {
  let s = seed * 2654435761;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return ((s >>> 8) / 2 ** 24) * 4 - 2;
  });
}
function up(data: ArrayLike<number>, dtype: DType = "float32"): NativeBuffer {
  const buf = b.alloc(dtype, data.length);
  const arr = dtype === "float32" ? Float32Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Uint8Array.from(data);
  b.upload(buf, arr);
  return buf;
}
function down(buf: NativeBuffer): number[] {
  const arr =
    buf.dtype === "float32" ? new Float32Array(buf.size) : buf.dtype === "int32" ? new Int32Array(buf.size) : new Uint8Array(buf.size);
  b.download(buf, arr);
  return Array.from(arr);
}
const f32 = Math.fround;
function expectClose(got: number[], want: number[], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    if (Number.isNaN(w)) {
      expect(Number.isNaN(g), `element ${i}`).toBe(true);
      continue;
    }
    if (Math.abs(g - w) > tol * (1 + Math.abs(w))) expect(g, `element ${i} of ${got.length}`).toBeCloseTo(w, 4);
  }
}
const prod = (s: number[]) => s.reduce((a, c) => a * c, 1);
function strides(s: number[]): number[] {
  const r = new Array<number>(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) { r[i] = acc; acc *= s[i]; }
  return r;
}
function unravel(i: number, s: number[]): number[] {
  const idx = new Array<number>(s.length);
  for (let d = s.length - 1; d >= 0; d--) { idx[d] = i % s[d]; i = Math.floor(i / s[d]); }
  return idx;
}

describe("element-wise kernels", () => {
  const unaryRef: Record<UnaryOp, (x: number, a: number) => number> = {
    neg: (x) => -x, abs: Math.abs, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x),
    square: (x) => x * x, sign: Math.sign, relu: (x) => Math.max(x, 0), sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    tanh: Math.tanh, elu: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
    selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
    gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), leaky_relu: (x, a) => (x > 0 ? x : a * x),
    softplus: (x) => Math.log1p(Math.exp(x)), relu6: (x) => Math.min(Math.max(x, 0), 6),
  };
  function erf(x: number): number {
    // Abramowitz–Stegun 7.1.26 is too coarse; integrate the series instead (|x| ≤ 4 here).
    let sum = 0, term = x;
    for (let n = 0; n < 60; n++) { sum += term / (2 * n + 1); term *= (-x * x) / (n + 1); }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const ops = Object.keys(unaryRef) as UnaryOp[];

  it("every unary op matches the reference on an odd-sized input", () => {
    const xs = values(7 * 13 * 5, 3).map((v) => v * 2);
    const pos = xs.map((v) => Math.abs(v) + 0.1);
    for (const op of ops) {
      const input = ["log", "sqrt", "rsqrt"].includes(op) ? pos : xs;
      const alpha = op === "leaky_relu" ? 0.3 : op === "elu" ? 1.5 : undefined;
      const out = b.alloc("float32", input.length);
      b.unary(op, up(input), out, alpha);
      const a = alpha ?? (op === "leaky_relu" ? 0.2 : 1);
      expectClose(down(out), input.map((x) => unaryRef[op](f32(x), a)), 2e-5);
    }
  });

  it("every unary gradient matches a central difference of the reference", () => {
    const xs = values(129, 5).map((v) => (Math.abs(v) < 0.05 ? 0.3 : v * 1.5));
    const pos = xs.map((v) => Math.abs(v) + 0.5);
    const dy = values(129, 6);
    const fromOutput = new Set(["relu", "sigmoid", "tanh", "elu", "selu", "relu6"]);
    for (const op of ops) {
      if (op === "sign") continue;
      const input = ["log", "sqrt", "rsqrt"].includes(op) ? pos : xs;
      const a = op === "leaky_relu" ? 0.2 : 1;
      const fwd = (x: number) => unaryRef[op](x, a);
      const saved = fromOutput.has(op) ? input.map((x) => fwd(f32(x))) : input;
      const dx = b.alloc("float32", input.length);
      b.unaryGrad(op, up(saved), up(dy), dx);
      const h = 1e-4;
      const want = input.map((x, i) => (dy[i] * (fwd(f32(x) + h) - fwd(f32(x) - h))) / (2 * h));
      expectClose(down(dx), want, 2e-3);
    }
  });

  function broadcastRef(op: (x: number, y: number) => number, a: number[], as: number[], bv: number[], bs: number[], os: number[]): number[] {
    const n = prod(os);
    const sa = strides(as), sb = strides(bs);
    return Array.from({ length: n }, (_, i) => {
      const idx = unravel(i, os);
      let ia = 0, ib = 0;
      for (let d = 0; d < as.length; d++) ia += (as[d] === 1 ? 0 : idx[d + os.length - as.length]) * sa[d];
      for (let d = 0; d < bs.length; d++) ib += (bs[d] === 1 ? 0 : idx[d + os.length - bs.length]) * sb[d];
      return op(a[ia], bv[ib]);
    });
  }
  const binRef: Record<BinaryOp, (x: number, y: number) => number> = {
    add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
    pow: (x, y) => Math.pow(x, y), maximum: Math.max, minimum: Math.min,
    equal: (x, y) => +(x === y), not_equal: (x, y) => +(x !== y), less: (x, y) => +(x < y),
    less_equal: (x, y) => +(x <= y), greater: (x, y) => +(x > y), greater_equal: (x, y) => +(x >= y),
  };
  const shapes: [number[], number[], number[]][] = [
    [[7, 13, 5], [7, 13, 5], [7, 13, 5]],
    [[7, 13, 5], [5], [7, 13, 5]],
    [[7, 1, 5], [13, 1], [7, 13, 5]],
    [[1], [3, 4], [3, 4]],
    [[129, 1], [1, 257], [129, 257]],
    [[], [2, 3], [2, 3]],
    [[3], [1], [4, 3]], // out larger than both (broadcastTo)
    [[2, 0, 3], [3], [2, 0, 3]],
  ];

  it("every binary op broadcasts like NumPy on float32", () => {
    for (const [as, bs, os] of shapes) {
      const a = values(prod(as), 7).map((v) => Math.round(v * 2) / 2);
      const bv = values(prod(bs), 8).map((v) => Math.round(v * 2) / 2 + (bs.length ? 0 : 0.5));
      const pa = a.map((v) => Math.abs(v) + 0.5);
      for (const op of Object.keys(binRef) as BinaryOp[]) {
        const av = op === "pow" ? pa : a;
        const cmp = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"].includes(op);
        const out = b.alloc(cmp ? "bool" : "float32", prod(os));
        b.binary(op, up(av), as, up(bv), bs, out, os);
        expectClose(down(out), broadcastRef(binRef[op], av.map(f32), as, bv.map(f32), bs, os), 1e-5);
      }
    }
  });

  it("int32 arithmetic and comparisons broadcast, and integer division by zero gives 0", () => {
    const a = [7, -7, 5, 0, 2147483647, -2147483648];
    const bv = [2, 0, -3];
    const out = b.alloc("int32", 6);
    b.binary("div", up(a, "int32"), [2, 3], up(bv, "int32"), [3], out, [2, 3]);
    expect(down(out)).toEqual([3, 0, -1, 0, 0, 715827882]);
    b.binary("add", up(a, "int32"), [2, 3], up(bv, "int32"), [3], out, [2, 3]);
    expect(down(out)).toEqual([9, -7, 2, 2, 2147483647, 2147483645]); // int32 wraps as in NumPy
    const cmp = b.alloc("float32", 6);
    b.binary("greater_equal", up(a, "int32"), [2, 3], up(bv, "int32"), [3], cmp, [2, 3]);
    expect(down(cmp)).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it("binaryScalar applies the scalar on either side", () => {
    const a = values(13, 9);
    const out = b.alloc("float32", 13);
    b.binaryScalar("sub", up(a), 0.5, out);
    expectClose(down(out), a.map((v) => f32(v) - 0.5));
    b.binaryScalar("sub", up(a), 0.5, out, true);
    expectClose(down(out), a.map((v) => 0.5 - f32(v)));
    const m = b.alloc("bool", 13);
    b.binaryScalar("greater", up(a), 0, m);
    expect(down(m)).toEqual(a.map((v) => +(v > 0)));
  });

  it("where picks from a or b by a bool condition, for float32 and uint8", () => {
    const c = [1, 0, 1, 1, 0];
    const out = b.alloc("float32", 5);
    b.where(up(c, "bool"), up([1, 2, 3, 4, 5]), up([9, 8, 7, 6, 5]), out);
    expect(down(out)).toEqual([1, 8, 3, 4, 5]);
    const o8 = b.alloc("uint8", 5);
    b.where(up(c, "bool"), up([1, 2, 3, 4, 5], "uint8"), up([9, 8, 7, 6, 5], "uint8"), o8);
    expect(down(o8)).toEqual([1, 8, 3, 4, 5]);
  });
});

describe("matmul", () => {
  function ref(a: number[], bm: number[], m: number, n: number, k: number, ta: boolean, tb: boolean): number[] {
    const c = new Array<number>(m * n).fill(0);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? bm[j * k + p] : bm[p * n + j]);
        c[i * n + j] = s;
      }
    return c;
  }

  it("matches the triple loop for every transpose combination on odd shapes", () => {
    for (const [m, n, k] of [[1, 1, 1], [7, 13, 5], [129, 33, 257], [6, 16, 300]]) {
      const a = values(m * k, m), bm = values(k * n, n);
      for (const ta of [false, true])
        for (const tb of [false, true]) {
          const c = b.alloc("float32", m * n);
          b.matmul(up(a), up(bm), c, { m, n, k, transA: ta, transB: tb });
          expectClose(down(c), ref(a.map(f32), bm.map(f32), m, n, k, ta, tb), 1e-4);
        }
    }
  });

  it("applies alpha, beta, the bias and the activation, and runs batches with a broadcast matrix", () => {
    const [m, n, k] = [9, 11, 7];
    const a = values(3 * m * k, 1), bm = values(k * n, 2), bias = values(n, 3), c0 = values(3 * m * n, 4);
    const c = up(c0);
    b.matmul(up(a), up(bm), c, { m, n, k, batch: 3, strideB: 0, alpha: 0.5, beta: 2, bias: up(bias), activation: "relu" });
    const want: number[] = [];
    for (let bi = 0; bi < 3; bi++) {
      const r = ref(a.slice(bi * m * k, (bi + 1) * m * k).map(f32), bm.map(f32), m, n, k, false, false);
      r.forEach((v, idx) => want.push(Math.max(0, 0.5 * v + 2 * f32(c0[bi * m * n + idx]) + f32(bias[idx % n]))));
    }
    expectClose(down(c), want, 1e-4);
  });

  it("gives the same bits with 1 thread and with every core, and with the AVX2 or the AVX-512 GEMM (matmul, random, reductions, RMSprop)", () => {
    const script = `
      import { createRequire } from "node:module";
      const a = createRequire(process.cwd() + "/")("./build/Release/tsdl.node"), b = a.cpu;
      const m = 200, n = 300, k = 500, A = b.alloc("float32", m * k), B = b.alloc("float32", k * n), C = b.alloc("float32", m * n);
      b.randomUniform(A, 1, 0, -1, 1); b.randomUniform(B, 2, 0, -1, 1);
      b.matmul(A, B, C, { m, n, k });
      const out = new Float32Array(m * n); b.download(C, out);
      const r = b.alloc("float32", 1000); b.randomNormal(r, 7, 123, 0, 1); const rv = new Float32Array(1000); b.download(r, rv);
      const s = b.alloc("float32", 1); b.reduce("sum", C, [m * n], [0], s); const sv = new Float32Array(1); b.download(s, sv);
      const X = b.alloc("float32", 1000 * 600), col = b.alloc("float32", 600); b.randomNormal(X, 3, 0, 0, 1);
      b.reduce("sum", X, [1000, 600], [0], col); const cv = new Float32Array(600); b.download(col, cv);
      // Edge tiles (n = 40) with alpha and beta, over more than one k slice.
      const E = b.alloc("float32", 37 * 40); b.randomUniform(E, 4, 0, -1, 1);
      b.matmul(A, B, E, { m: 37, n: 40, k, alpha: 0.3, beta: 0.7 });
      const ev = new Float32Array(37 * 40); b.download(E, ev);
      // RMSprop over a tensor the pool splits at places that are not multiples of 8.
      const nw = 262147, W = b.alloc("float32", nw), G = b.alloc("float32", nw), V = b.alloc("float32", nw);
      b.randomUniform(W, 5, 0, -1, 1); b.randomUniform(G, 6, 0, -1, 1); b.randomUniform(V, 7, 0, 0, 1);
      b.rmspropUpdate([W], [G], [V], 0.001, 0.9, 1e-7);
      const wv = new Float32Array(nw); b.download(W, wv);
      let h = 0; for (const v of [...new Int32Array(out.buffer), ...new Int32Array(rv.buffer), ...new Int32Array(sv.buffer), ...new Int32Array(cv.buffer), ...new Int32Array(ev.buffer), ...new Int32Array(wv.buffer)]) h = (Math.imul(h, 31) + v) | 0;
      console.log(h);`;
    const run = (threads: string, isa?: string) =>
      spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: packageRoot(), encoding: "utf8", env: { ...process.env, TSDL_NUM_THREADS: threads, TSDL_CPU_ISA: isa },
      }).stdout.trim();
    const one = run("1");
    expect(one).toMatch(/^-?\d+$/);
    expect(run("2")).toBe(one);
    expect(run("3")).toBe(one);
    // Both SIMD micro-kernels sum each output in the same k order with the same FMAs.
    expect(run("2", "avx2")).toBe(one);
  });
});

describe("transpose, gather and one-hot", () => {
  it("transposes any permutation of a 3-D tensor and a 129×257 matrix, for every dtype", () => {
    const shape = [7, 13, 5];
    const x = values(prod(shape), 4);
    for (const perm of [[0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1], [2, 0, 1]]) {
      const os = perm.map((p) => shape[p]);
      const out = b.alloc("float32", x.length);
      b.transpose(up(x), shape, perm, out);
      const st = strides(shape);
      const want = Array.from({ length: x.length }, (_, i) => {
        const oi = unravel(i, os);
        return f32(x[oi.reduce((acc, v, d) => acc + v * st[perm[d]], 0)]);
      });
      expect(down(out)).toEqual(want);
    }
    const m = Array.from({ length: 129 * 257 }, (_, i) => i % 251);
    const t = b.alloc("uint8", m.length);
    b.transpose(up(m, "uint8"), [129, 257], [1, 0], t);
    const tv = down(t);
    expect(tv[5 * 129 + 3]).toBe(m[3 * 257 + 5]);
    expect(tv[256 * 129 + 128]).toBe(m[128 * 257 + 256]);
  });

  it("gathers rows of any dtype and builds one-hot rows", () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (const dt of ["float32", "int32", "uint8"] as const) {
      const out = b.alloc(dt, 9);
      b.gather(up(x, dt), 3, up([2, 0, 2], "int32"), out);
      expect(down(out)).toEqual([7, 8, 9, 1, 2, 3, 7, 8, 9]);
    }
    const oh = b.alloc("float32", 12);
    b.oneHot(up([3, 0, 1], "int32"), 4, oh);
    expect(down(oh)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0]);
  });
});

describe("reductions", () => {
  function reduceRef(op: string, x: number[], shape: number[], axes: number[]): number[] {
    const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = prod(keep);
    const init = op === "max" ? -Infinity : op === "min" ? Infinity : 0;
    const out = new Array<number>(n).fill(init);
    const ks = strides(keep);
    x.forEach((v, i) => {
      const idx = unravel(i, shape);
      const o = idx.reduce((acc, c, d) => acc + (axes.includes(d) ? 0 : c) * ks[d], 0);
      out[o] = op === "max" ? Math.max(out[o], v) : op === "min" ? Math.min(out[o], v) : out[o] + v;
    });
    const count = prod(axes.map((a) => shape[a]));
    return op === "mean" ? out.map((v) => v / count) : out;
  }

  it("sum, mean, max and min over every axis set of a 7×13×5 tensor", () => {
    const shape = [7, 13, 5];
    const x = values(prod(shape), 11);
    for (const axes of [[], [0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]])
      for (const op of ["sum", "mean", "max", "min"] as const) {
        const out = b.alloc("float32", prod(shape.filter((_, i) => !axes.includes(i))));
        b.reduce(op, up(x), shape, axes, out);
        expectClose(down(out), reduceRef(op, x.map(f32), shape, axes), 1e-5);
      }
  });

  it("reduces a bias gradient (axis 0 of 129×257) and a long vector", () => {
    const x = values(129 * 257, 12);
    const out = b.alloc("float32", 257);
    b.reduce("sum", up(x), [129, 257], [0], out);
    expectClose(down(out), reduceRef("sum", x.map(f32), [129, 257], [0]), 1e-5);
    const v = values(100003, 13);
    const s = b.alloc("float32", 1);
    b.reduce("mean", up(v), [100003], [0], s);
    expectClose(down(s), [v.map(f32).reduce((a, c) => a + c, 0) / 100003], 1e-4);
  });

  it("argmax and argmin along each axis, first index on ties", () => {
    const shape = [7, 13, 5];
    const x = values(prod(shape), 14).map((v) => Math.round(v * 4));
    for (let axis = 0; axis < 3; axis++)
      for (const op of ["argmax", "argmin"] as const) {
        const os = shape.filter((_, i) => i !== axis);
        const out = b.alloc("int32", prod(os));
        b.argReduce(op, up(x), shape, axis, out);
        const st = strides(shape);
        const want = Array.from({ length: prod(os) }, (_, o) => {
          const idx = unravel(o, os);
          idx.splice(axis, 0, 0);
          let best = 0, bv = NaN;
          for (let r = 0; r < shape[axis]; r++) {
            idx[axis] = r;
            const v = x[idx.reduce((acc, c, d) => acc + c * st[d], 0)];
            if (r === 0 || (op === "argmax" ? v > bv : v < bv)) { bv = v; best = r; }
          }
          return best;
        });
        expect(down(out)).toEqual(want);
      }
  });
});

describe("softmax and cross-entropy", () => {
  const rows = 13, cols = 10;
  const logits = values(rows * cols, 21).map((v) => v * 5);
  const labels = Array.from({ length: rows }, (_, r) => (r * 7) % cols);
  function softmaxRef(row: number[]): number[] {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, c) => a + c, 0);
    return e.map((v) => v / s);
  }
  const probs = Array.from({ length: rows }, (_, r) => softmaxRef(logits.slice(r * cols, (r + 1) * cols).map(f32)));

  it("softmax and log-softmax along rows", () => {
    const out = b.alloc("float32", rows * cols);
    b.softmax(up(logits), out, rows, cols, false);
    expectClose(down(out), probs.flat(), 1e-5);
    b.softmax(up(logits), out, rows, cols, true);
    expectClose(down(out), probs.flat().map(Math.log), 1e-5);
    const huge = up([1000, 1000, -1000]);
    const h = b.alloc("float32", 3);
    b.softmax(huge, h, 1, 3, false);
    expectClose(down(h), [0.5, 0.5, 0]);
  });

  it("fused cross-entropy gives the loss and the gradient for integer and one-hot labels", () => {
    const loss = b.alloc("float32", rows), grad = b.alloc("float32", rows * cols);
    const wantLoss = labels.map((y, r) => -Math.log(probs[r][y]));
    const wantGrad = probs.flatMap((p, r) => p.map((v, j) => (v - +(j === labels[r])) / rows));
    b.softmaxCrossEntropy(up(logits), up(labels, "int32"), "sparse", rows, cols, loss, grad, 1 / rows);
    expectClose(down(loss), wantLoss, 1e-5);
    expectClose(down(grad), wantGrad, 1e-5);
    const onehot = labels.flatMap((y) => Array.from({ length: cols }, (_, j) => +(j === y)));
    b.softmaxCrossEntropy(up(logits), up(onehot), "onehot", rows, cols, loss, null, 1);
    expectClose(down(loss), wantLoss, 1e-5);
    b.softmaxCrossEntropy(up(logits), up(onehot), "onehot", rows, cols, loss, grad, 1 / rows);
    expectClose(down(grad), wantGrad, 1e-5);
  });
});

describe("random", () => {
  it("uniform, normal and truncated normal have the right range and moments, and depend only on seed and offset", () => {
    const n = 40001;
    const u = b.alloc("float32", n);
    b.randomUniform(u, 42, 0, -3, 5);
    const uv = down(u);
    expect(Math.min(...uv)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...uv)).toBeLessThan(5);
    expect(Math.abs(uv.reduce((a, c) => a + c, 0) / n - 1)).toBeLessThan(0.05);
    // The same elements drawn from an offset are the same numbers.
    const tail = b.alloc("float32", 17);
    b.randomUniform(tail, 42, 1001, -3, 5);
    expect(down(tail)).toEqual(uv.slice(1001, 1018));
    const g = b.alloc("float32", n);
    b.randomNormal(g, 7, 0, 2, 3);
    const gv = down(g);
    const mean = gv.reduce((a, c) => a + c, 0) / n;
    const sd = Math.sqrt(gv.reduce((a, c) => a + (c - mean) ** 2, 0) / n);
    expect(Math.abs(mean - 2)).toBeLessThan(0.06);
    expect(Math.abs(sd - 3)).toBeLessThan(0.06);
    const part = b.alloc("float32", 5);
    b.randomNormal(part, 7, 333, 2, 3);
    expect(down(part)).toEqual(gv.slice(333, 338));
    const t = b.alloc("float32", n);
    b.randomTruncatedNormal(t, 9, 0, 0, 0.5);
    const tv = down(t);
    expect(Math.max(...tv.map(Math.abs))).toBeLessThanOrEqual(1.0000001);
    const tsd = Math.sqrt(tv.reduce((a, c) => a + c * c, 0) / n);
    expect(Math.abs(tsd - 0.5 * 0.8796)).toBeLessThan(0.02); // sd of N(0,1) truncated at ±2
    const other = b.alloc("float32", 5);
    b.randomNormal(other, 8, 333, 2, 3);
    expect(down(other)).not.toEqual(gv.slice(333, 338));
  });
});

describe("optimizers", () => {
  const n = 1031;
  const w0 = values(n, 31), g = values(n, 32), s0 = values(n, 33).map(Math.abs);
  function run(fn: (w: NativeBuffer, gb: NativeBuffer, s1: NativeBuffer, s2: NativeBuffer) => void) {
    const w = up(w0), gb = up(g), s1 = up(s0), s2 = up(s0.map((v) => v * 0.5));
    fn(w, gb, s1, s2);
    return { w: down(w), s1: down(s1), s2: down(s2) };
  }
  const W = w0.map(f32), G = g.map(f32), S = s0.map(f32), S2 = s0.map((v) => f32(v * 0.5));

  it("SGD plain, with momentum and with Nesterov", () => {
    let r = run((w, gb) => b.sgdUpdate([w], [gb], null, 0.1, 0, false));
    expectClose(r.w, W.map((w, i) => w - 0.1 * G[i]));
    r = run((w, gb, v) => b.sgdUpdate([w], [gb], [v], 0.1, 0.9, false));
    const vel = S.map((v, i) => 0.9 * v - 0.1 * G[i]);
    expectClose(r.s1, vel);
    expectClose(r.w, W.map((w, i) => w + vel[i]));
    r = run((w, gb, v) => b.sgdUpdate([w], [gb], [v], 0.1, 0.9, true));
    expectClose(r.w, W.map((w, i) => w + 0.9 * vel[i] - 0.1 * G[i]));
  });

  it("RMSprop with epsilon inside the square root, over several tensors in one call", () => {
    const w2 = up([1, 2]), g2 = up([0.5, -0.5]), v2 = up([0, 0]);
    const r = run((w, gb, v) => b.rmspropUpdate([w, w2], [gb, g2], [v, v2], 0.001, 0.9, 1e-7));
    const v = S.map((s, i) => 0.9 * s + 0.1 * G[i] * G[i]);
    expectClose(r.s1, v);
    expectClose(r.w, W.map((w, i) => w - (0.001 * G[i]) / Math.sqrt(v[i] + 1e-7)));
    expectClose(down(w2), [1 - 0.001 * 0.5 / Math.sqrt(0.025 + 1e-7), 2 + 0.001 * 0.5 / Math.sqrt(0.025 + 1e-7)]);
  });

  it("Adam and AdamW with bias correction at step 3", () => {
    for (const wd of [0, 0.01]) {
      const r = run((w, gb, m, v) => b.adamUpdate([w], [gb], [m], [v], 0.001, 0.9, 0.999, 1e-7, 3, wd));
      const alpha = (0.001 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3);
      const m = S.map((s, i) => s + (G[i] - s) * 0.1);
      const v = S2.map((s, i) => s + (G[i] * G[i] - s) * 0.001);
      expectClose(r.s1, m);
      expectClose(r.s2, v);
      expectClose(r.w, W.map((w, i) => w * (1 - wd * 0.001) - (alpha * m[i]) / (Math.sqrt(v[i]) + 1e-7)), 1e-5);
    }
  });

  it("Adagrad accumulates squared gradients", () => {
    const r = run((w, gb, acc) => b.adagradUpdate([w], [gb], [acc], 0.01, 1e-7));
    const acc = S.map((s, i) => s + G[i] * G[i]);
    expectClose(r.s1, acc);
    expectClose(r.w, W.map((w, i) => w - (0.01 * G[i]) / Math.sqrt(acc[i] + 1e-7)));
  });
});
