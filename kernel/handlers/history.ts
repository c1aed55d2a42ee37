/** history_request: tail, range and search over this session's executed cells. */
import type { Handler } from "./types.js";

export const history_request: Handler = async (kernel, msg, channel) => {
  const c = msg.content as {
    output?: boolean;
    hist_access_type?: string;
    start?: number;
    stop?: number | null;
    n?: number | null;
    pattern?: string;
    unique?: boolean;
  };
  const output = c.output ?? false;
  const h = kernel.history;
  const history =
    c.hist_access_type === "range" ? h.range(c.start ?? 0, c.stop ?? null, output)
    : c.hist_access_type === "search" ? h.search(c.pattern ?? "*", c.n ?? null, c.unique ?? false, output)
    : h.tail(c.n ?? 10, output);
  await kernel.reply(channel, msg, "history_reply", { status: "ok", history });
};
