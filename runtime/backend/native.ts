/**
 * Loads the native addon (build/Release/tsdl.node) once per process.
 *
 * The addon is found relative to the package root, which is located by walking up from this
 * file to the nearest package.json: the same code runs from `runtime/backend/` (vitest, tsx)
 * and from `dist/runtime/backend/` (the built package).
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend, MatmulPrecision } from "./backend.js";

/** What the addon exports (native/binding/addon.cc). */
export interface NativeAddon {
  /** The CPU backend: one method per kernel of `Backend`. */
  cpu: Backend;
  /** The CUDA backend, or the reason it is unavailable. */
  loadCuda(): { backend?: Backend; error?: string };
  /** Sets the CUDA GEMM precision; throws when CUDA is not loaded. */
  cudaSetPrecision(p: MatmulPrecision): void;
  /** The CUDA GEMM precision, or null when CUDA is not loaded. */
  cudaGetPrecision(): MatmulPrecision | null;
  /** Bytes held by live native buffers in this process. */
  liveBytes(): number;
  /** Number of live native buffers in this process. */
  liveCount(): number;
  /** V8's count of external memory in bytes (native buffers report theirs here). */
  externalMemory(): number;
  /** Threads in the CPU pool (TSDL_NUM_THREADS or the machine's hardware threads). */
  threads(): number;
  /** The class of every NativeBuffer (for `instanceof`). */
  NativeBuffer: abstract new (...args: never[]) => object;
}

let addon: NativeAddon | undefined;

/** The root of the tsdl package (the folder holding its package.json). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`tsdl: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/**
 * The loaded addon; throws an error naming the missing file and the command that builds it.
 * @example const { cpu } = loadNative();
 */
export function loadNative(): NativeAddon {
  if (addon) return addon;
  const root = packageRoot();
  const dir = join(root, "build", "Release");
  const file = join(dir, "tsdl.node");
  let path = file;
  if (!existsSync(file)) {
    const any = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".node")) : undefined;
    if (!any) {
      throw new Error(
        `tsdl: the native addon is not built (no ${file}); run \`npm run build:native\` in ${root}`,
      );
    }
    path = join(dir, any);
  }
  const require = createRequire(import.meta.url);
  addon = require(path) as NativeAddon;
  return addon;
}
