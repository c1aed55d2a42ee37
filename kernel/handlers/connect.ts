/**
 * connect_request: the ports of the kernel's channels, from the connection file. Deprecated
 * since protocol 5.1 and rarely sent, but the protocol defines its reply and ipykernel answers it.
 */
import type { Handler } from "./types.js";

export const connect_request: Handler = async (kernel, msg, channel) => {
  const c = kernel.conn;
  await kernel.reply(channel, msg, "connect_reply", {
    status: "ok",
    shell_port: c.shell_port,
    iopub_port: c.iopub_port,
    stdin_port: c.stdin_port,
    hb_port: c.hb_port,
    control_port: c.control_port,
  });
};
