/**
 * shutdown_request (control): reply, then end the process; with restart: true the client
 * starts a fresh kernel process, which is the cleanest restart there is.
 * interrupt_request normally never reaches here (the control thread answers it, see
 * wire/control-worker.ts); if one does, the running cell is stopped the same way.
 */
import type { Handler } from "./types.js";

export const shutdown_request: Handler = async (kernel, msg, channel) => {
  await kernel.reply(channel, msg, "shutdown_reply", { status: "ok", restart: Boolean(msg.content.restart) });
  kernel.publish("shutdown_reply", { status: "ok", restart: Boolean(msg.content.restart) }, msg);
  setTimeout(() => void kernel.shutdown(), 50);
};

export const interrupt_request: Handler = async (kernel, msg, channel) => {
  kernel.interrupts.interrupt();
  await kernel.reply(channel, msg, "interrupt_reply", { status: "ok" });
};
