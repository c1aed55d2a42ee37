/**
 * Completion, inspection and type checking of cells: what kernel/language-seam.ts calls, one
 * language service per kernel (client.ts, running the TypeScript language service in a
 * worker thread so that it never delays kernel_info_reply or a cell).
 *
 * @example
 * start({ cwd: process.cwd() });                 // after start-up: loading takes ~1 s in the worker
 * await complete("network.fi", 10);              // complete_reply content
 * await inspect("tensor", 6, 0);                 // inspect_reply content
 * const b = await beforeExecute(code, { deferDiagnostics: true }); // %strict and type errors
 */
import { LanguageService, type BeforeExecute, type BeforeExecuteOptions, type LanguageServiceOptions } from "./client.js";
import type { CompleteReply, InspectReply } from "./types.js";

export { LanguageService } from "./client.js";
export type { BeforeExecute, BeforeExecuteOptions, LanguageServiceOptions } from "./client.js";
export type { CellCheck, CellDiagnostic, CompleteReply, CompletionType, InspectReply } from "./types.js";
export { parseStrictMagic } from "./strict.js";

// The module-level functions below are what kernel/language-seam.ts calls: one service per kernel.
let instance: LanguageService | null = null;

/** The kernel's language service, started on first use (call early: loading takes ~1 s in a worker). */
export function start(options: LanguageServiceOptions = {}): LanguageService {
  return (instance ??= new LanguageService(options));
}

/** complete_request → complete_reply content. @example await complete("network.fi", 10) */
export function complete(code: string, cursorPos: number): Promise<CompleteReply> {
  return start().complete(code, cursorPos);
}

/** inspect_request → inspect_reply content. @example await inspect("tensor", 6, 0) */
export function inspect(code: string, cursorPos: number, detailLevel = 0): Promise<InspectReply> {
  return start().inspect(code, cursorPos, detailLevel);
}

/** Before a cell runs: `%strict` and type errors. @example await beforeExecute("%strict on") */
export function beforeExecute(code: string, options?: BeforeExecuteOptions): Promise<BeforeExecute> {
  return start().beforeExecute(code, options);
}

/** After a cell ran: its declarations join the session. @example addCell("const x = 1") */
export function addCell(code: string): void {
  start().addCell(code);
}
