/**
 * The kernel's own diagnostics go to the process's real stderr (Jupyter shows it in the server
 * log), never into a cell's output: user-facing writes to process.stderr are captured as streams.
 * It writes to file descriptor 2 itself, so a line logged on a worker thread (the converter's,
 * the control thread's) does not pass through the main thread's captured process.stderr.
 *
 * @example log("dropped a message with a bad signature");
 */
import { writeSync } from "node:fs";

/** Writes one line prefixed with "[tsdl]" to the real stderr. */
export function log(text: string): void {
  try {
    writeSync(2, `[tsdl] ${text}\n`);
  } catch {
    // A full or closed stderr pipe: the log line is lost, the kernel goes on.
  }
}
