/** complete_request: answered by the language service (kernel/language) when it is there. */
import type { Handler } from "./types.js";
import { languageService } from "../language-seam.js";

export const complete_request: Handler = async (kernel, msg, channel) => {
  const code = String(msg.content.code ?? "");
  const cursor = Number(msg.content.cursor_pos ?? code.length);
  const lang = await languageService();
  let result: Record<string, unknown> = { matches: [], cursor_start: cursor, cursor_end: cursor, metadata: {} };
  if (lang.complete) {
    try {
      result = { ...result, ...(await lang.complete(code, cursor)) };
    } catch (e) {
      result = { ...result, metadata: { error: (e as Error).message } };
    }
  }
  await kernel.reply(channel, msg, "complete_reply", { status: "ok", ...result });
};
