/**
 * Interrupts. A synchronous loop is broken by the SIGINT itself (scripts run with
 * `breakOnSigint`); awaited work is cancelled by rejecting the cell's promise with a
 * KeyboardInterrupt, and long-running runtime work (fit between batches) is told through
 * `requestInterrupt()` and the per-cell AbortSignal at `globalThis[Symbol.for("tsdl.interrupt")]`.
 * Either way the kernel keeps running and every variable stays as it was.
 *
 * @example const guard = interrupts.begin(); await Promise.race([cellPromise, guard.interrupted]);
 */

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
  readonly signal: AbortSignal;
  end(): void;
}

export class Interrupts {
  private current: { reject: (e: Error) => void; controller: AbortController } | null = null;
  /** Called on every interrupt (the runtime's requestInterrupt, when it exists). */
  onInterrupt: (() => void) | null = null;
  /** Called as each cell starts (the runtime's beginCell: an old stop must not hit a new cell). */
  onCellStart: (() => void) | null = null;

  /** The running cell's AbortSignal (aborted by a Stop), or undefined between cells. */
  get signal(): AbortSignal | undefined {
    return this.current?.controller.signal;
  }

  /** Listens for SIGINT for the life of the kernel (without a listener, SIGINT would kill it). */
  install(): void {
    process.on("SIGINT", () => this.interrupt());
  }

  interrupt(): void {
    const c = this.current;
    if (!c) return;
    try {
      this.onInterrupt?.();
    } catch {
      // The runtime's hook failing must not stop the interrupt itself.
    }
    c.controller.abort(new KeyboardInterrupt());
    c.reject(new KeyboardInterrupt());
  }

  begin(): CellGuard {
    try {
      this.onCellStart?.();
    } catch {
      // as for onInterrupt
    }
    const controller = new AbortController();
    let reject!: (e: Error) => void;
    const interrupted = new Promise<never>((_, rej) => (reject = rej));
    interrupted.catch(() => {});
    this.current = { reject, controller };
    (globalThis as Record<symbol, unknown>)[INTERRUPT_SIGNAL] = controller.signal;
    return {
      interrupted,
      signal: controller.signal,
      end: () => {
        this.current = null;
      },
    };
  }
}

/** True for the error Node throws when SIGINT breaks a script run with breakOnSigint. */
export function isSigintBreak(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}
