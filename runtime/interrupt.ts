/**
 * A process-wide "stop requested" flag that long synchronous loops poll.
 *
 * The kernel sets it when the user presses Stop (SIGINT or interrupt_request); `fit`, `evaluate`
 * and `predict` call `checkInterrupt()` between batches, so a stop lands on a batch boundary and
 * the weights of the last finished batch are kept. A flag (not an exception thrown from a signal
 * handler) is used because JavaScript cannot be pre-empted inside a synchronous loop.
 */

let requested = false;

/**
 * Asks the running loop (fit, evaluate, predict) to stop at its next batch boundary.
 * @example process.on("SIGINT", () => requestInterrupt());
 */
export function requestInterrupt(): void {
  requested = true;
}

/**
 * Forgets a pending request (the kernel calls this before each cell).
 * @example clearInterrupt();
 */
export function clearInterrupt(): void {
  requested = false;
}

/**
 * True while a stop is pending.
 * @example if (interruptRequested()) return;
 */
export function interruptRequested(): boolean {
  return requested;
}

/**
 * Throws an Error named "KeyboardInterrupt" (as Python's) when a stop is pending, and clears the
 * flag so that the next cell runs normally.
 * @example for (const batch of batches) { checkInterrupt(); step(batch); }
 */
export function checkInterrupt(signal?: AbortSignal): void {
  if (!requested && !signal?.aborted) return;
  requested = false;
  const err = new Error("KeyboardInterrupt: execution interrupted by the user");
  err.name = "KeyboardInterrupt";
  throw err;
}

/**
 * The AbortSignal of the cell running now, as the kernel publishes it (undefined in a plain
 * process). A loop takes it when it starts and passes it to checkInterrupt: the flag alone is
 * cleared as the next cell starts, so a Stop that ended a cell while its `fit` waited between
 * batches, with a cell queued behind it, was forgotten and the fit trained on in the background.
 * @example const signal = cellSignal(); for (…) { checkInterrupt(signal); step(); }
 */
export function cellSignal(): AbortSignal | undefined {
  return (globalThis as Record<symbol, unknown>)[Symbol.for("tsdl.interrupt")] as AbortSignal | undefined;
}
