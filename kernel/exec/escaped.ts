/**
 * What escapes a cell never ends the kernel. An error that no cell's `try` can catch any more —
 * an unhandled promise rejection, a throw in a timer, an event handler (an 'error' event nobody
 * listens to, a listener that throws), an I/O callback, setImmediate, queueMicrotask or
 * process.nextTick — is reported and the kernel keeps running with every variable; Node 20's
 * default (`--unhandled-rejections=throw`, then exit on the uncaught exception) would end the
 * process and the person's hours of state with it. `process.exit()` still ends the kernel, and
 * cleanly (exit.ts).
 *
 * Where the report goes: to the cell that is running, else to the last cell that ran — the
 * parent ipykernel gives output from background threads, and the one console.log from a timer
 * gets here too (Kernel.publish). It is a `stream` on stderr holding the traceback that a cell's
 * own error shows (its lines and columns, the failing line quoted), under a line saying what
 * escaped, as tslab prints "UnhandledPromiseRejection: …" and ipykernel "Exception in thread …".
 * Not an `error` message: outside an execute_reply of status "error" it is an error no request
 * owns — nbclient and jupyter_console attach outputs to requests, and a front end may take it for
 * the running cell's failure. For the same reason a cell that is running when an unrelated
 * background error lands is not marked failed: it runs on and replies "ok", as in ipykernel. A
 * rejection of a promise the running cell created and left unawaited is also only reported: the
 * cell's own awaited code did not fail.
 *
 * Errors thrown by the kernel's own code (no cell on the stack, the kernel's files on it) are a
 * bug in tsdl: the whole stack goes to the kernel log, and one line to the cell, so that neither
 * the person nor whoever reads the log is left guessing.
 *
 * @example reportEscapedErrors(kernel); // in Kernel.start()
 */
import type { Kernel } from "../kernel.js";
import type { Message } from "../wire/message.js";
import { mapBundleFrames, thrownIn } from "./traceback.js";
import { exitCleanly } from "./exit.js";
import { log } from "../log.js";

type EscapingKernel = Pick<Kernel, "current" | "lastExecute" | "streams" | "publish" | "executor" | "sockets">;

type Kind = "rejection" | "exception";

const HEADLINE: Record<Kind, string> = {
  rejection: "Unhandled promise rejection (nothing awaited or caught this promise; the kernel keeps running):",
  exception: "Uncaught error in a callback (a timer, event handler, I/O callback or microtask; the kernel keeps running):",
};

/**
 * Installs the process-wide handlers (once, as the kernel starts): escaped errors are reported,
 * and process.exit() exits cleanly.
 */
export function reportEscapedErrors(kernel: EscapingKernel): void {
  // With `--unhandled-rejections=strict` Node raises the rejection as an uncaught exception and,
  // once that is handled, emits unhandledRejection as well: one report is enough.
  let raisedAsException: unknown = undefined;
  process.on("unhandledRejection", (reason) => {
    if (raisedAsException !== undefined && reason === raisedAsException) {
      raisedAsException = undefined;
      return;
    }
    report(kernel, reason, "rejection");
  });
  process.on("uncaughtException", (error, origin) => {
    if (origin === "unhandledRejection") raisedAsException = error;
    report(kernel, error, origin === "unhandledRejection" ? "rejection" : "exception");
  });
  exitCleanly(kernel);
}

/** The cell whose output shows what escaped now: the running cell, else the last one. */
function parentCell(kernel: EscapingKernel): Message | null {
  const running = kernel.current?.header.msg_type === "execute_request" ? kernel.current : null;
  return running ?? kernel.lastExecute;
}

function report(kernel: EscapingKernel, error: unknown, kind: Kind): void {
  try {
    const parent = parentCell(kernel);
    let text: string;
    if (thrownIn(error) === "kernel") {
      log(`${kind === "rejection" ? "unhandled rejection" : "uncaught exception"} in the kernel's own code: ${mapBundleFrames(String((error as Error).stack))}`);
      text = `tsdl: an error escaped the kernel's own code (the kernel keeps running; its log has the stack): ${String(error)}\n`;
    } else {
      text = `${HEADLINE[kind]}\n${kernel.executor.cells.describe(error).traceback.join("\n")}\n`;
    }
    // What the cell printed before the error comes before it.
    kernel.streams.flush();
    kernel.publish("stream", { name: "stderr", text }, parent);
  } catch (e) {
    // Nothing here may throw: Node ends the process on an exception thrown by this handler.
    log(`could not report an escaped error (${printable(error)}): ${printable(e)}`);
  }
}

/** The stack of an error or `String(value)`, or a placeholder when even that throws. */
function printable(value: unknown): string {
  try {
    const stack = (value as { stack?: unknown } | null)?.stack;
    return typeof stack === "string" ? stack : String(value);
  } catch {
    return "<a value that cannot be printed>";
  }
}
