/**
 * The seam to the language service (kernel/language/index.ts): completion, inspection,
 * diagnostics and the `%strict` magic. It is imported lazily (loading TypeScript must not delay
 * kernel_info_reply) and optionally: if it fails to load, completion answers with no matches,
 * inspection with found: false, and cells run unchanged.
 */
import { log } from "./log.js";
import { kernelFile } from "./paths.js";

/** What kernel/language/index.ts exports (type only: the module itself loads lazily). */
export type LanguageService = Partial<typeof import("./language/index.js")>;

let loading: Promise<LanguageService> | null = null;

/** The language service module, or an empty object when it is missing or broken. */
export function languageService(): Promise<LanguageService> {
  loading ??= import(kernelFile("language/index.js").href).then(
    (m) => m as LanguageService,
    (e: Error) => {
      log(`language service failed to load: ${e.message}`);
      return {};
    },
  );
  return loading;
}
