/**
 * The seam to the language service (kernel/language/, owned separately): completion,
 * inspection, diagnostics and the `%strict` magic. It is loaded lazily and optionally: until
 * kernel/language/index.ts exists (or if it fails to load) completion answers with no matches,
 * inspection with found: false, and cells run unchanged.
 *
 * The language service may export any of:
 * - `complete(code, cursorPos) → { matches, cursor_start, cursor_end, metadata? }` (sync or async)
 * - `inspect(code, cursorPos, detailLevel) → { found, data }`
 * - `beforeExecute(code) → { code, diagnosticsText?, block }`: runs before every cell; `code` is
 *   what runs (magic lines removed), `diagnosticsText` goes to the cell's stderr, `block: true`
 *   stops the cell (e.g. a type error under `%strict`), reported as an error named TypeError.
 * - `addCell(code)`: called after a cell ran without error, so later completions know its names.
 */
import { log } from "./log.js";

export interface BeforeExecuteResult {
  code: string;
  diagnosticsText?: string;
  block: boolean;
}

export interface LanguageService {
  complete?(code: string, cursorPos: number): unknown;
  inspect?(code: string, cursorPos: number, detailLevel: number): unknown;
  beforeExecute?(code: string): BeforeExecuteResult | Promise<BeforeExecuteResult>;
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
