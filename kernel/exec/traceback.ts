/**
 * Turns an error thrown by a cell into Jupyter's ename / evalue / traceback, with every frame
 * that ran a cell shown at the line and column the user sees in that cell (through the
 * rewrite's and esbuild's source maps), the kernel's own frames left out, and the failing line
 * quoted with a caret.
 *
 * @example const { ename, evalue, traceback } = cells.describe(err);
 */
import { inspect } from "node:util";
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ConvertedCell } from "../convert/index.js";
import { CellSyntaxError } from "../convert/index.js";
import { KERNEL_DIR as KERNEL_FOLDER } from "../paths.js";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

interface CellRecord {
  code: string;
  converted: ConvertedCell | null;
}

const KERNEL_DIR = fileURLToPath(KERNEL_FOLDER);
const RED = "\x1b[0;31m";
const RESET = "\x1b[0m";
const CELL_LOCATION = /((?:In\[\d+\])|(?:<cell \d+>)):(\d+):(\d+)/g;

/**
 * Whose code threw `error`, read from its stack: a cell's (a frame of a cell is on it), the
 * kernel's own (frames of the kernel, none of a cell), or another's (the runtime, a package, Node
 * itself, or no stack at all — all of them the user's business).
 *
 * @example if (thrownIn(e) === "kernel") log(`a bug in tsdl: ${e.stack}`);
 */
export function thrownIn(error: unknown): "cell" | "kernel" | "other" {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== "string") return "other";
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
  if (frames.some((l) => new RegExp(CELL_LOCATION.source).test(l))) return "cell";
  return frames.some((l) => l.includes(KERNEL_DIR)) ? "kernel" : "other";
}

const BUNDLE_LOCATION = /(file:\/\/[^\s)]*\.bundle\.js):(\d+):(\d+)/;
const bundleMaps = new Map<string, { map: SourceMap; dir: string } | null>();

/** A stack (or any text) with every location in a bundle shown in its source (mapBundleFrame). */
export function mapBundleFrames(stack: string): string {
  return stack.split("\n").map(mapBundleFrame).join("\n");
}

/**
 * A frame in a bundle (the runtime's, kernel/runtime-seam.ts; the kernel's, kernel/paths.ts)
 * shown where it is in the TypeScript it came from (`…/runtime/tensor/shape.ts:42:11`), through
 * the source map the build writes next to the bundle.
 */
function mapBundleFrame(frame: string): string {
  const m = BUNDLE_LOCATION.exec(frame);
  if (!m) return frame;
  const file = fileURLToPath(m[1]);
  if (!bundleMaps.has(file)) {
    try {
      bundleMaps.set(file, { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8"))), dir: dirname(file) });
    } catch {
      bundleMaps.set(file, null);
    }
  }
  const found = bundleMaps.get(file);
  const e = found?.map.findEntry(Number(m[2]) - 1, Number(m[3]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (!found || !e?.originalSource || e.originalLine === undefined || e.originalColumn === undefined) return frame;
  const source = pathToFileURL(resolve(found.dir, e.originalSource)).href;
  return frame.replace(m[0], `${source}:${e.originalLine + 1}:${e.originalColumn + 1}`);
}

export class CellRegistry {
  private readonly cells = new Map<string, CellRecord>();

  /** Remembers a cell under the name its script runs as (e.g. "In[3]"). */
  add(label: string, code: string, converted: ConvertedCell | null): void {
    this.cells.set(label, { code, converted });
    if (this.cells.size > 2000) this.cells.delete(this.cells.keys().next().value as string);
  }

  /** Maps "In[3]:7:12"-style JavaScript locations in `text` to the cell's own lines and columns. */
  mapLocations(text: string): string {
    return text.replace(CELL_LOCATION, (all, label: string, l: string, c: string) => {
      const pos = this.cells.get(label)?.converted?.originalPosition(Number(l), Number(c));
      return pos ? `${label}:${pos.line}:${pos.column}` : all;
    });
  }

  /** The frame of the script calling the cell's async wrapper (`})()` on the last line) is noise. */
  private isWrapperCall(frame: string): boolean {
    const m = /((?:In\[\d+\])|(?:<cell \d+>)):(\d+):(\d+)\)?$/.exec(frame);
    const js = m && this.cells.get(m[1])?.converted?.js;
    if (!js) return false;
    return Number(m[2]) === js.trimEnd().split("\n").length && /^\s+at (?:In\[|<cell )/.test(frame);
  }

  describe(error: unknown): ErrorContent {
    if (error instanceof CellSyntaxError) return this.describeSyntax(error);
    if (!(error instanceof Error)) {
      const evalue = inspect(error);
      return { ename: "Uncaught", evalue, traceback: [`${RED}Uncaught${RESET} ${evalue}`] };
    }
    const ename = error.name || error.constructor?.name || "Error";
    const evalue = error.message ?? "";
    const frames = (error.stack ?? "")
      .split("\n")
      .filter((l) => /^\s+at /.test(l))
      // Node's own frames (node:events, node:internal/…, node:vm) and the kernel's say nothing
      // about the user's code; frames in the user's packages stay.
      .filter((l) => !l.includes(KERNEL_DIR) && !/[( ]node:[a-z_/]+[:)]/.test(l))
      .filter((l) => !this.isWrapperCall(l))
      .map((l) => mapBundleFrame(this.mapLocations(l)));
    const traceback = [`${RED}${ename}${RESET}: ${evalue}`, ...frames];
    const first = frames.map((f) => /((?:In\[\d+\])|(?:<cell \d+>)):(\d+):(\d+)/.exec(f)).find((m) => m);
    if (first) traceback.push("", ...this.excerpt(first[1], Number(first[2]), Number(first[3])));
    return { ename, evalue, traceback };
  }

  private describeSyntax(e: CellSyntaxError): ErrorContent {
    const lineNo = String(e.line);
    return {
      ename: "SyntaxError",
      evalue: e.message,
      traceback: [
        `${RED}SyntaxError${RESET}: ${e.description}`,
        `  line ${e.line}, column ${e.column}:`,
        `${lineNo} | ${e.sourceLine}`,
        `${" ".repeat(lineNo.length)} | ${" ".repeat(Math.max(0, e.column - 1))}^`,
      ],
    };
  }

  /** The lines around `line` of a cell, the failing one marked. */
  private excerpt(label: string, line: number, column: number): string[] {
    const code = this.cells.get(label)?.code;
    if (code === undefined) return [];
    const lines = code.split("\n");
    const out = [`${label}, line ${line}:`];
    const width = String(Math.min(lines.length, line + 1)).length;
    for (let n = Math.max(1, line - 2); n <= Math.min(lines.length, line + 1); n++) {
      const mark = n === line ? `${RED}---->${RESET}` : "     ";
      out.push(`${mark} ${String(n).padStart(width)} | ${lines[n - 1]}`);
      if (n === line) out.push(`      ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}^`);
    }
    return out;
  }
}
