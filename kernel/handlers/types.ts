import type { Kernel } from "../kernel.js";
import type { Message } from "../wire/message.js";
import type { Channel } from "../wire/sockets.js";

/** A request handler, found by msg_type in handlers/index.ts. */
export type Handler = (kernel: Kernel, msg: Message, channel: Channel) => Promise<void>;
