/**
 * shutdown_request (control): reply, then end the process; with restart: true the client
 * starts a fresh kernel process, which is the cleanest restart there is.
 * interrupt_request on the control channel is answered by the control thread (see
 * wire/control-worker.ts); this handler answers one sent on the shell channel, where it waits
 * behind the running cell and so can only stop a cell that has not started.
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
