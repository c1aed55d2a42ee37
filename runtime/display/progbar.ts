/**
 * Keras's progress bar, rendered for wherever the runtime's output goes.
 *
 * One Progbar covers one epoch (or one evaluate/predict pass). `fit` creates it at the start of
 * an epoch, calls `update(step, values)` after each batch and `finish(values)` at the end. How it
 * draws depends on the display sink:
 * - notebook: one display per epoch, replaced in place (update_display_data) at most ten times a
 *   second; its last state holds just `Epoch k/N` and the final Keras line, so a saved notebook
 *   keeps those and no fragments;
 * - tty: the line is redrawn with `\r` at most every 0.05 s, colored as Keras colors it;
 * - pipe (CI logs, files): the header and one final line per epoch.
 * verbose 0 shows nothing; verbose 2 prints `469/469 - 1s - 2ms/step - loss: …` once per epoch.
 */
import { getDisplaySink, type DisplayHandle, type DisplaySink, type MimeBundle } from "./sink.js";
import { escapeHtml } from "./html.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import {
  BAR_CHAR,
  epochHeader,
  progressLine,
  progressLineAnsi,
  progressParts,
  verbose2Line,
  type ProgressState,
} from "./progbar-format.js";

/** Metric values in display order, e.g. `[["accuracy", 0.93], ["loss", 0.25]]`. */
export type ProgbarValues = readonly (readonly [string, number])[];

/** Options of `new Progbar(...)`. */
export interface ProgbarOptions {
  /** Steps in the epoch (batches), a positive integer. */
  target: number;
  /** 0 silent, 1 live bar (default), 2 one line per epoch — as Keras. */
  verbose?: 0 | 1 | 2;
  /** The epoch this bar covers, counted from 0 as Keras callbacks count (shown as `Epoch epoch+1/epochs`). */
  epoch?: number;
  /** Total epochs; with `epoch`, the bar prints the `Epoch k/N` header. */
  epochs?: number;
  /** Where to draw; the current display sink by default. */
  sink?: DisplaySink;
  /** Seconds on a monotonic clock; `performance.now() / 1000` by default (tests pass their own). */
  now?: () => number;
  /** Minimum seconds between redraws; 0.1 in a notebook (≈10 updates/s), 0.05 in a terminal. */
  interval?: number;
  /** The unit after the time per step (`ms/step`). Default "step". */
  unitName?: string;
}

const PROGBAR_OPTIONS: OptionTable<ProgbarOptions> = { target: true, verbose: true, epoch: true, epochs: true, sink: true, now: true, interval: true, unitName: true };

/**
 * A Keras-style progress bar for one epoch.
 *
 * @example
 * const bar = new Progbar({ target: 469, verbose: 1, epoch: 0, epochs: 5 });
 * for (let step = 1; step <= 469; step++) bar.update(step, [["accuracy", acc], ["loss", loss]]);
 * bar.finish([["accuracy", acc], ["loss", loss], ["val_accuracy", vacc], ["val_loss", vloss]]);
 */
export class Progbar {
  /** Steps in the epoch: the bar is full when `update(target)` or `finish()` is called. */
  readonly target: number;
  /** 0 shows nothing, 1 a live bar, 2 one line at the end of the epoch (as Keras). */
  readonly verbose: 0 | 1 | 2;
  private readonly sink: DisplaySink;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly unit: string;
  private readonly header: string | null;
  private readonly start: number;
  private timeAfterFirstStep: number | null = null;
  private lastDraw = -Infinity;
  private current = 0;
  private values: ProgbarValues = [];
  private handle: DisplayHandle | null = null;
  private ttyWidth = 0;
  private finished = false;

  constructor(options: WithSnakeCase<ProgbarOptions>) {
    const o = checkOptions("Progbar", options, PROGBAR_OPTIONS);
    const { target, verbose = 1, epoch, epochs } = o;
    if (!Number.isInteger(target) || target < 1) {
      throw new Error(`Progbar: target must be a positive integer (the number of steps), received ${String(target)}`);
    }
    if (verbose !== 0 && verbose !== 1 && verbose !== 2) {
      throw new Error(`Progbar: verbose must be 0, 1 or 2, received ${String(verbose)}`);
    }
    this.target = target;
    this.verbose = verbose;
    this.sink = o.sink ?? getDisplaySink();
    this.now = o.now ?? (() => performance.now() / 1000);
    this.interval = o.interval ?? (this.sink.kind === "notebook" ? 0.1 : 0.05);
    this.unit = o.unitName ?? "step";
    this.header = epoch !== undefined && epochs !== undefined ? epochHeader(epoch, epochs) : null;
    this.start = this.now();
    this.begin();
  }

  /**
   * Records that `step` steps are done, with the running values; redraws when the last redraw is
   * older than the interval. `values` may be a function, called only when the bar redraws, so a
   * GPU loop reads its loss back only then.
   * @example bar.update(step, [["accuracy", 0.93], ["loss", 0.25]])
   */
  update(step: number, values: ProgbarValues | (() => ProgbarValues) = []): void {
    if (this.finished) return;
    const now = this.now();
    this.track(step, now);
    if (this.verbose !== 1 || now - this.lastDraw < this.interval) return;
    this.values = typeof values === "function" ? values() : values;
    this.lastDraw = now;
    this.draw(now, false);
  }

  /**
   * Ends the epoch: the bar shows the final Keras line, validation values included.
   * @example bar.finish([["accuracy", 0.93], ["loss", 0.25], ["val_accuracy", 0.96], ["val_loss", 0.13]])
   */
  finish(values: ProgbarValues = this.values): void {
    if (this.finished) return;
    this.finished = true;
    const now = this.now();
    this.track(this.target, now);
    this.values = values;
    if (this.verbose === 1) this.draw(now, true);
    else if (this.verbose === 2) this.sink.write(verbose2Line(this.state(now, true)) + "\n");
  }

  /**
   * Ends the bar where it is, for an epoch cut short (interrupt, early stop inside an epoch): the
   * line stays at the last step reached, without colors, and a terminal moves to a new line.
   * @example bar.stop()
   */
  stop(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.verbose === 0) return;
    const now = this.now();
    const s = { ...this.state(now, false), finished: true, current: this.current };
    if (this.verbose === 2) this.sink.write(verbose2Line(s) + "\n");
    else if (this.sink.kind === "notebook") this.handle?.update(notebookBundle(this.header, s));
    else this.sink.write(`${this.sink.kind === "tty" ? "\r" : ""}${progressLine(s)}${" ".repeat(Math.max(this.ttyWidth - [...progressLine(s)].length, 0))}\n`);
  }

  /**
   * The bar's current text/plain, as a notebook would save it (no colors).
   * @example bar.text() // "Epoch 1/5\n469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - loss: 0.2580"
   */
  text(): string {
    return this.plain(this.state(this.now(), this.finished));
  }

  private begin(): void {
    if (this.verbose === 0) return;
    if (this.verbose === 1 && this.sink.kind === "notebook") {
      this.handle = this.sink.show(this.header !== null ? { "text/plain": this.header } : { "text/plain": "" });
    } else if (this.header !== null) {
      this.sink.write(this.header + "\n");
    }
  }

  /** Keras's step-time estimate: after step 1, the first step (graph building, warm-up) is left out. */
  private track(step: number, now: number): void {
    this.current = Math.min(Math.max(step, 0), this.target);
    if (this.current === 1 && this.timeAfterFirstStep === null) this.timeAfterFirstStep = now;
  }

  private timePerStep(now: number): number {
    if (this.current === 0) return 0;
    if (this.timeAfterFirstStep !== null && this.current > 1) {
      return (now - this.timeAfterFirstStep) / (this.current - 1);
    }
    return (now - this.start) / this.current;
  }

  private state(now: number, finished: boolean): ProgressState {
    return {
      current: finished ? this.target : this.current,
      target: this.target,
      elapsed: now - this.start,
      timePerStep: this.timePerStep(now),
      values: this.values,
      finished,
      unit: this.unit,
    };
  }

  private plain(s: ProgressState): string {
    const line = progressLine(s);
    return this.header !== null ? `${this.header}\n${line}` : line;
  }

  private draw(now: number, finished: boolean): void {
    const s = this.state(now, finished);
    if (this.sink.kind === "notebook") {
      this.handle?.update(notebookBundle(this.header, s));
    } else if (this.sink.kind === "tty") {
      // Pad with spaces so a shorter line wipes the end of a longer one drawn before it.
      const plainWidth = [...progressLine(s)].length;
      const pad = " ".repeat(Math.max(this.ttyWidth - plainWidth, 0));
      this.ttyWidth = plainWidth;
      this.sink.write(`\r${progressLineAnsi(s)}${pad}${finished ? "\n" : ""}`);
    } else if (finished) {
      this.sink.write(progressLine(s) + "\n");
    }
  }
}

/**
 * The notebook's bundle for one state of the bar: text/plain (colors only while running, so the
 * saved final line is clean text) and text/html (the same line with a green bar).
 */
export function notebookBundle(header: string | null, s: ProgressState): MimeBundle {
  const line = s.finished ? progressLine(s) : progressLineAnsi(s);
  const p = progressParts(s);
  const html =
    `<div class="tsdl-progbar" style="font-family:var(--jp-code-font-family,monospace);` +
    `font-size:var(--jp-code-font-size,13px);white-space:pre;line-height:1.4">` +
    (header !== null ? `${escapeHtml(header)}\n` : "") +
    `<b>${escapeHtml(p.count)}</b> ` +
    `<span style="color:#2e9e44">${BAR_CHAR.repeat(p.done)}</span>` +
    `<span style="color:#c8c8c8">${BAR_CHAR.repeat(p.rest)}</span> ` +
    `<b>${escapeHtml(p.time)}</b> ${escapeHtml(p.perStep)}${escapeHtml(p.values)}</div>`;
  return { "text/plain": header !== null ? `${header}\n${line}` : line, "text/html": html };
}
