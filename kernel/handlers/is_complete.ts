/**
 * is_complete_request: lets a console decide whether Enter runs the code or continues it
 * (convert/is-complete.ts, answered by the converter thread).
 */
import type { Handler } from "./types.js";

export const is_complete_request: Handler = async (kernel, msg, channel) => {
  const code = String(msg.content.code ?? "");
  await kernel.reply(channel, msg, "is_complete_reply", { ...(await kernel.converter.isComplete(code)) });
};
