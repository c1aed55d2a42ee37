/**
 * Interrupts. Awaited work is cancelled by rejecting the cell's promise with a KeyboardInterrupt,
 * and long-running runtime work (fit between batches) is told through `requestInterrupt()` and
 * the per-cell AbortSignal at `globalThis[Symbol.for("tsdl.interrupt")]`. A synchronous loop in
 * the cell's script is broken by SIGINT (scripts run with `breakOnSigint`). Either way the kernel
 * keeps running and every variable stays as it was.
 *
 * An interrupt_request arrives on the control thread, which first asks this thread by message
 * (`fromControl`) and raises SIGINT only when this thread has not answered within
 * SIGNAL_AFTER_MS while it runs a cell's script. SIGINT is not raised at once because, unless
 * SIGINT's watchdog thread runs (sigint-watch.ts), Node swaps SIGINT handling around each script
 * (listeners removed, a watchdog, listeners restored), and a signal that lands in those gaps is
 * lost — a Stop while `await input()` waited, sent the moment the prompt arrived, was sometimes
 * never seen; and a message needs no signal at all. The state both threads read is `shared`;
 * the control thread writes the Stop's request number into it before it posts, so a cell whose
 * thread was busy (type check, transpile) when the Stop came sees it as it starts.
 *
 * @example const guard = interrupts.begin(); await Promise.race([cellPromise, guard.interrupted]);
 */

import type { SigintWatch } from "./sigint-watch.js";
import { log } from "../log.js";

/** Raised in a cell that was interrupted; named like Python's, which people recognise. */
export class KeyboardInterrupt extends Error {
  constructor(message = "the cell was interrupted") {
    super(message);
    this.name = "KeyboardInterrupt";
  }
}

/** The global through which user code and the runtime see the running cell's AbortSignal. */
export const INTERRUPT_SIGNAL = Symbol.for("tsdl.interrupt");

export interface CellGuard {
  /** Rejects with KeyboardInterrupt when an interrupt arrives while the cell runs. */
  readonly interrupted: Promise<never>;
  /** True once a Stop came for the cell (its signal, when made, is aborted). */
  readonly stopped: boolean;
  /** The cell's AbortSignal, made on first use. */
  readonly signal: AbortSignal;
  end(): void;
}

/** Slots of `Interrupts.shared`. */
export const SHARED = {
  /** Bumped each time this thread has taken an interrupt request from the control thread. */
  ack: 0,
  /** The running execute_request's number (bumped as each one starts). */
  cell: 1,
  /** 1 while the cell's script runs synchronously (where SIGINT can break it), else 0. */
  inScript: 2,
  /** The request number the last Stop was for: a cell starting in that request is stopped. */
  stop: 3,
} as const;

/** How long the control thread waits for this thread before it raises SIGINT. */
export const SIGNAL_AFTER_MS = 100;

export class Interrupts {
  private current: RunningCell | null = null;
  /** State shared with the control thread (slots in SHARED). */
  readonly shared = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  /** Called on every interrupt (the runtime's requestInterrupt, when it exists). */
  onInterrupt: (() => void) | null = null;
  /** Called as each cell starts (the runtime's beginCell: an old stop must not hit a new cell). */
  onCellStart: (() => void) | null = null;

  /** The running cell's AbortSignal (aborted by a Stop), or undefined between cells. */
  get signal(): AbortSignal | undefined {
    return this.current?.signal;
  }

  /** This thread's SIGINT listener, once added. */
  private listener: (() => void) | null = null;
  /** The watchdog thread that takes SIGINT between cells (sigint-watch.ts), while it runs. */
  private watch: SigintWatch | null = null;

  /**
   * Takes SIGINT for the life of the kernel (unhandled, it would kill the process): through
   * `watch` when there is one, else, or once it is lost, through a listener on this thread.
   */
  install(watch?: SigintWatch): void {
    if (!watch) return this.listen();
    this.watch = watch;
    watch.onSigint = () => this.interrupt();
    watch.onLost = () => {
      this.watch = null;
      this.listen();
    };
  }

  private listen(): void {
    if (this.listener) return;
    this.listener = () => this.interrupt();
    process.on("SIGINT", this.listener);
  }

  /**
   * Whether the next cell's script may run with `breakOnSigint`. Always, except in one case: with
   * the watchdog thread running, a SIGINT listener that cell code added has put libuv's handler
   * in place of the watchdog's, and Node would remove that listener around the script, leaving
   * SIGINT unhandled (it would kill the kernel). Then scripts run unbreakable — a Stop still ends
   * awaited work and fit, not a synchronous loop — and this thread listens too, so a SIGINT
   * still stops the cell. The kernel log says so, once.
   */
  scriptsBreakable(): boolean {
    if (!this.watch || process.listenerCount("SIGINT") === 0) return true;
    if (!this.listener) {
      log("a cell listens for SIGINT: from now on Stop cannot break a synchronous loop (see kernel/exec/sigint-watch.ts)");
      this.listen();
    }
    return false;
  }

  interrupt(): void {
    const c = this.current;
    if (!c) {
      // Between execute_input and the script (loading, type check, transpiling): the cell is
      // stopped as it starts. Between requests the number is an ended request's, so the next
      // cell runs: a Stop then has nothing to stop, as in ipykernel.
      Atomics.store(this.shared, SHARED.stop, Atomics.load(this.shared, SHARED.cell));
      return;
    }
    try {
      this.onInterrupt?.();
    } catch {
      // The runtime's hook failing must not stop the interrupt itself.
    }
    c.stop();
  }

  /**
   * Numbers a new execute_request, before its execute_input: a Stop from here to its reply
   * stops its cell, and a Stop for an earlier request does not. @example interrupts.openRequest();
   */
  openRequest(): void {
    Atomics.add(this.shared, SHARED.cell, 1);
  }

  /**
   * An interrupt_request the control thread forwarded while request number `cell` ran: it stops
   * that request's cell (not a later one, should the message arrive after it ended) and tells
   * the control thread that no signal is needed.
   */
  fromControl(cell: number): void {
    Atomics.add(this.shared, SHARED.ack, 1);
    Atomics.notify(this.shared, SHARED.ack);
    if (cell === Atomics.load(this.shared, SHARED.cell)) this.interrupt();
  }

  /**
   * True when a Stop came for the running request, even one this thread has not handled yet
   * (the control thread writes its number into `shared` first): what a blocked `prompt()` checks
   * when it wakes. @example if (interrupts.stopRequested()) throw new KeyboardInterrupt();
   */
  stopRequested(): boolean {
    return Atomics.load(this.shared, SHARED.stop) === Atomics.load(this.shared, SHARED.cell) || (this.current?.stopped ?? false);
  }

  /** Runs `script` (a cell's synchronous part) marked as breakable by SIGINT. */
  inScript<T>(script: () => T): T {
    Atomics.store(this.shared, SHARED.inScript, 1);
    try {
      return script();
    } finally {
      Atomics.store(this.shared, SHARED.inScript, 0);
    }
  }

  begin(): CellGuard {
    try {
      this.onCellStart?.();
    } catch {
      // as for onInterrupt
    }
    let reject!: (e: Error) => void;
    const interrupted = new Promise<never>((_, rej) => (reject = rej));
    interrupted.catch(() => {});
    const cell = new RunningCell(reject);
    this.current = cell;
    if (Atomics.load(this.shared, SHARED.stop) === Atomics.load(this.shared, SHARED.cell)) cell.stop();
    publishSignal(this);
    return {
      interrupted,
      get stopped() {
        return cell.stopped;
      },
      get signal() {
        return cell.signal;
      },
      end: () => {
        this.current = null;
        // Between cells no signal is published: work started later (the idle warm-up's fit)
        // must not take an ended cell's, which a Stop may have aborted.
        if (published === this) published = null;
      },
    };
  }
}

/**
 * A cell from its script's start to its end. Its AbortSignal is made when first asked for (by
 * the runtime's fit, or a cell that reads it): an AbortController costs ~10-60 µs, and most
 * cells never look at it.
 */
class RunningCell {
  stopped = false;
  private controller: AbortController | null = null;

  constructor(private readonly reject: (e: Error) => void) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort(new KeyboardInterrupt());
    }
    return this.controller.signal;
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort(new KeyboardInterrupt());
    this.reject(new KeyboardInterrupt());
  }
}

/** The Interrupts whose running cell's signal `globalThis[INTERRUPT_SIGNAL]` gives (null: none). */
let published: Interrupts | null = null;
/** Whether `globalThis[INTERRUPT_SIGNAL]` is publishSignal's getter (code that assigns it replaces it). */
let getterInstalled = false;

/**
 * Makes `globalThis[INTERRUPT_SIGNAL]` the running cell's signal, looked up when it is read (a
 * getter, defined once): the signal is made only for a reader. Assigning the global (a test
 * standing in for the kernel) turns it back into a plain value until the next cell starts.
 */
function publishSignal(interrupts: Interrupts): void {
  published = interrupts;
  if (getterInstalled) return;
  getterInstalled = true;
  Object.defineProperty(globalThis, INTERRUPT_SIGNAL, {
    get: () => published?.signal,
    set: (value: unknown) => {
      getterInstalled = false;
      Object.defineProperty(globalThis, INTERRUPT_SIGNAL, { value, writable: true, configurable: true, enumerable: false });
    },
    configurable: true,
    enumerable: false,
  });
}

/** True for the error Node throws when SIGINT breaks a script run with breakOnSigint. */
export function isSigintBreak(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}
