/**
 * Completion, inspection and type checking of cells: what kernel/language-seam.ts calls, one
 * language service per kernel (client.ts, running the TypeScript language service in a
 * process of its own at the lowest priority, so that it never delays kernel_info_reply or a cell).
 *
 * @example
 * start({ cwd: process.cwd(), launchLater: true }); // as the kernel starts
 * launch();                                      // once its first requests are answered: loading takes ~1 s
 * await complete("network.fi", 10);              // complete_reply content
 * await inspect("tensor", 6, 0);                 // inspect_reply content
 * const b = await beforeExecute(code, { deferDiagnostics: true }); // %strict and type errors
 */
import { LANGUAGE_OFF } from "./start.js";
import { LanguageService, type BeforeExecute, type BeforeExecuteOptions, type LanguageServiceOptions } from "./client.js";
import type { CompleteReply, InspectReply } from "./types.js";

export { LanguageService } from "./client.js";
export type { BeforeExecute, BeforeExecuteOptions, LanguageServiceOptions } from "./client.js";
export type { CellCheck, CellDiagnostic, CompleteReply, CompletionType, InspectReply } from "./types.js";
export { parseStrictMagic } from "./strict.js";

// The module-level functions below are what kernel/language-seam.ts calls: one service per kernel.
let instance: LanguageService | null = null;


/** The kernel's language service, made on first use (its process starts now unless `launchLater`). */
export function start(options: LanguageServiceOptions = {}): LanguageService | null {
  if (LANGUAGE_OFF) return null;
  return (instance ??= new LanguageService(options));
}

/** Starts the service's process if it has not started (LanguageServiceOptions.launchLater). */
export function launch(): void {
  start()?.launch();
}

/** The service, its process started: someone waits for its answer. */
function launched(): LanguageService | null {
  const service = start();
  service?.launch();
  return service;
}

/** Resolves once the service has loaded (at once when it is off). */
export function whenLoaded(): Promise<void> {
  return start()?.loaded ?? Promise.resolve();
}

/** While a cell runs: stops a service that is still loading; call the result when the cell is done. */
export function pauseLoading(): (() => void) | null {
  return instance?.pauseLoading() ?? null;
}

/** True once the service has loaded (a check asked for now is answered in milliseconds). */
export function ready(): boolean {
  return instance?.isReady ?? false;
}

/** The kernel's rehearsal of the execute path (exec/rehearsal.ts): beforeExecute's work without a cell. */
export function rehearse(): void {
  instance?.rehearse();
}

/** complete_request → complete_reply content. @example await complete("network.fi", 10) */
export async function complete(code: string, cursorPos: number): Promise<CompleteReply> {
  const service = launched();
  if (!service) return { status: "ok", matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: { _jupyter_types_experimental: [] } };
  return service.complete(code, cursorPos);
}

/** inspect_request → inspect_reply content. @example await inspect("tensor", 6, 0) */
export async function inspect(code: string, cursorPos: number, detailLevel = 0): Promise<InspectReply> {
  return launched()?.inspect(code, cursorPos, detailLevel) ?? { status: "ok", found: false, data: {}, metadata: {} };
}

/** Before a cell runs: `%strict` and type errors. @example await beforeExecute("%strict on") */
export async function beforeExecute(code: string, options?: BeforeExecuteOptions): Promise<BeforeExecute> {
  return start()?.beforeExecute(code, options) ?? { code, block: false };
}

