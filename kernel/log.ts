/**
 * The kernel's own diagnostics go to the process's real stderr (Jupyter shows it in the server
 * log), never into a cell's output: user-facing writes to process.stderr are captured as streams.
 *
 * @example log("dropped a message with a bad signature");
 */
const realStderrWrite = process.stderr.write.bind(process.stderr);

/** Writes one line prefixed with "[tsdl]" to the real stderr. */
export function log(text: string): void {
  realStderrWrite(`[tsdl] ${text}\n`);
}

