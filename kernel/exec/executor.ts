/**
 * Runs converted cells in the kernel's own realm (so `instanceof Float32Array` and the runtime's
 * classes mean the same thing in user code and in the runtime), as scripts that SIGINT can
 * break, racing the awaited part against interrupts.
 *
 * @example const ex = new Executor(interrupts); const r = await ex.run("1 + 1", "In[1]"); r.value === 2;
 */
import vm from "node:vm";
import { convertCell, type ConvertedCell } from "../convert/index.js";
import { CellRegistry } from "./traceback.js";
import { Interrupts, KeyboardInterrupt, isSigintBreak } from "./interrupt.js";

export interface RunResult {
  hasValue: boolean;
  value: unknown;
}

export class Executor {
  readonly cells = new CellRegistry();

  constructor(
    readonly interrupts: Interrupts,
    /** How cells are converted: the kernel's converter thread, or in this thread by default. */
    private readonly convert: (code: string) => Promise<ConvertedCell> = convertCell,
  ) {}

  /** Converts and runs `code` as the script named `label`; throws what the cell threw. */
  async run(code: string, label: string): Promise<RunResult> {
    let converted = null;
    try {
      converted = await this.convert(code);
    } finally {
      this.cells.add(label, code, converted);
    }
    const script = new vm.Script(converted.js, { filename: label });
    const guard = this.interrupts.begin();
    try {
      if (guard.signal.aborted) throw new KeyboardInterrupt(); // stopped before it started
      let promise: Promise<unknown>;
      try {
        promise = this.interrupts.inScript(
          () => script.runInThisContext({ breakOnSigint: true, displayErrors: false }) as Promise<unknown>,
        );
      } catch (e) {
        throw isSigintBreak(e) ? new KeyboardInterrupt() : e;
      }
      const value = await Promise.race([promise, guard.interrupted]);
      return { hasValue: converted.hasValue, value };
    } finally {
      guard.end();
    }
  }
}
