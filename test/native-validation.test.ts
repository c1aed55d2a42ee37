// Nothing a user types can crash the process: every entry point checks its arguments and
// throws an error that names the kernel, the argument and what is allowed.
import { describe, expect, it } from "vitest";
import { getBackend } from "../runtime/backend/index.js";
import type { NativeBuffer } from "../runtime/backend/backend.js";

const b = getBackend();
const f = (n: number) => b.alloc("float32", n);
const i32 = (data: number[]) => {
  const x = b.alloc("int32", data.length);
  b.upload(x, new Int32Array(data));
  return x;
};
// Calls with wrong types on purpose, as plain JavaScript in a notebook could.
const any = b as unknown as Record<string, (...args: unknown[]) => unknown>;

describe("native argument validation", () => {
  it("alloc rejects unknown dtypes, negative and fractional sizes", () => {
    expect(() => any.alloc("float64", 3)).toThrow(/alloc: unknown dtype 'float64'; allowed: float32, int32, uint8, bool/);
    expect(() => b.alloc("float32", -1)).toThrow(/alloc: size must be in \[0, /);
    expect(() => b.alloc("float32", 1.5)).toThrow(/alloc: size must be an integer, received 1.5/);
    expect(() => b.alloc("float32", 2 ** 50)).toThrow(/alloc: size must be in/);
  });

  it("a NativeBuffer cannot be built from JS or faked with a plain object", () => {
    const ctor = (f(1) as object).constructor as new (...a: unknown[]) => unknown;
    expect(() => new ctor()).toThrow(/NativeBuffer cannot be constructed directly/);
    const fake = { dtype: "float32", size: 4, device: "cpu", released: false } as unknown as NativeBuffer;
    expect(() => b.fill(fake, 1)).toThrow(/fill: buf must be a NativeBuffer .*received an object/);
    expect(() => any.unary("relu", 3, f(1))).toThrow(/unary: x must be a NativeBuffer .*received 3/);
  });

  it("upload and download check the typed array and the bounds", () => {
    const x = f(4);
    expect(() => b.upload(x, new Int32Array(4))).toThrow(/upload: src must be a Float32Array for a float32 buffer/);
    expect(() => b.upload(x, new Float32Array(5))).toThrow(/upload: cannot copy 5 elements at offset 0 into a buffer of 4/);
    expect(() => b.download(x, new Float32Array(2), 3)).toThrow(/download: cannot read 2 elements at offset 3/);
    expect(() => b.upload(x, new Float32Array(1), -1)).toThrow(/upload: offset must be in/);
    expect(() => b.copy(x, 0, i32([1, 2, 3, 4]), 0, 4)).toThrow(/copy: src is float32 but dst is int32/);
    expect(() => b.copy(x, 2, f(4), 0, 3)).toThrow(/copy: src has 4 elements; cannot read 3 from offset 2/);
    expect(() => b.fill(x, 0, 2, 3)).toThrow(/fill: cannot fill 3 elements at offset 2/);
    expect(() => b.fill(x, Number.NaN as number)).toThrow(/fill: value must be a number, received NaN/);
  });

  it("element-wise kernels check dtypes, sizes, shapes and op names", () => {
    expect(() => b.unary("relu", f(3), f(4))).toThrow(/unary: out has 4 elements but the result of x needs 3/);
    expect(() => b.unary("relu", i32([1]), f(1))).toThrow(/unary: x must be float32, received int32/);
    expect(() => any.unary("relu6x", f(1), f(1))).toThrow(/unknown unary op 'relu6x'; allowed: neg, abs/);
    expect(() => b.binary("add", f(6), [2, 3], f(2), [2], f(6), [2, 3])).toThrow(
      /binary: shapes \[2, 3\] and \[2\] do not broadcast \(3 vs 2 at axis 1\)/,
    );
    expect(() => b.binary("add", f(6), [2, 3], f(3), [3], f(6), [3, 2])).toThrow(/binary: outShape \[3, 2\] is not a broadcast/);
    expect(() => b.binary("add", f(5), [2, 3], f(3), [3], f(6), [2, 3])).toThrow(/binary: a has 5 elements but aShape \[2, 3\] needs 6/);
    expect(() => b.binary("add", f(3), [3], i32([1, 2, 3]), [3], f(3), [3])).toThrow(/binary: a is float32 but b is int32/);
    expect(() => b.binary("less", f(3), [3], f(3), [3], i32([0, 0, 0]), [3])).toThrow(/binary: out of a comparison must be bool or float32/);
    expect(() => b.binary("add", f(1), [1, 1, 1, 1, 1, 1, 1, 1, 1], f(1), [1], f(1), [1])).toThrow(/at most 8 are supported/);
    expect(() => b.binary("add", f(3), [-3], f(3), [3], f(3), [3])).toThrow(/aShape\[0\] must be in/);
    expect(() => b.where(f(3), f(3), f(3), f(3))).toThrow(/where: cond must be bool or uint8, received float32/);
  });

  it("matmul checks its options against the buffers", () => {
    expect(() => b.matmul(f(6), f(6), f(4), { m: 2, n: 2, k: 3 })).not.toThrow();
    expect(() => b.matmul(f(5), f(6), f(4), { m: 2, n: 2, k: 3 })).toThrow(/matmul: a has 5 elements but m×k = 2×3 = 6 needs 6/);
    expect(() => b.matmul(f(6), f(6), f(4), { m: 2, n: 2, k: 3, transB: true, batch: 2 })).toThrow(/matmul: a has 6 elements .* batch 2/);
    expect(() => any.matmul(f(6), f(6), f(4), { m: 2, k: 3 })).toThrow(/matmul: opts.n is required/);
    expect(() => b.matmul(f(6), f(6), f(4), { m: 2, n: 2, k: 3, bias: f(3) })).toThrow(/matmul: opts.bias has 3 elements but a bias over n columns needs 2/);
    expect(() => any.matmul(f(6), f(6), f(4), { m: 2, n: 2, k: 3, activation: "softmax" })).toThrow(/unknown opts.activation 'softmax'/);
    const a = f(6);
    expect(() => b.matmul(a, f(6), a, { m: 2, n: 2, k: 3 })).toThrow(/c must be a different buffer/);
    expect(() => b.matmul(f(12), f(12), f(8), { m: 2, n: 2, k: 3, batch: 2, strideC: 1 })).toThrow(/strideC 1 would make/);
    expect(() => any.matmul(f(6), f(6), f(4))).toThrow(/matmul: opts must be an object/);
  });

  it("a getter that releases a buffer while the arguments are read cannot crash the process", () => {
    const a = f(6);
    const opts = { get m() { b.release(a); return 2; }, n: 2, k: 3 };
    expect(() => b.matmul(a, f(6), f(4), opts)).toThrow(/matmul: a buffer argument was released while the arguments were being read/);
    const p = [f(3)];
    const v = [f(3)];
    Object.defineProperty(v, 0, { get: () => { b.release(p[0]); return f(3); } });
    expect(() => b.rmspropUpdate(p, [f(3)], v, 0.1, 0.9, 1e-7)).toThrow(/rmspropUpdate: a buffer argument was released/);
  });

  it("uploads from a typed array over a SharedArrayBuffer", () => {
    const src = new Float32Array(new SharedArrayBuffer(12));
    src[2] = 7;
    const x = f(3);
    b.upload(x, src);
    const out = new Float32Array(3);
    b.download(x, out);
    expect(Array.from(out)).toEqual([0, 0, 7]);
  });

  it("reductions, softmax, losses, indexing and optimizers reject bad input", () => {
    expect(() => b.reduce("sum", f(6), [2, 3], [1, 0], f(1))).toThrow(/reduce: axes must be sorted and unique/);
    expect(() => b.reduce("sum", f(6), [2, 3], [2], f(2))).toThrow(/reduce: axes\[0\] must be in \[0, 1\]/);
    expect(() => b.reduce("max", f(0), [2, 0], [1], f(2))).toThrow(/max over an empty axis/);
    expect(() => b.argReduce("argmax", f(6), [2, 3], 1, f(2))).toThrow(/argReduce: out must be int32/);
    expect(() => b.softmax(f(6), f(6), 2, 4, false)).toThrow(/softmax: x has 6 elements but rows×cols needs 8/);
    expect(() => b.softmaxCrossEntropy(f(6), i32([0, 3]), "sparse", 2, 3, f(2), null, 1)).toThrow(
      /softmaxCrossEntropy: label 3 at row 1 is outside \[0, 3\)/,
    );
    expect(() => b.softmaxCrossEntropy(f(6), f(2), "sparse", 2, 3, f(2), null, 1)).toThrow(/labels must be int32/);
    expect(() => any.softmaxCrossEntropy(f(6), f(6), "dense", 2, 3, f(2), null, 1)).toThrow(/unknown kind 'dense'/);
    expect(() => b.gather(f(6), 3, i32([0, 2]), f(6))).toThrow(/gather: index 2 at position 1 is outside \[0, 2\)/);
    expect(() => b.gather(f(7), 3, i32([0]), f(3))).toThrow(/not a whole number of rows of 3/);
    expect(() => b.oneHot(i32([0, -1]), 3, f(6))).toThrow(/oneHot: index -1 at position 1 is outside \[0, 3\)/);
    expect(() => b.transpose(f(6), [2, 3], [0, 0], f(6))).toThrow(/transpose: perm repeats axis 0/);
    expect(() => b.sgdUpdate([f(3)], [f(4)], null, 0.1, 0, false)).toThrow(/sgdUpdate: grads\[0\] has 4 elements but params\[0\] has 3/);
    expect(() => b.sgdUpdate([f(3)], [f(3)], null, 0.1, 0.9, false)).toThrow(/needs velocities/);
    expect(() => b.rmspropUpdate([f(3)], [], [f(3)], 0.1, 0.9, 1e-7)).toThrow(/rmspropUpdate: grads has 0 buffers but params has 1/);
    expect(() => b.adamUpdate([f(3)], [f(3)], [f(3)], [f(3)], 0.1, 0.9, 0.999, 1e-7, 0, 0)).toThrow(/adamUpdate: step must be in \[1, /);
    expect(() => b.randomUniform(f(3), -1, 0, 0, 1)).toThrow(/randomUniform: seed must be in \[0, /);
    expect(() => b.randomNormal(f(3), 1, 0, 0, -1)).toThrow(/randomNormal: std must be >= 0/);
  });
});
