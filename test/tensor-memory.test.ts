import { describe, expect, test } from "vitest";
import { tensor, zeros, ones, variable, randomNormal, dense, softmaxCrossEntropy, Tensor } from "../runtime/index.js";
import { withScope, keep, scopeDepth, resetScopes } from "../runtime/tensor/engine.js";
import { gradients } from "../runtime/autograd/grad.js";
import { activeTape } from "../runtime/autograd/tape.js";
import { loadNative } from "../runtime/backend/native.js";

const liveBytes = () => loadNative().liveBytes();

describe("memory is managed for the user", () => {
  test("a scope releases what it created except what it returns", () => {
    let inner: Tensor | null = null;
    const out = withScope(() => {
      inner = ones([100]).mul(2);
      return inner.add(1);
    });
    expect(inner!.released).toBe(true);
    expect(out.released).toBe(false);
    expect(out.sum().item()).toBe(300);
  });

  test("using a released tensor throws a clear error instead of crashing", () => {
    let leaked: Tensor | null = null;
    withScope(() => {
      leaked = zeros([2, 2]).add(1);
    });
    expect(() => leaked!.add(1)).toThrow(/^tensor was released: this \[2, 2\] float32 tensor was an intermediate/);
    expect(() => leaked!.data()).toThrow(/tensor was released/);
    expect(String(leaked)).toBe("tensor(<released>, shape=[2, 2], dtype=float32)");
  });

  test("variables, kept tensors and tensors from outside survive the scope", () => {
    const outside = tensor([1, 2]);
    let v = null as unknown as ReturnType<typeof variable>;
    let kept: Tensor | null = null;
    withScope(() => {
      v = variable(outside.mul(2));
      kept = keep(zeros([3]));
      outside.add(1);
    });
    expect(v.toArray()).toEqual([2, 4]);
    expect(kept!.toArray()).toEqual([0, 0, 0]);
    expect(outside.toArray()).toEqual([1, 2]);
  });

  test("a returned reshape keeps the memory it views; a dropped view of an outer tensor leaves it alone", () => {
    const outer = tensor([[1, 2], [3, 4]]);
    const flat = withScope(() => {
      outer.reshape(4);
      return outer.mul(10).reshape(-1);
    });
    expect(flat.toArray()).toEqual([10, 20, 30, 40]);
    expect(outer.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test("returned arrays and objects of tensors are kept, and scopes nest", () => {
    const { a, list } = withScope(() => {
      const a = withScope(() => ones([2]));
      return { a, list: [a.add(1), a.add(2)] };
    });
    expect(a.toArray()).toEqual([1, 1]);
    expect(list.map((t) => t.toArray())).toEqual([[2, 2], [3, 3]]);
    expect(scopeDepth()).toBe(0);
  });

  test("an error inside a scope releases its tensors and closes it", () => {
    let made: Tensor | null = null;
    expect(() =>
      withScope(() => {
        made = ones([4]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(made!.released).toBe(true);
    expect(scopeDepth()).toBe(0);
  });

  test("a training step in a scope leaves native memory flat over many steps", () => {
    const x = randomNormal([64, 32]);
    const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10));
    const w1 = variable(randomNormal([32, 64], { stddev: 0.1 }));
    const b1 = variable(zeros([64]));
    const w2 = variable(randomNormal([64, 10], { stddev: 0.1 }));
    const b2 = variable(zeros([10]));
    const step = () =>
      withScope(() => {
        const { value, grads } = gradients(
          () => softmaxCrossEntropy(dense(dense(x, w1, b1, "relu"), w2, b2, "linear"), y, { sparse: true }),
          [w1, b1, w2, b2],
        );
        [w1, b1, w2, b2].forEach((v, i) => v.assign(v.sub(grads[i].mul(0.1))));
        return value.item();
      });
    step();
    const before = liveBytes();
    let first = 0;
    let last = 0;
    for (let i = 0; i < 50; i++) {
      const l = step();
      if (i === 0) first = l;
      last = l;
    }
    expect(liveBytes()).toBe(before);
    expect(last).toBeLessThan(first);
  });

  test("a step terminated by a Stop leaves its scope open until resetScopes, which the kernel calls as a cell starts", async () => {
    // vm's timeout terminates execution as the kernel's Stop does (breakOnSigint): no finally runs.
    const vm = await import("node:vm");
    const ctx = vm.createContext({ withScope, ones, spin: () => { for (;;); } });
    expect(() => vm.runInContext("withScope(() => { ones([2]); spin(); })", ctx, { timeout: 50 })).toThrow(/timed out/);
    expect(scopeDepth()).toBe(1);
    resetScopes();
    expect(scopeDepth()).toBe(0);
    const kept = withScope(() => ones([1]).add(1));
    expect(kept.toArray()).toEqual([2]);
    expect(scopeDepth()).toBe(0);
  });

  test("a Stop inside a gradient computation stops recording once resetScopes runs", async () => {
    const vm = await import("node:vm");
    const w = variable(ones([2]));
    const ctx = vm.createContext({ gradients, w, spin: () => { for (;;); } });
    expect(() => vm.runInContext("gradients(() => { const y = w.mul(2).sum(); spin(); return y; }, [w])", ctx, { timeout: 50 })).toThrow(/timed out/);
    expect(activeTape()).not.toBeNull();
    resetScopes();
    expect(activeTape()).toBeNull();
    expect(w.mul(3)._tape).toBeNull();
    expect(gradients(() => w.square().sum(), [w]).grads[0].toArray()).toEqual([2, 2]);
  });

  test("a synchronous loop that drops its tensors without any scope stays within bounded memory", () => {
    // 1000 steps × two 1 MiB tensors = 2 GiB made in one synchronous run, as a long notebook cell does;
    // the garbage collector must free them during the loop, not after it.
    const before = liveBytes();
    let peak = 0;
    let t: Tensor | null = null;
    for (let i = 0; i < 1000; i++) {
      t = ones([256 * 1024]).mul(2);
      peak = Math.max(peak, liveBytes() - before);
    }
    expect(t!.get(0).item()).toBe(2);
    expect(peak).toBeLessThan(512 * 2 ** 20);
  });

  test("withScope refuses an async function", () => {
    expect(() => withScope((async () => ones([1])) as never)).toThrow(/returned a Promise; scopes only wrap synchronous work/);
    expect(scopeDepth()).toBe(0);
  });
});
