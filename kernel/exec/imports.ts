/**
 * `import` in a cell: packages resolve from the notebook's folder (the kernel's working
 * directory, where Jupyter starts it), not from tsdl's own install; local `.ts` files are
 * transpiled on import; `"tsdl"` is the runtime the kernel already loaded.
 *
 * @example const imp = new Importer(process.cwd()); const { default: x } = await imp.import("pkg");
 */
import { createRequire, isBuiltin, register } from "node:module";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { kernelFile } from "../paths.js";

const CONDITIONS = ["import", "node", "module", "default", "require"];

export class Importer {
  private readonly req: NodeRequire;
  private hooksRegistered = false;
  /** Modules answered without resolution (the kernel puts its runtime under "tsdl"). */
  readonly preset = new Map<string, () => Promise<unknown>>();

  constructor(private readonly baseDir: string) {
    this.req = createRequire(join(baseDir, "[notebook].js"));
  }

  /** The module namespace of `spec`, resolved from the notebook's folder. */
  async import(spec: string): Promise<unknown> {
    const preset = this.preset.get(spec);
    if (preset) return preset();
    if (isBuiltin(spec)) return import(spec);
    if (spec.startsWith("file:")) return import(spec);
    if (spec.startsWith(".") || isAbsolute(spec)) return this.importLocal(resolvePath(this.baseDir, spec));
    return import(pathToFileURL(this.resolvePackage(spec)).href);
  }

  /** CommonJS `require` from the notebook's folder (for `import x = require("pkg")`). */
  require(spec: string): unknown {
    return this.req(spec);
  }

  private async importLocal(path: string): Promise<unknown> {
    const candidates = [path, path.replace(/\.js$/, ".ts"), `${path}.ts`, join(path, "index.ts")];
    const found = candidates.find((p) => existsSync(p) && statSync(p).isFile());
    if (!found) {
      throw new Error(`import: cannot find ${path} (looked for ${candidates.join(", ")})`);
    }
    if (/\.(ts|mts|cts)$/.test(found)) this.registerTsHooks();
    return import(pathToFileURL(found).href);
  }

  private registerTsHooks(): void {
    if (this.hooksRegistered) return;
    this.hooksRegistered = true;
    register(kernelFile("exec/ts-hooks.js").href);
  }

  /** Resolves a package the way `import` would from a module in the notebook's folder. */
  resolvePackage(spec: string): string {
    const parts = spec.split("/");
    const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
    const subpath = "." + spec.slice(name.length);
    for (let dir = this.baseDir; ; dir = dirname(dir)) {
      const pkgDir = join(dir, "node_modules", name);
      const pkgJson = join(pkgDir, "package.json");
      if (existsSync(pkgJson)) {
        const pkg = JSON.parse(readFileSync(pkgJson, "utf8"));
        const target = pkg.exports !== undefined ? exportTarget(pkg.exports, subpath) : null;
        if (target) return join(pkgDir, target);
        if (pkg.exports === undefined) {
          if (subpath !== ".") return this.req.resolve(spec);
          return this.req.resolve(pkgDir);
        }
        throw new Error(`import: package "${name}" (${pkgDir}) does not export "${subpath}"`);
      }
      if (dirname(dir) === dir) break;
    }
    try {
      return this.req.resolve(spec);
    } catch {
      throw new Error(
        `import: cannot find package "${name}" from ${this.baseDir} (install it there with \`npm install ${name}\`)`,
      );
    }
  }
}

function exportTarget(exports: unknown, subpath: string): string | null {
  if (typeof exports === "string" || Array.isArray(exports)) return subpath === "." ? pick(exports) : null;
  const map = exports as Record<string, unknown>;
  const isSubpathMap = Object.keys(map).some((k) => k.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? pick(map) : null;
  if (subpath in map) return pick(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(pre) && subpath.endsWith(post)) {
      const t = pick(value);
      return t?.replace("*", subpath.slice(pre.length, subpath.length - post.length)) ?? null;
    }
  }
  return null;
}

function pick(target: unknown): string | null {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = pick(t);
      if (r) return r;
    }
    return null;
  }
  if (target && typeof target === "object") {
    const m = target as Record<string, unknown>;
    for (const c of CONDITIONS) if (c in m) {
      const r = pick(m[c]);
      if (r) return r;
    }
  }
  return null;
}
