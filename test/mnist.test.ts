// The chapter, end to end, as a plain Node program (examples/mnist.ts, which bench/notebook.ts
// also runs as the script side of its comparison): the real MNIST files, the book's network,
// 5 epochs at batch 128. The notebooks test trains the same chapter through the kernel
// (notebooks/01-first-neural-network.ipynb); the other suites use small subsets.
import { describe, expect, it } from "vitest";
import { utils } from "../runtime/index.js";

describe("the MNIST chapter", () => {
  it("trains Dense(512, relu) → Dense(10, softmax) with rmsprop to at least 0.978 test accuracy", async () => {
    // Seeds 1–6 gave 0.9797–0.9815 on 2026-11-23 (AVX-512 GEMM, rsqrt RMSprop); seed 3 is near their median (0.9809).
    utils.setRandomSeed(3);
    const { result } = await import("../examples/mnist.js");
    expect(result.epochs).toBe(5);
    expect(result.history.loss).toHaveLength(5);
    // Keras's curve: training accuracy climbs every epoch, from ≈0.92 to ≈0.99.
    const acc = result.history.accuracy;
    expect(acc[0]).toBeGreaterThan(0.9);
    for (let i = 1; i < acc.length; i++) expect(acc[i]).toBeGreaterThan(acc[i - 1]);
    expect(result.testAcc).toBeGreaterThanOrEqual(0.978);
  }, 600_000);
});
