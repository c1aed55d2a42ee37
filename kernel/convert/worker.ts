/**
 * The converter thread: parses, rewrites and transpiles cells (and answers is_complete) away
 * from the thread that runs them. It loads TypeScript and starts esbuild's service as soon as
 * the kernel process starts, in parallel with the kernel's own start-up, so a first cell that
 * arrives right after kernel_info finds them ready; the kernel's thread never loads TypeScript.
 *
 * @example startConverterThread() // convert/start.ts; thread.ts talks to it
 */
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { convertToData, loadEsbuild, typescript } from "./index.js";
import { CellSyntaxError } from "./rewrite.js";
import { isComplete } from "./is-complete.js";
import { saveCodeCaches } from "../code-cache.js";
import { log } from "../log.js";
import type { ConverterReply, ConverterRequest } from "./thread.js";

const port = parentPort!;

// Below the kernel's own thread (Linux gives each thread its own priority; 0 is this thread):
// loading TypeScript, starting esbuild (its process inherits this) and the warm-up conversions
// take ~0.3 s of processor as the kernel starts, when a client's first requests arrive and the
// kernel's thread must answer them at once. A cell waiting for its conversion leaves a core
// free, so conversions themselves lose nothing; the language service, at 19, stays below.
try {
  setPriority(0, 10);
} catch {
  // Not allowed here: conversions run at normal priority.
}

async function answer(r: ConverterRequest): Promise<ConverterReply> {
  try {
    if (r.op === "isComplete") return { id: r.id, isComplete: isComplete(r.code) };
    return { id: r.id, data: await convertToData(r.code) };
  } catch (e) {
    if (e instanceof CellSyntaxError) {
      return { id: r.id, syntaxError: { description: e.description, line: e.line, column: e.column, sourceLine: e.sourceLine } };
    }
    return { id: r.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

// Requests are answered in order; the first ones wait for TypeScript to load. A plain
// JavaScript cell compiles the parser's and the rewrite's hot paths before a cell needs them
// (most first cells are plain JavaScript: no transpiler); esbuild loads after that, without
// holding cells up (transpile.ts), a typed cell warms it, and the code cache is written then.
const WARM_JS = "const __warm = [1];\nlet __w = await Promise.resolve(__warm.length);\nclass __W { x = 1 }\n__w + 1";
const WARM_TS = "const __warm: number[] = [1];\n__warm.length as number";
let chain: Promise<unknown> = (async () => {
  try {
    typescript();
    await convertToData(WARM_JS);
  } catch (e) {
    // Cells will say why they cannot be converted; the kernel must not wait for "ready".
    log(`the converter thread could not load TypeScript: ${(e as Error).stack ?? e}`);
  } finally {
    port.postMessage({ id: 0, ready: true } satisfies ConverterReply);
  }
  void loadEsbuild()
    .then(() => convertToData(WARM_TS))
    .catch(() => {})
    .finally(saveCodeCaches);
})();
port.on("message", (r: ConverterRequest) => {
  chain = chain
    .then(() => answer(r))
    .then((reply) => port.postMessage(reply))
    .catch((e) => log(`the converter thread could not answer: ${(e as Error).stack ?? e}`));
});
