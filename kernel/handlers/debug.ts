/**
 * debug_request (control): tsdl has no debugger, and its kernel_info_reply does not claim one,
 * so JupyterLab does not offer it. A client that asks anyway gets the Debug Adapter Protocol's
 * answer to a request the adapter cannot serve — a Response with success: false and a message —
 * instead of a silence it would wait on.
 */
import type { Handler } from "./types.js";

let seq = 0;

export const debug_request: Handler = async (kernel, msg, channel) => {
  const request = msg.content as { seq?: unknown; command?: unknown };
  const command = typeof request.command === "string" ? request.command : "";
  const message = "tsdl does not implement the Jupyter debugger protocol; use console.log or display() to look at values";
  await kernel.reply(channel, msg, "debug_reply", {
    seq: ++seq,
    type: "response",
    request_seq: typeof request.seq === "number" ? request.seq : 0,
    success: false,
    command,
    message,
    body: { error: { id: 1, format: message } },
  });
};
