/**
 * The TypeScript compiler (the copy ts-morph bundles, so the converter and the language service
 * parse alike), loaded once through V8's code cache (kernel/code-cache.ts): ~50 ms instead of
 * ~0.2 s. The kernel parses cells in its converter thread (convert/thread.ts), never on the
 * thread that runs them.
 *
 * @example const ts = typescript(); ts.createSourceFile("a.ts", "1", ts.ScriptTarget.Latest);
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ts as TS } from "ts-morph";
import { requireCached } from "../code-cache.js";

export type TypeScript = typeof TS;

let loaded: TypeScript | null = null;

/** The path of the compiler ts-morph bundles (@ts-morph/common/dist/typescript.js). */
export function typescriptFile(): string {
  const fromTsMorph = createRequire(createRequire(import.meta.url).resolve("ts-morph"));
  return join(dirname(fromTsMorph.resolve("@ts-morph/common")), "typescript.js");
}

/** The TypeScript module, loaded on first use. */
export function typescript(): TypeScript {
  return (loaded ??= requireCached(typescriptFile(), "converter") as TypeScript);
}
