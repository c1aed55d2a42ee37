/**
 * The seam to the runtime (kernel → runtime, never back): which module the kernel loads and what
 * it takes from it. Normally that is dist/runtime/host.bundle.js — the runtime's public API and
 * the hooks only the kernel calls (runtime/host.ts), bundled into one file because one module
 * loads in ~20 ms where the ~100 it is made of take ~75 ms, and a notebook's first cell waits
 * for it. `TSDL_RUNTIME_MODULE` names another module — a host module like dist/runtime/host.js
 * with its hooks, or one whose exports are the API — (tests, and
 * people debugging the runtime).
 *
 * @example const host = await loadRuntime(); host.api.tensor([1, 2]);
 */
import { entryPoint } from "./paths.js";

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
  if (custom) {
    // A host module (runtime/host.js) brings its hooks; a plain one (runtime/index.js) is the API.
    const m = (await import(custom)) as Record<string, unknown>;
    return "api" in m ? (m as unknown as RuntimeHost) : { api: m };
  }
  return (await import(entryPoint("../runtime/host.js", "../runtime/host.bundle.js").href)) as RuntimeHost;
}
