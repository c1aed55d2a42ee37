/**
 * shutdown_request (control): reply, then end the process; with restart: true the client
 * starts a fresh kernel process, which is the cleanest restart there is.
 * interrupt_request normally never reaches here (the control thread turns it into SIGINT);
 * if one does, it gets the same treatment.
 */
import type { Handler } from "./types.js";

export const shutdown_request: Handler = async (kernel, msg, channel) => {
  await kernel.reply(channel, msg, "shutdown_reply", { status: "ok", restart: Boolean(msg.content.restart) });
  kernel.publish("shutdown_reply", { status: "ok", restart: Boolean(msg.content.restart) }, msg);
  setTimeout(() => void kernel.shutdown(), 50);
};

export const interrupt_request: Handler = async (kernel, msg, channel) => {
  process.kill(process.pid, "SIGINT");
  await kernel.reply(channel, msg, "interrupt_reply", { status: "ok" });
};
