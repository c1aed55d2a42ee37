/**
 * The execute path, run once while the kernel waits for its first cell. V8 compiles a function
 * the first time it is called and its inline caches start empty, so a session's first cell used
 * to pay for every function on its way — reading the request, the cell's conversion, the
 * script, the value's display, the error's traceback, the messages out — ~4 ms of its ~6 in the
 * kernel (TSDL_TRACE=1), against ~1 ms for the same cell later. The rehearsal calls the same
 * functions with a cell of its own, one that returns a value and one that throws, and sends
 * nothing to the client: no message, no history, no execution count. The language service gets
 * one message it ignores (client.ts, rehearse), and adds no cell to the session.
 *
 * The kernel runs it once no request has come for a moment (kernel.ts, startWhenQuiet: a client
 * sends kernel_info and often a cell right after it, which must not wait), before it loads the
 * runtime; shell requests that come meanwhile wait for it (a few milliseconds).
 *
 * @example await rehearseExecute(kernel); // kernel.ts, once
 */
import type { Kernel } from "../kernel.js";
import { deserialize, makeHeader, serialize } from "../wire/message.js";
import { usesOnlyDefined } from "../convert/simple.js";
import { helpRequest } from "./help.js";
import { bundleOf } from "../display/bundle.js";
import { languageService } from "../language-seam.js";

/** Cells as people write them, not `1 + 1`: a value to display and an error to describe. */
const VALUE_CELL = "Math.max(0.5, 2) * [3].length";
const ERROR_CELL = "Number.prototype.toFixed.call(null)";
/** The rehearsal's scripts are named like silent cells' (never shown: nothing is sent). */
const LABEL = "<rehearsal>";

export async function rehearseExecute(kernel: Kernel): Promise<void> {
  const { signer } = kernel.sockets;
  (await languageService()).rehearse?.();
  for (const code of [VALUE_CELL, ERROR_CELL]) {
    // The request as it arrives: framed, signed, verified and parsed.
    const request = deserialize(
      serialize({ identities: [], header: makeHeader("execute_request", kernel.session), parent_header: {}, metadata: {}, content: { code, silent: false }, buffers: [] }, signer),
      signer,
    );
    const cell = String(request.content.code);
    helpRequest(cell);
    usesOnlyDefined(cell, globalThis);
    let content: Record<string, unknown>;
    try {
      const r = await kernel.executor.run(cell, LABEL);
      content = { execution_count: 0, data: bundleOf(r.value), metadata: {} };
    } catch (e) {
      content = { ...kernel.executor.cells.describe(e) };
    }
    // What the reply and the outputs cost, without sending them.
    serialize({ identities: request.identities, header: makeHeader("execute_result", kernel.session), parent_header: request.header, metadata: {}, content, buffers: [] }, signer);
  }
}
