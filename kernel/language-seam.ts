/**
 * The seam to the language service (kernel/language/index.ts): completion, inspection,
 * diagnostics and the `%strict` magic. Its module is the service's client only (TypeScript loads
 * in the service's own process) and part of the kernel's bundle: imported as a separate graph of
 * files, it used to finish loading 7–23 ms into a session's first cell, which waited for it.
 * If it fails to load, completion answers with no matches, inspection with found: false, and
 * cells run unchanged.
 */
import { log } from "./log.js";

/** What kernel/language/index.ts exports (type only: the module itself loads lazily). */
export type LanguageService = Partial<typeof import("./language/index.js")>;

let loading: Promise<LanguageService> | null = null;

/** The language service module, or an empty object when it is missing or broken. */
export function languageService(): Promise<LanguageService> {
  loading ??= import("./language/index.js").then(
    (m) => m as LanguageService,
    (e: Error) => {
      log(`language service failed to load: ${e.message}`);
      return {};
    },
  );
  return loading;
}
