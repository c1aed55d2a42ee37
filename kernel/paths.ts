/**
 * Where the kernel's files are, bundled or not. The build bundles the kernel's entry points with
 * esbuild into single modules in the kernel's own folder (dist/kernel/kernel.bundle.js, the
 * converter thread's converter.bundle.js), because a kernel's start-up is mostly loading
 * modules and one file loads several times faster than the dozens it is made of. This module
 * is at the kernel's root in both forms, so a path taken from it is right in both; modules in
 * sub-folders must not use their own `import.meta.url` for files they load by path.
 *
 * @example new Worker(kernelFile("wire/control-worker.js"))
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { log } from "./log.js";

/** The kernel's folder (dist/kernel/). */
export const KERNEL_DIR = new URL("./", import.meta.url);

/**
 * The package's root (the folder of tsdl's package.json): dist/kernel/../.. when built, but
 * found by looking, so that modules run from source (tests) agree.
 */
export const PACKAGE_ROOT: string = (() => {
  for (let dir = fileURLToPath(KERNEL_DIR); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`tsdl: no package.json above ${fileURLToPath(KERNEL_DIR)}`);
  }
})();

/** A file of the kernel's, by its path from the kernel's folder. @example kernelFile("../runtime/host.js") */
export function kernelFile(path: string): URL {
  return new URL(path, KERNEL_DIR);
}

/**
 * The bundle of an entry point, unless it is older than the entry tsc compiled (someone ran tsc
 * alone, not `npm run build:ts`) or missing: then the entry's own modules, slower to load but
 * current. @example entryPoint("kernel.js", "kernel.bundle.js")
 */
export function entryPoint(entry: string, bundle: string): URL {
  const modules = kernelFile(entry);
  const bundled = kernelFile(bundle);
  try {
    if (statSync(fileURLToPath(bundled)).mtimeMs >= statSync(fileURLToPath(modules)).mtimeMs) return bundled;
    log(`${fileURLToPath(bundled)} is older than ${fileURLToPath(modules)} (run \`npm run build:ts\`); loading the modules`);
  } catch {
    // No bundle (a build without `npm run build:bundle`): the modules work the same.
  }
  return modules;
}
