/**
 * The seam to the runtime (kernel → runtime, never back): which module the kernel loads and what
 * it takes from it. Normally that is dist/runtime/host.bundle.js — the runtime's public API and
 * the hooks only the kernel calls (runtime/host.ts), bundled into one file because one module
 * loads in ~20 ms where the ~100 it is made of take ~75 ms, and a notebook's first cell waits
 * for it. `TSDL_RUNTIME_MODULE` names another module whose exports are the API (tests, and
 * people debugging the runtime).
 *
 * @example const host = await loadRuntime(); host.api.tensor([1, 2]);
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { log } from "./log.js";

export interface RuntimeHost {
  /** The runtime's exports: every one becomes a global in cells. */
  api: Record<string, unknown>;
  /** Called as each cell starts (clears a stale stop and the scopes a stopped cell left open). */
  beginCell?: () => void;
  /** Trains a small model while the kernel is idle, so the first fit runs at full speed. */
  warmUp?: (options: { whenIdle: () => Promise<void> }) => Promise<void>;
}

export async function loadRuntime(): Promise<RuntimeHost> {
  const custom = process.env.TSDL_RUNTIME_MODULE;
  if (custom) return { api: (await import(custom)) as Record<string, unknown> };
  return (await import(hostModule())) as RuntimeHost;
}

/**
 * The bundle, unless it is older than the runtime tsc compiled (someone ran tsc alone, not
 * `npm run build:ts`): then the modules themselves, slower to load but current.
 */
function hostModule(): string {
  const bundle = new URL("../runtime/host.bundle.js", import.meta.url);
  const modules = new URL("../runtime/host.js", import.meta.url);
  try {
    if (statSync(fileURLToPath(bundle)).mtimeMs >= statSync(fileURLToPath(modules)).mtimeMs) return bundle.href;
    log("dist/runtime/host.bundle.js is older than the compiled runtime (run `npm run build:ts`); loading the runtime's modules");
  } catch {
    // No bundle (a build without `npm run build:bundle`): the modules work the same.
  }
  return modules.href;
}
