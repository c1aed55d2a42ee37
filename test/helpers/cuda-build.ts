/**
 * Whether this checkout's native build compiled native/cuda/: what CMake's check_language(CUDA)
 * recorded (it also honours CUDACXX and the usual CUDA folders, not only nvcc on PATH).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../runtime/backend/native.js";

export function cudaBuilt(): boolean {
  const cache = join(packageRoot(), "build", "CMakeCache.txt");
  if (!existsSync(cache)) return false;
  const compiler = /^CMAKE_CUDA_COMPILER:\w+=(.*)$/m.exec(readFileSync(cache, "utf8"))?.[1] ?? "";
  return compiler !== "" && !compiler.endsWith("NOTFOUND");
}
