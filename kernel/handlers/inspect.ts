/** inspect_request: answered by the language service (kernel/language) when it is there. */
import type { Handler } from "./types.js";
import { languageService } from "../language-seam.js";

export const inspect_request: Handler = async (kernel, msg, channel) => {
  const code = String(msg.content.code ?? "");
  const cursor = Number(msg.content.cursor_pos ?? code.length);
  const lang = await languageService();
  let result: Record<string, unknown> = { found: false, data: {}, metadata: {} };
  if (lang.inspect) {
    try {
      result = { ...result, ...(await lang.inspect(code, cursor, Number(msg.content.detail_level ?? 0))) };
    } catch {
      // A failing language service answers "nothing found" rather than an error in the UI.
    }
  }
  await kernel.reply(channel, msg, "inspect_reply", { status: "ok", ...result });
};
