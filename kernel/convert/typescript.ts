/**
 * The TypeScript parser, loaded once and lazily: importing it costs ~0.2–0.5 s, which must not
 * delay kernel_info_reply. The kernel starts loading it in the background right after the
 * sockets are up (`preloadTypeScript()`); the first cell awaits it.
 *
 * @example const ts = await loadTypeScript(); ts.createSourceFile("a.ts", "1", ts.ScriptTarget.Latest);
 */
import type { ts as TS } from "ts-morph";

export type TypeScript = typeof TS;

let loading: Promise<TypeScript> | null = null;

/** The TypeScript module bundled with ts-morph. */
export function loadTypeScript(): Promise<TypeScript> {
  loading ??= import("ts-morph").then((m) => m.ts);
  return loading;
}

/** Starts loading in the background. */
export function preloadTypeScript(): void {
  void loadTypeScript().catch(() => {});
}
