/**
 * Keeps Node's SIGINT watchdog running for the life of the kernel, so that running a cell's
 * script with `breakOnSigint` costs about a microsecond instead of a fifth of a millisecond.
 *
 * Node breaks a script run with `breakOnSigint` through one watchdog thread per process: the
 * first such script starts it (a thread created, SIGINT's handler swapped in), the last to end
 * stops it (the thread joined, the handler swapped out), and when JavaScript listens for SIGINT
 * every such script also removes those listeners and adds them back (two signal handles closed
 * and opened). Per cell that was ~0.2 ms of a `1 + 1` round trip's ~1 ms in the kernel, and a
 * gap on each side of every script where a SIGINT found no handler at all.
 *
 * Here a small thread runs one `breakOnSigint` script that waits forever, so the watchdog never
 * stops: a cell's script only registers with it. SIGINT goes to the newest registration — the
 * running cell's script, which Node breaks as before — or, between cells, to this thread's
 * script, which is broken instead; the thread tells the kernel (`onSigint`: what a SIGINT
 * listener did before) and waits again. For this to hold, the main thread must not listen for
 * SIGINT itself: a listener would put libuv's handler in place of the watchdog's (Interrupts
 * checks for one before each cell; see interrupt.ts).
 *
 * Started first thing by cli.ts, as the converter thread is. When it cannot start, or ends, the
 * kernel listens for SIGINT as before (`onLost`).
 *
 * @example const watch = startSigintWatch(); watch.onSigint = () => interrupts.interrupt();
 */
import { Worker } from "node:worker_threads";

/**
 * The thread's program (CommonJS, eval'd): nothing but node:vm. It stays at normal priority: Node's
 * watchdog thread, which it starts, inherits its priority and must run at once when SIGINT comes.
 */
const PROGRAM = `
const vm = require("node:vm");
const { parentPort, workerData } = require("node:worker_threads");
globalThis.__forever = workerData;
const wait = new vm.Script("Atomics.wait(globalThis.__forever, 0, 0)", { filename: "tsdl-sigint-watch" });
for (;;) {
  try {
    wait.runInThisContext({ breakOnSigint: true, displayErrors: false });
  } catch (e) {
    if (e && e.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") { parentPort.postMessage("sigint"); continue; }
    throw e;
  }
}
`;

export interface SigintWatch {
  /** Called for each SIGINT that came while no cell's script ran. */
  onSigint: () => void;
  /** Called once if the thread fails to start or ends: the kernel must listen for SIGINT itself. */
  onLost: () => void;
}

export function startSigintWatch(): SigintWatch {
  // Never notified: the thread's wait ends only when SIGINT breaks it or the process exits.
  const forever = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(PROGRAM, { eval: true, workerData: forever, name: "tsdl-sigint-watch", resourceLimits: { maxOldGenerationSizeMb: 16 } });
  worker.unref();
  const watch: SigintWatch = { onSigint: () => {}, onLost: () => {} };
  worker.on("message", (m) => {
    if (m === "sigint") watch.onSigint();
  });
  let lost = false;
  const lose = () => {
    if (!lost) {
      lost = true;
      watch.onLost();
    }
  };
  // An 'error' nobody listened to would end the process.
  worker.on("error", lose);
  worker.on("exit", lose);
  return watch;
}
