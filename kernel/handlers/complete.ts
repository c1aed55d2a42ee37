/**
 * complete_request: answered by the language service (kernel/language) once it has loaded.
 * Before that (a session's first ~1–1.5 s), with the service off or after it failed, the
 * session's live values answer what they can (language/live.ts: globals and the members of a
 * chain of names, as IPython does); what they cannot (types, string literals, `f().x`) waits for
 * the service as it loads.
 */
import type { Handler } from "./types.js";
import { languageService } from "../language-seam.js";
import { completeFromValues } from "../language/live.js";

export const complete_request: Handler = async (kernel, msg, channel) => {
  const code = String(msg.content.code ?? "");
  const cursor = Number(msg.content.cursor_pos ?? code.length);
  const lang = await languageService();
  let result: object | null = null;
  if (!lang.ready?.()) {
    lang.launch?.();
    // The runtime's exports (`tensor`, `layers`) are globals once it has loaded (a few ms).
    const api = (await kernel.loadInBackground())?.api ?? {};
    const namespaces = Object.values(api).filter((v): v is object => typeof v === "object" && v !== null);
    result = completeFromValues(code, cursor, { scope: globalThis, readable: new Set([globalThis, ...namespaces]) });
  }
  if (!result && lang.complete) {
    try {
      result = await lang.complete(code, cursor);
    } catch (e) {
      result = { metadata: { error: (e as Error).message } };
    }
  }
  const none = { matches: [], cursor_start: cursor, cursor_end: cursor, metadata: {} };
  await kernel.reply(channel, msg, "complete_reply", { status: "ok", ...none, ...result });
};
