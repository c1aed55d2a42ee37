/**
 * Which backend the runtime computes on. The CPU backend always exists; CUDA is used when its
 * library is built and a GPU is present (issue 9), and `backendInfo()` says why it is not.
 *
 * @example
 * import { getBackend, backendInfo } from "./backend/index.js";
 * const b = getBackend();           // the CUDA backend where available, else the CPU one
 * console.log(backendInfo().description);
 */
import type { Backend, MatmulPrecision } from "./backend.js";
import { loadNative } from "./native.js";

export type { Backend, MatmulPrecision };
export type BackendName = "cpu" | "cuda";

/** What `backendInfo()` reports. */
export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** A line a person reads, e.g. "cpu: AVX-512 6x32 GEMM, 2 threads". */
  description: string;
  /** Backends that can be selected with `setBackend`. */
  available: BackendName[];
  /** Why CUDA is not available (absent when it is). */
  cudaUnavailable?: string;
  /** Threads in the CPU pool. */
  cpuThreads: number;
  /** Bytes held by live native buffers (all backends). */
  liveBytes: number;
}

let current: Backend | undefined;
let cudaChecked = false;
let cuda: Backend | undefined;
let cudaWhy: string | undefined;

function probeCuda(): Backend | undefined {
  if (!cudaChecked) {
    cudaChecked = true;
    if (process.env.TSDL_BACKEND === "cpu") {
      cudaWhy = "disabled by TSDL_BACKEND=cpu";
    } else {
      const r = loadNative().loadCuda();
      cuda = r.backend;
      cudaWhy = r.backend ? undefined : r.error ?? "unknown reason";
    }
  }
  return cuda;
}

/**
 * The backend every op runs on: chosen on first use (CUDA when available, else CPU; the
 * TSDL_BACKEND environment variable forces one) and changed with `setBackend`.
 * @example const out = getBackend().alloc("float32", 10);
 */
export function getBackend(): Backend {
  if (!current) {
    const forced = process.env.TSDL_BACKEND;
    if (forced === "cuda") current = requireCuda();
    else current = (forced !== "cpu" && probeCuda()) || loadNative().cpu;
  }
  return current;
}

function requireCuda(): Backend {
  const b = probeCuda();
  if (!b) throw new Error(`setBackend: the cuda backend is unavailable: ${cudaWhy}. Available: ${availableBackends().join(", ")}`);
  return b;
}

/**
 * Selects the backend for ops that run from now on (buffers already made stay where they are).
 * @example setBackend("cpu");
 */
export function setBackend(name: BackendName): void {
  if (name === "cpu") current = loadNative().cpu;
  else if (name === "cuda") current = requireCuda();
  else throw new Error(`setBackend: unknown backend ${JSON.stringify(name)}; allowed: "cpu", "cuda"`);
}

/**
 * The backends that can be selected on this machine.
 * @example availableBackends(); // ["cpu"]
 */
export function availableBackends(): BackendName[] {
  return probeCuda() ? ["cuda", "cpu"] : ["cpu"];
}

/**
 * Chooses the precision of CUDA matrix multiplies (the CPU always computes in float32).
 * The default comes from the TSDL_CUDA_PRECISION environment variable, else "fp32".
 * @example setPrecision("tf32");
 */
export function setPrecision(p: MatmulPrecision): void {
  if (!probeCuda()) throw new Error(`setPrecision: the cuda backend is unavailable: ${cudaWhy}; the CPU always computes in float32`);
  loadNative().cudaSetPrecision(p);
}

/**
 * The precision of matrix multiplies in effect now: CUDA's setting while the CUDA backend is
 * selected, and "fp32" while the CPU one is, even when CUDA's is set to "tf32" (it applies again
 * after `setBackend("cuda")`).
 * @example setPrecision("tf32"); setBackend("cpu"); getPrecision(); // "fp32"
 */
export function getPrecision(): MatmulPrecision {
  const gpu = probeCuda();
  if (!gpu || getBackend() !== gpu) return "fp32";
  return loadNative().cudaGetPrecision() ?? "fp32";
}

/**
 * Which backend is in use, what it runs on, and why CUDA is not available.
 * @example backendInfo().description; // "cpu: AVX-512 6x32 GEMM, 2 threads"
 */
export function backendInfo(): BackendInfo {
  const b = getBackend();
  const native = loadNative();
  probeCuda();
  const info: BackendInfo = {
    name: b.name,
    description: b.description,
    available: availableBackends(),
    cpuThreads: native.threads(),
    liveBytes: native.liveBytes(),
  };
  if (cudaWhy) info.cudaUnavailable = cudaWhy;
  return info;
}
