/**
 * How the runtime shows things without knowing Jupyter exists.
 *
 * The runtime (progress bars, plots, images, summaries) talks only to the current
 * `DisplaySink`. From plain Node the default sink writes text/plain to the terminal; the kernel
 * installs its own sink at start-up that turns the same calls into display_data and
 * update_display_data messages on the cell that is running.
 */

/** A MIME bundle: `{ "text/plain": "...", "image/svg+xml": "...", ... }`. */
export type MimeBundle = Record<string, unknown>;

/** The symbol an object implements to return its own MIME bundle (`[DISPLAY]()`). */
export const DISPLAY: unique symbol = Symbol.for("tsdl.display") as never;

export interface Displayable {
  [DISPLAY](): MimeBundle;
}

/** One shown output that can be replaced in place. */
export interface DisplayHandle {
  /** The display id (transient, as Jupyter's display_id). */
  readonly id: string;
  /** Replaces what this handle shows. */
  update(bundle: MimeBundle): void;
}

export interface DisplaySink {
  /**
   * "notebook" when outputs can be updated in place by id (the kernel); "tty" for a terminal
   * that can redraw a line with `\r`; "pipe" when only whole lines make sense (CI logs, files).
   */
  readonly kind: "notebook" | "tty" | "pipe";
  /** Shows a bundle under the running cell (or prints its text/plain) and returns its handle. */
  show(bundle: MimeBundle): DisplayHandle;
  /** Clears the running cell's output (`wait`: when the next output arrives). */
  clear(wait?: boolean): void;
  /** Writes plain text to standard output as the user's own prints would go. */
  write(text: string): void;
}

let nextId = 0;

/**
 * The sink used from plain Node: text/plain to stdout.
 * @example setDisplaySink(new TerminalSink(process.stderr)); // progress and plots go to stderr
 */
export class TerminalSink implements DisplaySink {
  readonly kind: "tty" | "pipe";
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.kind = out.isTTY ? "tty" : "pipe";
  }
  /**
   * Prints the bundle's text/plain; the handle prints again on update (a terminal cannot replace it).
   * @example new TerminalSink().show({ "text/plain": "hello" }).update({ "text/plain": "bye" });
   */
  show(bundle: MimeBundle): DisplayHandle {
    this.write(textOf(bundle) + "\n");
    const id = `tsdl-terminal-${++nextId}`;
    return { id, update: (b: MimeBundle) => this.write(textOf(b) + "\n") };
  }
  /**
   * Clears a terminal screen; does nothing in a pipe.
   * @example new TerminalSink().clear();
   */
  clear(): void {
    if (this.kind === "tty") this.out.write("\x1b[2J\x1b[H");
  }
  /**
   * Writes text as it is.
   * @example new TerminalSink().write("Epoch 1/5\n");
   */
  write(text: string): void {
    this.out.write(text);
  }
}

function textOf(bundle: MimeBundle): string {
  const t = bundle["text/plain"];
  return typeof t === "string" ? t : JSON.stringify(t);
}

let current: DisplaySink | null = null;

/**
 * The sink in use; a TerminalSink on stdout unless the kernel installed its own.
 * @example getDisplaySink().show({ "text/plain": "done", "text/html": "<b>done</b>" });
 */
export function getDisplaySink(): DisplaySink {
  return (current ??= new TerminalSink());
}

/**
 * Installs a sink (the kernel does this once at start-up). Returns the previous one.
 * @example const previous = setDisplaySink(new TerminalSink(process.stderr));
 */
export function setDisplaySink(sink: DisplaySink): DisplaySink | null {
  const previous = current;
  current = sink;
  return previous;
}
