/**
 * User code that faults — a throw of a value that is not an Error, a promise rejected with one,
 * infinite recursion, an allocation larger than the machine's memory, a bad argument that
 * reaches the native library — ends its cell with an error reply a user can act on (ename and
 * evalue in the reply and in the error output, the cell's line where there is one), and the
 * kernel stays: it answers the next cell, with the variables and tensors of earlier cells.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { totalmem } from "node:os";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  const r = await k.execute("let kept = 41 + 1;\nconst w = tensor([1, 2, 3]);");
  expect(r.errors).toEqual([]);
});
afterAll(async () => {
  await k?.stop();
});

/** Runs `code`, which must fail: the reply and the error output agree; returns the error. */
async function fault(code: string) {
  const r = await k.execute(code);
  expect(r.reply.content.status, `${code} should fail`).toBe("error");
  expect(r.errors).toHaveLength(1);
  const [e] = r.errors;
  expect(r.reply.content).toMatchObject({ ename: e.ename, evalue: e.evalue });
  return { ...e, text: e.traceback.join("\n").replace(/\x1b\[[0-9;]*m/g, "") };
}

/** The kernel is still there: it answers a cell, and an earlier cell's variable and tensor are intact. */
async function stillAlive(): Promise<void> {
  const r = await k.execute("[kept, w.sum().item()]");
  expect(r.errors).toEqual([]);
  expect(r.results[0]?.["text/plain"]).toBe("[ 42, 6 ]");
  expect(k.proc.exitCode).toBeNull();
}

describe("a thrown value that is not an Error", () => {
  // As Node's REPL prints it: "Uncaught 42".
  test.each([
    ["throw 42", "42"],
    ["throw null", "null"],
    ["throw undefined", "undefined"],
    ['throw "no file"', "'no file'"],
    ["throw { a: 1 }", "{ a: 1 }"],
  ])("%s is an error reply Uncaught with the value as evalue", async (code, evalue) => {
    const e = await fault(code);
    expect(e).toMatchObject({ ename: "Uncaught", evalue });
    expect(e.text).toBe(`Uncaught ${evalue}`);
    await stillAlive();
  });
});

describe("a promise rejected with a value that is not an Error", () => {
  test.each([
    ["await Promise.reject(42)", "42"],
    ["async function load(): Promise<string> {\n  throw { code: 'ENOENT' };\n}\nawait load()", "{ code: 'ENOENT' }"],
    // The final expression's promise is awaited, as Node's REPL does.
    ["Promise.reject(null)", "null"],
  ])("%s is an error reply", async (code, evalue) => {
    expect(await fault(code)).toMatchObject({ ename: "Uncaught", evalue });
    await stillAlive();
  });
});

describe("infinite recursion", () => {
  test("is a RangeError at the cell's line, and the stack is usable again in the next cell", async () => {
    const e = await fault("function f(): number {\n  return f();\n}\nf()");
    expect(e).toMatchObject({ ename: "RangeError", evalue: "Maximum call stack size exceeded" });
    expect(e.text).toContain("----> 2 |   return f();");
    await stillAlive();
    const deep = await k.execute("function depth(n: number): number { return n === 0 ? 0 : 1 + depth(n - 1); }\ndepth(5000)");
    expect(deep.results[0]?.["text/plain"]).toBe("5000");
  });

  test("through an arrow function and a method is the same error", async () => {
    expect(await fault("const g = (n: number): number => g(n + 1) + 1;\ng(0)")).toMatchObject({ ename: "RangeError", evalue: "Maximum call stack size exceeded" });
    expect(await fault("class Node { get depth(): number { return this.depth + 1; } }\nnew Node().depth")).toMatchObject({ ename: "RangeError" });
    await stillAlive();
  });
});

describe("an allocation larger than memory", () => {
  test("JavaScript's own arrays and buffers: V8's RangeError", async () => {
    expect(await fault("new Float32Array(2 ** 40)")).toMatchObject({ ename: "RangeError", evalue: "Invalid typed array length: 1099511627776" });
    expect(await fault("new ArrayBuffer(2 ** 45)")).toMatchObject({ ename: "RangeError", evalue: "Array buffer allocation failed" });
    await stillAlive();
  });

  test("a tensor: the function, the shape and the bytes are named", async () => {
    const e = await fault("const huge = zeros([1e6, 1e6]);");
    expect(e.ename).toBe("RangeError");
    expect(e.evalue).toMatch(/^zeros: not enough memory for a float32 tensor of shape \[1000000, 1000000\] \(4000000000000 bytes\) on (cpu|cuda)$/);
    expect(e.text).toContain("----> 1 | const huge = zeros([1e6, 1e6]);");
    expect((await fault("randomNormal([1e6, 1e6], { seed: 1 })")).evalue).toMatch(/^randomNormal: not enough memory for a float32 tensor of shape \[1000000, 1000000\]/);
    expect((await fault("ones([2 ** 20, 2 ** 20, 2 ** 20])")).evalue).toBe(
      "ones: shape [1048576, 1048576, 1048576] has 1152921504606847000 elements; a tensor holds at most 2^40 (1099511627776)",
    );
    await stillAlive();
  });

  test("an op whose result does not fit names the result's shape", async () => {
    const e = await fault("matmul(ones([1e6, 1]), ones([1, 1e6]))");
    expect(e.ename).toBe("RangeError");
    expect(e.evalue).toMatch(/^not enough memory for a float32 tensor of shape \[1000000, 1000000\] \(4000000000000 bytes\) on (cpu|cuda)$/);
    expect(e.text).toContain("at matmul");
    await stillAlive();
  });

  test("a CPU tensor just larger than the machine's memory is refused, whatever the overcommit policy", async () => {
    // With vm.overcommit_memory=1 (or much swap) the allocation itself would succeed and filling
    // it would end the kernel through the OOM killer: the CPU backend refuses it first.
    const elements = Math.ceil(totalmem() / 4) + 1;
    const r = await k.execute("backendInfo().name");
    const e = await fault(`setBackend("cpu");\nconst tooBig = zeros([${elements}]);`);
    expect(e.evalue).toBe(`zeros: not enough memory for a float32 tensor of shape [${elements}] (${elements * 4} bytes) on cpu`);
    await k.execute(`setBackend(${r.results[0]?.["text/plain"]})`);
    await stillAlive();
  });
});

describe("a bad argument that reaches the native library", () => {
  test("a tensor built on something that is not a native buffer: the kernel's argument check, as a TypeError", async () => {
    const e = await fault("new Tensor({} as any, [2], 'float32').add(1)");
    expect(e).toMatchObject({ ename: "TypeError", evalue: "binaryScalar: a must be a NativeBuffer (from backend.alloc), received an object" });
    expect(e.text).toContain("----> 1 | new Tensor({} as any, [2], 'float32').add(1)");
    await stillAlive();
  });

  test("a tensor whose shape claims more elements than its buffer holds is refused, not read past the end", async () => {
    expect(await fault("new Tensor(zeros([2]).buffer, [1000, 1000], 'float32').toArray()")).toMatchObject({
      ename: "RangeError",
      evalue: "download: cannot read 1000000 elements at offset 0 from a buffer of 2",
    });
    expect((await fault("matmul(new Tensor(zeros([4]).buffer, [300, 300]), ones([300, 300]))")).evalue).toMatch(/^matmul: a has 4 elements but m×k = 300×300/);
    await stillAlive();
  });

  test("a shape mismatch is the runtime's error naming both shapes", async () => {
    expect(await fault("matmul(zeros([2, 3]), zeros([4, 5]))")).toMatchObject({
      ename: "Error",
      evalue: "matmul: shapes [2, 3] and [4, 5] do not line up (3 ≠ 4)",
    });
    await stillAlive();
  });
});
