/**
 * Turns a TypeScript cell into JavaScript that the executor runs as a script, with a way back
 * from a JavaScript line/column to the cell's own. Testable without sockets.
 *
 * The work (parse, rewrite, transpile) produces plain data (`ConvertedData`), so the kernel can
 * do it on its converter thread (thread.ts) and rebuild the cell here; `convertCell` does it
 * in the calling thread.
 *
 * @example const cell = await convertCell("const x = 1\nx + 1"); cell.js; cell.originalPosition(3, 8);
 */
import { SourceMap } from "node:module";
import { typescript } from "./typescript.js";
import { rewriteCell, CellSyntaxError } from "./rewrite.js";
import { RewrittenSource, type Chunk } from "./chunks.js";
import { transpile } from "./transpile.js";

export { CellSyntaxError, parseCell } from "./rewrite.js";
export { typescript } from "./typescript.js";
export { loadEsbuild } from "./transpile.js";

export interface ConvertedCell {
  js: string;
  hasValue: boolean;
  names: string[];
  /** The script runs no code of its own once it has ended (see ConvertedData.reusable). */
  reusable: boolean;
  /** The cell's 1-based line/column for a 1-based line/column in `js` (null if unmapped). */
  originalPosition(line: number, column: number): { line: number; column: number } | null;
}

/** A converted cell as data (structured-clonable): what crosses from the converter thread. */
export interface ConvertedData {
  js: string;
  hasValue: boolean;
  names: string[];
  /** Length of the `var …;` declarations put in front of the transpiled code on line 1. */
  prefixLength: number;
  /**
   * The transpiler's source map (JSON), from `js` minus the prefix to the rewritten cell; null
   * when the rewritten cell is plain JavaScript and runs as it is.
   */
  map: string | null;
  /** The rewrite's mapping from the rewritten cell to the cell as typed. */
  chunks: readonly Chunk[];
  /**
   * True when the script defines no function, so nothing of it can run after the run that made
   * it (simple.ts: a plain expression without `=>`): a re-run of the same text may run the
   * script compiled for an earlier run (executor.ts). Absent: false.
   */
  reusable?: boolean;
}

/** Parses, rewrites and transpiles `code`; throws CellSyntaxError when it does not parse. */
export async function convertToData(code: string): Promise<ConvertedData> {
  const rw = rewriteCell(typescript(), code);
  // Declared on the first line so that every other line keeps the transpiler's numbering.
  const prefix = rw.names.length > 0 ? `var ${rw.names.join(", ")}; ` : "";
  const data = { hasValue: rw.hasValue, names: rw.names, prefixLength: prefix.length, chunks: rw.source.chunks };
  // Plain JavaScript (`1 + 1`, most cells that declare no types) runs as rewritten: no
  // transpiler round trip, and nothing for a first cell to wait for but the parser.
  if (rw.plainJavaScript) return { ...data, js: prefix + rw.source.text, map: null };
  let t;
  try {
    t = await transpile(rw.source.text);
  } catch (e) {
    // What TypeScript's parser accepts but esbuild refuses is still the cell's syntax error.
    const loc = (e as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors?.[0];
    if (!loc?.location) throw e;
    const pos = rw.source.originalPosition(loc.location.line - 1, loc.location.column);
    const lineText = code.split("\n")[pos.line - 1] ?? "";
    throw new CellSyntaxError(loc.text, pos.line, pos.column, lineText);
  }
  return { ...data, js: prefix + t.code, map: t.map };
}

/** The cell `data` describes (its source maps are parsed only if an error needs them). */
export function fromData(code: string, data: ConvertedData): ConvertedCell {
  let maps: { map: SourceMap | null; source: RewrittenSource } | null = null;
  return {
    js: data.js,
    hasValue: data.hasValue,
    names: data.names,
    reusable: data.reusable ?? false,
    originalPosition(line, column) {
      maps ??= { map: data.map === null ? null : new SourceMap(JSON.parse(data.map)), source: RewrittenSource.fromChunks(data.chunks, code) };
      if (line === 1) column -= data.prefixLength;
      if (!maps.map) return maps.source.originalPosition(line - 1, column - 1);
      const e = maps.map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
      if (e.originalLine === undefined || e.originalColumn === undefined) return null;
      // The transpiler maps to the start of a token; the offset inside the token carries over.
      const genLine = (e as { generatedLine?: number }).generatedLine;
      const genCol = (e as { generatedColumn?: number }).generatedColumn;
      const delta = genLine === line - 1 && genCol !== undefined ? column - 1 - genCol : 0;
      return maps.source.originalPosition(e.originalLine, e.originalColumn + Math.max(0, delta));
    },
  };
}

/**
 * Notebooks re-run the same cells all the time: the conversion of a cell's exact text is kept
 * (a converted cell holds no per-run state), the 256 most recent.
 *
 * @example const convert = cachedConverter((code) => thread.convert(code)); await convert("1 + 1");
 */
export function cachedConverter(convert: (code: string) => Promise<ConvertedCell>): (code: string) => Promise<ConvertedCell> {
  const cache = new Map<string, ConvertedCell>();
  return async (code) => {
    const hit = cache.get(code);
    if (hit) {
      cache.delete(code);
      cache.set(code, hit);
      return hit;
    }
    const converted = await convert(code);
    cache.set(code, converted);
    if (cache.size > 256) cache.delete(cache.keys().next().value as string);
    return converted;
  };
}

/** Rewrites and transpiles a cell in this thread; throws CellSyntaxError when it does not parse. */
export const convertCell = cachedConverter(async (code) => fromData(code, await convertToData(code)));
