/**
 * Module hooks (registered with `module.register` on the first local `.ts` import) that let a
 * notebook import the TypeScript files next to it: `.ts` files are transpiled with esbuild, and
 * `./util` or `./util.js` find `./util.ts` as TypeScript's own resolution does.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const TS_FILE = /\.(ts|mts|cts)$/;

type Next = (s: string, c: unknown) => Promise<{ url: string; format?: string }>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const parent = context.parentURL;
    if (!parent || !/^\.{1,2}\//.test(specifier)) throw e;
    for (const candidate of [specifier.replace(/\.js$/, ".ts"), `${specifier}.ts`, `${specifier}/index.ts`]) {
      const url = new URL(candidate, parent);
      if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
    }
    throw e;
  }
}

export async function load(url: string, context: unknown, next: (u: string, c: unknown) => Promise<unknown>) {
  if (url.startsWith("file:") && TS_FILE.test(new URL(url).pathname)) {
    const path = fileURLToPath(url);
    const { transform } = await import("esbuild");
    const r = await transform(await readFile(path, "utf8"), {
      loader: "ts",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      sourcefile: path,
    });
    return { format: "module", source: r.code, shortCircuit: true };
  }
  return next(url, context);
}
