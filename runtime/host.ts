/**
 * What a host that runs notebook cells (the kernel) loads from the runtime: the public API,
 * whose exports become the cells' globals, and the hooks only the host calls. The build bundles
 * this file into one module (dist/runtime/host.bundle.js), which loads about four times faster
 * than the ~100 modules it is made of; the kernel takes every runtime name from this one
 * instance, `import … from "tsdl"` in a cell included.
 *
 * @example const { api, beginCell, warmUp } = await import("./host.bundle.js");
 */
export * as api from "./index.js";
export { beginCell } from "./cell.js";
export { warmUp } from "./warmup.js";
/** The tensor scopes open now, and a way to open one: how the kernel's tests see that a stopped cell's scope was closed. */
export { scopeDepth, withScope } from "./tensor/engine.js";
