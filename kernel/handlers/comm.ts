/** comm_open / comm_msg / comm_close from the front end, and comm_info_request. */
import type { Handler } from "./types.js";
import type { Kernel } from "../kernel.js";

/** A comm handler is user code: its errors go to the cell's stderr, never down the kernel. */
function guarded(kernel: Kernel, what: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    kernel.streams.push("stderr", `${what} failed: ${(e as Error)?.stack ?? e}\n`);
  }
}

export const comm_open: Handler = async (kernel, msg) => {
  guarded(kernel, `comm target ${msg.content.target_name}`, () => kernel.comms.opened(msg.content as never, msg as never));
};

export const comm_msg: Handler = async (kernel, msg) => {
  guarded(kernel, `comm ${msg.content.comm_id} message handler`, () => kernel.comms.message(msg.content as never, msg as never));
};

export const comm_close: Handler = async (kernel, msg) => {
  guarded(kernel, `comm ${msg.content.comm_id} close handler`, () => kernel.comms.closed(msg.content as never));
};

export const comm_info_request: Handler = async (kernel, msg, channel) => {
  const target = msg.content.target_name as string | undefined;
  await kernel.reply(channel, msg, "comm_info_reply", { status: "ok", comms: kernel.comms.info(target) });
};
