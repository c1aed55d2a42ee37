/**
 * `process.exit()` or `process.exit(3)` in a cell ends the kernel as ipykernel's `exit()` does:
 * with the status asked for (0 when none), after the output the cell printed, and without an
 * abort. Jupyter sees the kernel die (its restarter may start a new one).
 *
 * Node runs the 'exit' listeners before it tears down the process's threads, synchronously. The
 * one that matters is the heartbeat/control thread: zeromq's addon throws from its destructors
 * when a thread ends with sockets still open (zeromq.js#411), and a C++ exception leaving a
 * destructor is std::terminate — "terminate called after throwing an instance of 'Napi::Error'",
 * SIGABRT, a core dump. So the listener has that thread close its sockets and waits for it. The
 * same listener covers every exit: a shutdown_request, the front end's death, a library calling
 * process.exit.
 *
 * @example exitCleanly(kernel); // once; then process.exit(3) exits with status 3
 */
import type { Kernel } from "../kernel.js";
import { log } from "../log.js";

export function exitCleanly(kernel: Pick<Kernel, "streams" | "sockets">): void {
  process.on("exit", (code) => {
    log(`exiting with status ${code}`);
    try {
      // Handed to ZeroMQ now (a send goes out in the caller's tick when none is in flight), its
      // I/O thread sends it while the control thread closes; best effort, the process is ending.
      kernel.streams.flush();
    } catch (e) {
      log(`could not send the last output: ${(e as Error).message}`);
    }
    kernel.sockets.closeBeforeExit();
  });
}
