/**
 * The seam to the language service (kernel/language/, owned separately): completion,
 * inspection, diagnostics and the `%strict` magic. It is loaded lazily and optionally: until
 * kernel/language/index.ts exists (or if it fails to load) completion answers with no matches,
 * inspection with found: false, and cells run unchanged.
 *
 * The language service may export any of:
 * - `complete(code, cursorPos) → { matches, cursor_start, cursor_end, metadata? }` (sync or async)
 * - `inspect(code, cursorPos, detailLevel) → { found, data }`
 * - `beforeExecute(code, { deferDiagnostics: true }) → BeforeExecuteResult`: runs before every
 *   cell; `code` is what runs (magic lines blanked), `notice` goes to stdout, `diagnosticsText`
 *   to stderr, `block: true` stops the cell with `error` (e.g. type errors under `%strict on`),
 *   and `diagnostics` (a promise) is the type check running alongside the cell, awaited after it.
 * - `addCell(code)`: called after a cell ran without error, so later completions know its names.
 * - `start({ cwd })`: starts the service's worker early (the kernel calls it after start-up).
 */
import { log } from "./log.js";

export interface BeforeExecuteResult {
  code: string;
  block: boolean;
  diagnosticsText?: string;
  error?: { ename: string; evalue: string; traceback: string[] };
  notice?: string;
  diagnostics?: Promise<string | undefined>;
}

export interface LanguageService {
  start?(options: { cwd?: string }): unknown;
  complete?(code: string, cursorPos: number): unknown;
  inspect?(code: string, cursorPos: number, detailLevel: number): unknown;
  beforeExecute?(code: string, options?: { deferDiagnostics?: boolean }): BeforeExecuteResult | Promise<BeforeExecuteResult>;
  addCell?(code: string): unknown;
}

let loading: Promise<LanguageService> | null = null;

/** The language service module, or an empty object when it is missing or broken. */
export function languageService(): Promise<LanguageService> {
  loading ??= import(new URL("./language/index.js", import.meta.url).href).then(
    (m) => m as LanguageService,
    (e: Error) => {
      if (!/Cannot find module|ERR_MODULE_NOT_FOUND/.test(String(e.message))) log(`language service failed to load: ${e.message}`);
      return {};
    },
  );
  return loading;
}
