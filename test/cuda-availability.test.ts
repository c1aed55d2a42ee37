/**
 * Which backend trains, and why not the GPU: on a machine without a GPU (this one, and CI) the
 * runtime runs on the CPU with no error and says why CUDA is unavailable; asking for CUDA
 * explicitly fails with that reason. Where a driver is present (the lent GPU machine), the same
 * calls must pick CUDA instead. Both branches assert; neither is skipped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { availableBackends, backendInfo, getBackend, getPrecision, setBackend, setPrecision } from "../runtime/backend/index.js";
import { packageRoot } from "../runtime/backend/native.js";
import { cudaBuilt } from "./helpers/cuda-build.js";

// The NVIDIA kernel driver publishes this file; without it libcuda.so.1 cannot work.
const hasDriver = existsSync("/proc/driver/nvidia/version");
const cudaCompiled = cudaBuilt();
const cudaLibrary = join(packageRoot(), "build", "Release", "libtsdl_cuda.so");
const reasons = /no CUDA driver|no CUDA device|CUDA backend is not built|driver .* is older|sm_\d+; this build/;

describe(hasDriver ? "CUDA on a machine with an NVIDIA driver" : "CUDA on a machine without a GPU", () => {
  it("backendInfo says which device trains and, without a GPU, why CUDA is unavailable", () => {
    const info = backendInfo();
    if (hasDriver) {
      expect(info.name).toBe("cuda");
      expect(info.description).toMatch(/^cuda: .+ \(sm_\d+, \d+ SMs, [\d.]+ GiB\), matmul precision (fp32|tf32|bf16)$/);
      expect(info.available).toEqual(["cuda", "cpu"]);
      expect(info.cudaUnavailable).toBeUndefined();
    } else {
      expect(info.name).toBe("cpu");
      expect(info.available).toEqual(["cpu"]);
      expect(info.cudaUnavailable).toMatch(reasons);
    }
  });

  it('setBackend("cuda") either selects the GPU or throws an error that says why it cannot', () => {
    if (hasDriver) {
      setBackend("cuda");
      expect(getBackend().name).toBe("cuda");
      setBackend("cpu");
      expect(getBackend().name).toBe("cpu");
    } else {
      expect(() => setBackend("cuda")).toThrow(/setBackend: the cuda backend is unavailable: .+\. Available: cpu/);
      expect(() => setBackend("cuda")).toThrow(reasons);
      expect(getBackend().name).toBe("cpu");
      expect(availableBackends()).toEqual(["cpu"]);
    }
  });

  it("the matmul precision can be chosen on the GPU, and without one the error says why", () => {
    if (hasDriver) {
      setPrecision("tf32");
      expect(getPrecision()).toBe("tf32");
      setPrecision("fp32");
      expect(getPrecision()).toBe("fp32");
    } else {
      expect(getPrecision()).toBe("fp32");
      expect(() => setPrecision("tf32")).toThrow(/setPrecision: the cuda backend is unavailable: .+; the CPU always computes in float32/);
    }
  });

  it("where CMake found a CUDA compiler the CUDA library is built, so the reason is never a missing build", () => {
    expect(existsSync(cudaLibrary)).toBe(cudaCompiled);
    if (cudaCompiled && !hasDriver) expect(backendInfo().cudaUnavailable).toMatch(/^no CUDA driver \(libcuda\.so\.1/);
  });
});
