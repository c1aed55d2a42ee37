/**
 * Turns a TypeScript cell into JavaScript that the executor runs as a script, with a way back
 * from a JavaScript line/column to the cell's own. Testable without sockets.
 *
 * @example const cell = await convertCell("const x = 1\nx + 1"); cell.js; cell.originalPosition(3, 8);
 */
import { loadTypeScript } from "./typescript.js";
import { rewriteCell, CellSyntaxError } from "./rewrite.js";
import { transpile } from "./transpile.js";

export { CellSyntaxError, parseCell } from "./rewrite.js";
export { loadTypeScript, preloadTypeScript } from "./typescript.js";
export { loadEsbuild } from "./transpile.js";

export interface ConvertedCell {
  js: string;
  hasValue: boolean;
  names: string[];
  /** The cell's 1-based line/column for a 1-based line/column in `js` (null if unmapped). */
  originalPosition(line: number, column: number): { line: number; column: number } | null;
}

/**
 * Notebooks re-run the same cells all the time: the conversion of a cell's exact text is kept
 * (a converted cell holds no per-run state), the 256 most recent.
 */
const cache = new Map<string, ConvertedCell>();

/** Rewrites and transpiles a cell; throws CellSyntaxError when it does not parse. */
export async function convertCell(code: string): Promise<ConvertedCell> {
  const hit = cache.get(code);
  if (hit) {
    cache.delete(code);
    cache.set(code, hit);
    return hit;
  }
  const converted = await convertUncached(code);
  cache.set(code, converted);
  if (cache.size > 256) cache.delete(cache.keys().next().value as string);
  return converted;
}

async function convertUncached(code: string): Promise<ConvertedCell> {
  const ts = await loadTypeScript();
  const rw = rewriteCell(ts, code);
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
  // Declared on the first line so that every other line keeps esbuild's numbering.
  const prefix = rw.names.length > 0 ? `var ${rw.names.join(", ")}; ` : "";
  return {
    js: prefix + t.code,
    hasValue: rw.hasValue,
    names: rw.names,
    originalPosition(line, column) {
      if (line === 1) column -= prefix.length;
      const e = t.map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
      if (e.originalLine === undefined || e.originalColumn === undefined) return null;
      // esbuild maps to the start of a token; the offset inside the token carries over.
      const genLine = (e as { generatedLine?: number }).generatedLine;
      const genCol = (e as { generatedColumn?: number }).generatedColumn;
      const delta = genLine === line - 1 && genCol !== undefined ? column - 1 - genCol : 0;
      return rw.source.originalPosition(e.originalLine, e.originalColumn + Math.max(0, delta));
    },
  };
}
