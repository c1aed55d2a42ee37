/**
 * Runs converted cells in the kernel's own realm (so `instanceof Float32Array` and the runtime's
 * classes mean the same thing in user code and in the runtime), as scripts that SIGINT can
 * break, racing the awaited part against interrupts.
 *
 * @example const ex = new Executor(interrupts); const r = await ex.run("1 + 1", "In[1]"); r.value === 2;
 */
import vm from "node:vm";
import { CellSyntaxError, convertCell, type ConvertedCell } from "../convert/index.js";
import { CellRegistry } from "./traceback.js";
import { Interrupts, KeyboardInterrupt, isSigintBreak } from "./interrupt.js";

export interface RunResult {
  hasValue: boolean;
  value: unknown;
}

export class Executor {
  readonly cells = new CellRegistry();
  /**
   * Scripts of reusable cells (ConvertedCell.reusable: a plain expression that makes no
   * function), by their conversion, which the converter's cache keeps for the cell's exact text.
   * Compiling a cell's script costs ~0.15-0.25 ms when the kernel has waited between cells (its
   * caches cold): most of a re-run `x.shape`'s time in the kernel. V8 would reuse the compiled
   * code itself for the same text, but every run has its own name (In[7]), and so its own script.
   */
  private readonly scripts = new WeakMap<ConvertedCell, { script: vm.Script; label: string }>();
  /** Where the last run's time went, in ms (read by execute.ts under TSDL_TRACE=1). */
  readonly lastTimings = { convert: 0, compile: 0 };

  constructor(
    readonly interrupts: Interrupts,
    /** How cells are converted: the kernel's converter thread, or in this thread by default. */
    private readonly convert: (code: string) => Promise<ConvertedCell> = convertCell,
  ) {}

  /** Converts and runs `code` as the script named `label`; throws what the cell threw. */
  async run(code: string, label: string): Promise<RunResult> {
    let converted = null;
    const t0 = performance.now();
    try {
      converted = await this.convert(code);
    } finally {
      this.cells.add(label, code, converted);
    }
    const t1 = performance.now();
    const { script, label: compiledAs } = this.scriptOf(converted, code, label);
    this.lastTimings.convert = t1 - t0;
    this.lastTimings.compile = performance.now() - t1;
    const guard = this.interrupts.begin();
    try {
      if (guard.stopped) throw new KeyboardInterrupt(); // stopped before it started
      let promise: Promise<unknown>;
      const breakOnSigint = this.interrupts.scriptsBreakable();
      try {
        promise = this.interrupts.inScript(
          () => script.runInThisContext({ breakOnSigint, displayErrors: false }) as Promise<unknown>,
        );
      } catch (e) {
        throw isSigintBreak(e) ? new KeyboardInterrupt() : e;
      }
      const value = await Promise.race([promise, guard.interrupted]);
      return { hasValue: converted.hasValue, value };
    } catch (e) {
      throw compiledAs === label ? e : renamed(e, compiledAs, label);
    } finally {
      guard.end();
    }
  }

  /** The cell's script, compiled now or, for a reusable cell, by an earlier run under its label then. */
  private scriptOf(converted: ConvertedCell, code: string, label: string): { script: vm.Script; label: string } {
    const earlier = converted.reusable ? this.scripts.get(converted) : undefined;
    if (earlier) {
      // The earlier run's name must still lead to the cell's text in tracebacks.
      this.cells.add(earlier.label, code, converted);
      return earlier;
    }
    const compiled = { script: compile(converted, code, label), label };
    if (converted.reusable) this.scripts.set(converted, compiled);
    return compiled;
  }
}

/**
 * An error from a run of a script compiled for an earlier run: its frames name that run's
 * script ("In[3]:2:9"), the place the person sees is this run's ("In[7]:2:9"; the text is the
 * same). Only frames of a reusable script, which leaves no function behind, so they are this
 * run's.
 */
function renamed(error: unknown, compiledAs: string, label: string): unknown {
  if (!(error instanceof Error) || typeof error.stack !== "string") return error;
  const escaped = compiledAs.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  error.stack = error.stack.replace(new RegExp(`([ (])${escaped}:(?=\\d)`, "g"), `$1${label}:`);
  return error;
}

/**
 * Compiles a converted cell. What the parser accepts but V8 refuses (a name declared twice in a
 * block, say — plain JavaScript reaches V8 without a transpiler to catch it) is the cell's
 * syntax error at its own line and column, as a parse error is.
 */
function compile(converted: ConvertedCell, code: string, label: string): vm.Script {
  try {
    return new vm.Script(converted.js, { filename: label });
  } catch (e) {
    // V8 puts the place first in the stack: "In[3]:2", the line, then a caret under the column.
    const where = e instanceof SyntaxError ? /^[^\n]*:(\d+)\n[^\n]*\n( *)\^/.exec(e.stack ?? "") : null;
    const pos = where && converted.originalPosition(Number(where[1]), where[2].length + 1);
    if (!pos) throw e;
    throw new CellSyntaxError(e instanceof Error ? e.message : String(e), pos.line, pos.column, code.split("\n")[pos.line - 1] ?? "");
  }
}
