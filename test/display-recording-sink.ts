/**
 * A real DisplaySink that keeps everything it is given, in order, the way a frontend would end
 * up seeing it: each shown display's bundle as last updated, and the text written to stdout.
 */
import type { DisplayHandle, DisplaySink, MimeBundle } from "../runtime/display/sink.js";

export interface RecordedDisplay {
  id: string;
  /** Every bundle it held, the shown one first. */
  history: MimeBundle[];
  /** What it holds now. */
  current: MimeBundle;
}

export class RecordingSink implements DisplaySink {
  readonly displays: RecordedDisplay[] = [];
  /** Output in order: strings written, and displays (by reference) where they were shown. */
  readonly events: ({ kind: "write"; text: string } | { kind: "show"; display: RecordedDisplay } | { kind: "update"; id: string })[] = [];
  cleared = 0;

  constructor(readonly kind: "notebook" | "tty" | "pipe") {}

  show(bundle: MimeBundle): DisplayHandle {
    const display: RecordedDisplay = { id: `rec-${this.displays.length + 1}`, history: [bundle], current: bundle };
    this.displays.push(display);
    this.events.push({ kind: "show", display });
    return {
      id: display.id,
      update: (b: MimeBundle) => {
        display.history.push(b);
        display.current = b;
        this.events.push({ kind: "update", id: display.id });
      },
    };
  }

  clear(): void {
    this.cleared++;
  }

  write(text: string): void {
    this.events.push({ kind: "write", text });
  }

  /** All written text, concatenated. */
  get written(): string {
    return this.events.map((e) => (e.kind === "write" ? e.text : "")).join("");
  }

  /** What a saved notebook keeps: written text and each display's final text/plain, in order. */
  get savedText(): string {
    return this.events
      .map((e) => (e.kind === "write" ? e.text : e.kind === "show" ? String(e.display.current["text/plain"]) + "\n" : ""))
      .join("");
  }
}

/** A clock the test moves by hand, in seconds. */
export class ManualClock {
  t = 1000;
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds;
  }
}
