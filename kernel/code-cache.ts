/**
 * CommonJS modules loaded through V8's code cache. TypeScript's compiler is 9 MB of JavaScript,
 * and both the cell converter's thread and the language service load it when a kernel starts:
 * compiling it takes ~0.2 s each time, while V8 deserializes its cached code in ~20 ms.
 *
 * The cache lives in the package's `build/code-cache/` (next to the native library; nothing is
 * written to the home directory). It is made by the first kernel that loads a module without a
 * usable cache, after that kernel has used the module (so the functions it compiled lazily are
 * in it), and written atomically. V8 checks a cache against the source, its own version and its
 * flags and rejects one that does not fit; the module is then compiled as usual and the cache
 * made again. Where the folder is not writable the kernel simply compiles every time.
 *
 * @example const ts = requireCached(typescriptFile(), "converter"); …use it…; saveCodeCaches();
 */
import { isAscii } from "node:buffer";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { basename, dirname, join } from "node:path";
import vm from "node:vm";
import { PACKAGE_ROOT } from "./paths.js";

const CACHE_DIR = join(PACKAGE_ROOT, "build", "code-cache");
const require = createRequire(import.meta.url);

/** Modules loaded here whose cache is missing or was rejected: saved by saveCodeCaches(). */
const unsaved: { script: vm.Script; file: string }[] = [];

function cacheFile(file: string, role: string): string {
  // V8 checks a cache against the source's length, not its bytes: the file's size and time in
  // the name keep an upgraded package of the same length from meeting an old cache.
  const { size, mtimeMs } = statSync(file);
  return join(CACHE_DIR, `${basename(file, ".js")}-${role}-${size}-${Math.trunc(mtimeMs)}-node${process.version}-${process.arch}.bin`);
}

/**
 * The module's source. V8 needs it even with a cache (to check it, and for functions compiled
 * later); decoding 9 MB as UTF-8 takes ~90 ms, so ASCII source (TypeScript's is) is taken as
 * Latin-1, the same characters, in a sixth of the time.
 */
function source(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/**
 * Loads the CommonJS file `file` like `require(file)` does (and registers it in require's
 * cache, so that other modules requiring it get the same instance), compiling it from the
 * code cache when there is a usable one. Each `role` has its own cache, holding the functions
 * that role compiled: the converter uses TypeScript's parser, the language service its checker,
 * and a cache holding both would make the converter's start slower.
 */
export function requireCached(file: string, role: string): unknown {
  const known = require.cache[file];
  if (known?.loaded) return known.exports;
  let cached: Buffer | undefined;
  try {
    cached = readFileSync(cacheFile(file, role));
  } catch {
    cached = undefined;
  }
  const script = new vm.Script(Module.wrap(source(file)), { filename: file, cachedData: cached });
  if (!cached || script.cachedDataRejected) unsaved.push({ script, file: cacheFile(file, role) });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  require.cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}

/** Writes the caches of modules that had none (call after using them, off any hot path). */
export function saveCodeCaches(): void {
  for (const { script, file: target } of unsaved.splice(0)) {
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      const temp = `${target}.${process.pid}.tmp`;
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, target);
    } catch {
      // A read-only install compiles each time; nothing else depends on the cache.
    }
  }
}
