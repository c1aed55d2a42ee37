// Native buffers through the real addon: storage per dtype, copies, release, the finalizer and
// the external-memory report the garbage collector relies on.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { getBackend, backendInfo, availableBackends, setBackend } from "../runtime/backend/index.js";
import { loadNative, packageRoot } from "../runtime/backend/native.js";

const b = getBackend();

describe("native buffers", () => {
  it("stores and returns float32, int32, uint8 and bool data", () => {
    const cases = [
      ["float32", new Float32Array([1.5, -2, 3e-8, 4])],
      ["int32", new Int32Array([1, -2, 2147483647, -2147483648])],
      ["uint8", new Uint8Array([0, 1, 128, 255])],
      ["bool", new Uint8Array([0, 1, 1, 0])],
    ] as const;
    for (const [dtype, data] of cases) {
      const buf = b.alloc(dtype, data.length);
      expect(buf.dtype).toBe(dtype);
      expect(buf.size).toBe(4);
      expect(buf.device).toBe("cpu");
      expect(buf.released).toBe(false);
      b.upload(buf, data);
      const back = new (data.constructor as { new (n: number): typeof data })(4);
      b.download(buf, back);
      expect(Array.from(back)).toEqual(Array.from(data));
    }
  });

  it("uploads and downloads at an offset, and copies between buffers", () => {
    const x = b.alloc("float32", 7);
    b.fill(x, 0);
    b.upload(x, new Float32Array([1, 2, 3]), 2);
    const y = b.alloc("float32", 5);
    b.fill(y, 9);
    b.copy(x, 1, y, 2, 3);
    const out = new Float32Array(5);
    b.download(y, out);
    expect(Array.from(out)).toEqual([9, 9, 0, 1, 2]);
    const part = new Float32Array(2);
    b.download(x, part, 3);
    expect(Array.from(part)).toEqual([2, 3]);
  });

  it("fills a range and casts between every pair of dtypes", () => {
    const x = b.alloc("float32", 6);
    b.upload(x, new Float32Array([-2.7, -0.5, 0, 0.5, 2.7, 300.2]));
    const i = b.alloc("int32", 6);
    b.cast(x, i);
    const iv = new Int32Array(6);
    b.download(i, iv);
    expect(Array.from(iv)).toEqual([-2, 0, 0, 0, 2, 300]);
    const bo = b.alloc("bool", 6);
    b.cast(x, bo);
    const bv = new Uint8Array(6);
    b.download(bo, bv);
    expect(Array.from(bv)).toEqual([1, 1, 0, 1, 1, 1]);
    const u = b.alloc("uint8", 6);
    b.cast(i, u);
    const uv = new Uint8Array(6);
    b.download(u, uv);
    expect(Array.from(uv)).toEqual([254, 0, 0, 0, 2, 44]);
    const f = b.alloc("float32", 6);
    b.cast(u, f);
    b.fill(f, 7, 1, 2);
    const fv = new Float32Array(6);
    b.download(f, fv);
    expect(Array.from(fv)).toEqual([254, 7, 7, 0, 2, 44]);
  });

  it("a released buffer reports released and throws when used", () => {
    const x = b.alloc("float32", 4);
    b.release(x);
    b.release(x); // idempotent
    expect(x.released).toBe(true);
    expect(() => b.fill(x, 1)).toThrow(/fill: buf was released/);
    expect(() => b.unary("relu", x, b.alloc("float32", 4))).toThrow(/unary: x was released/);
  });

  it("release frees the memory at once and V8 is told about every byte", () => {
    const native = loadNative();
    const liveBefore = native.liveBytes();
    const extBefore = native.externalMemory();
    const x = b.alloc("float32", 1 << 20);
    expect(native.liveBytes() - liveBefore).toBe(4 << 20);
    expect(native.externalMemory() - extBefore).toBe(4 << 20);
    b.release(x);
    expect(native.liveBytes()).toBe(liveBefore);
    expect(native.externalMemory()).toBe(extBefore);
  });

  it("the garbage collector frees unreachable buffers through their finalizer", () => {
    // A child process with --expose-gc: allocate 64 MiB in buffers, drop them, collect, and
    // let the event loop run the (deferred) N-API finalizers.
    const script = `
      import { createRequire } from "node:module";
      const a = createRequire(process.cwd() + "/")("./build/Release/tsdl.node");
      const base = a.liveBytes(), ext = a.externalMemory();
      for (let i = 0; i < 64; i++) a.cpu.alloc("float32", 1 << 18);
      const held = a.liveBytes() - base;
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 50));
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 50));
      console.log(JSON.stringify({ held, after: a.liveBytes() - base, ext: a.externalMemory() - ext }));`;
    const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
      cwd: packageRoot(),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    const res = JSON.parse(r.stdout.trim()) as { held: number; after: number; ext: number };
    expect(res.held).toBe(64 << 20);
    expect(res.after).toBe(0);
    expect(res.ext).toBeLessThanOrEqual(0);
  });

  it("a synchronous loop that drops its buffers stays within bounded memory (no explicit gc)", () => {
    const native = loadNative();
    const base = native.liveBytes();
    let peak = 0;
    // 2 GiB in total, 4 MiB at a time, never yielding to the event loop (as a notebook cell's
    // loop would): external-memory pressure must trigger collections that free them on the way.
    for (let i = 0; i < 512; i++) {
      b.alloc("float32", 1 << 20);
      peak = Math.max(peak, native.liveBytes() - base);
    }
    expect(peak).toBeLessThan(512 << 20);
  });
});

describe("backend selection", () => {
  it("the CPU backend is always available and describes itself", () => {
    expect(availableBackends()).toContain("cpu");
    const info = backendInfo();
    expect(info.name).toBe(b.name);
    expect(info.cpuThreads).toBeGreaterThanOrEqual(1);
    setBackend("cpu");
    expect(getBackend().name).toBe("cpu");
    expect(getBackend().description).toMatch(/^cpu: .*GEMM, \d+ threads?$/);
  });

  it("says why CUDA is unavailable and refuses to select it", () => {
    if (availableBackends().includes("cuda")) return expect(backendInfo().cudaUnavailable).toBeUndefined();
    expect(backendInfo().cudaUnavailable).toMatch(/cuda/i);
    expect(() => setBackend("cuda")).toThrow(/setBackend: the cuda backend is unavailable/);
    expect(() => setBackend("tpu" as "cpu")).toThrow(/unknown backend "tpu"/);
  });
});
