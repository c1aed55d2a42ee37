/**
 * Training through the CUDA backend's own kernels gives the CPU's numbers. CI has no GPU, so
 * the CUDA backend is loaded from its host-emulated build (TSDL_CUDA_LIBRARY =
 * build/native/cuda/tests/libtsdl_cuda_emulated.so: the same .cu sources, every CUDA thread a
 * std::thread; see native/cuda/tests/emulation). The whole path is real — runtime, binding,
 * dataset upload, batch gathers, fused dense epilogues, softmax cross-entropy, the multi-tensor
 * rmsprop launch — only the GPU is emulated. On a machine with a GPU the same file loads the
 * emulation too: the real GPU is checked by native/cuda's ctest and bench.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../runtime/backend/native.js";
import { cudaBuilt } from "./helpers/cuda-build.js";

const emulated = join(packageRoot(), "build", "native", "cuda", "tests", "libtsdl_cuda_emulated.so");
const cudaCompiled = cudaBuilt();
// Set before the runtime first probes CUDA; 132 SMs makes the kernels choose an H100's tiles.
process.env.TSDL_CUDA_LIBRARY = emulated;
process.env.TSDL_EMULATED_SMS = "132";
process.env.TSDL_CUDA_PRECISION = "fp32";  // tf32/bf16 would differ from the CPU by design
delete process.env.TSDL_BACKEND;

const rt = await import("../runtime/index.js");
const { backendInfo, setBackend } = await import("../runtime/backend/index.js");

/** The chapter's model on the first 256 MNIST images, one epoch, on the given backend. */
async function train(backend: "cpu" | "cuda") {
  setBackend(backend);
  rt.utils.setRandomSeed(7);
  const [[images, labels]] = rt.datasets.mnist.loadData();
  const n = 256;
  const x = images.slice(0, n).reshape([n, 784]).astype("float32").div(255);
  const y = rt.utils.toCategorical(labels.slice(0, n));
  const model = rt.models.Sequential([rt.layers.Dense(512, { activation: "relu" }), rt.layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  const history = await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 });
  const [loss, accuracy] = model.evaluate(x, y, { verbose: 0 }) as number[];
  return { fitLoss: history.history.loss[0]!, loss: loss!, accuracy: accuracy! };
}

describe("training through the CUDA backend's kernels (host emulation)", () => {
  it("the emulated CUDA library is built wherever CMake found a CUDA compiler", () => {
    expect(existsSync(emulated)).toBe(cudaCompiled);
  });

  it("a seed gives the same training on the CUDA kernels as on the CPU", async () => {
    if (!cudaCompiled) {
      // Without a CUDA compiler there is no CUDA build to load, and the runtime must say so.
      expect(() => setBackend("cuda")).toThrow(/cannot load TSDL_CUDA_LIBRARY/);
      return;
    }
    const cpu = await train("cpu");
    const cuda = await train("cuda");
    expect(backendInfo().description).toMatch(/^cuda: host emulation \(sm_90, 132 SMs/);
    expect(cuda.fitLoss).toBeCloseTo(cpu.fitLoss, 4);
    expect(cuda.loss).toBeCloseTo(cpu.loss, 4);
    expect(cuda.accuracy).toBeCloseTo(cpu.accuracy, 6);
    expect(cuda.loss).toBeLessThan(cuda.fitLoss);  // it really trained
  }, 300_000);
});
