/**
 * Cells that are one plain expression — `1 + 1`, `model.summary()`, `x.shape`, `history.history.loss[4]`
 * — converted without a parser: the rewrite of such a cell is always the same wrapper around the
 * cell's text (rewrite.ts: `(async () => {\nreturn (EXPR);\n})()`), so the kernel builds it in
 * its own thread. A session's first cell then does not wait for the converter thread to load
 * TypeScript, and a new cell of this kind skips the thread's round trip.
 *
 * The test is conservative, on characters rather than syntax: every character must be one that
 * cannot open a string, template, comment, regular expression, block, type argument or statement
 * separator, brackets must nest, no word may start a declaration (nor be one of three words
 * TypeScript reads its own way), and V8 must compile the result. A property test checks that
 * whenever this answers, the full conversion gives the same text (test/kernel-convert.test.ts).
 * Under those rules the wrapper's parentheses hold exactly the cell's expression, so the cell
 * means what the full conversion makes of it; any other cell takes the full path. TypeScript-only
 * syntax in such a cell (`x as T`, `x!`) fails V8's compile and takes the full path too.
 *
 * @example simpleExpression("a.b(1) + 2")?.js // "(async () => {\nreturn (a.b(1) + 2);\n})()"
 */
import vm from "node:vm";
import { ChunkBuilder } from "./chunks.js";
import type { ConvertedData } from "./index.js";

/** Letters, digits, `_ $ .`, spaces, and the operators that cannot start anything but an operator. */
const CHARACTERS = /^[A-Za-z0-9_$.\s+\-*%=!&|^~?:,()[\]>]+$/;
/**
 * Words that declare, import or export (such a cell means something else as an expression), and
 * three that TypeScript's parser treats in ways a script does not: `await` in some positions is
 * an identifier there, `yield` likewise, and `in` makes it transpile the cell (in strict mode).
 */
const EXCLUDED_WORDS = /\b(?:in|await|yield|let|const|var|function|class|enum|interface|type|namespace|module|declare|abstract|import|export)\b/;
/** A legacy octal literal (`010`): V8's sloppy scripts take it, TypeScript's parser refuses it. */
const LEGACY_OCTAL = /(?<![\w$.])0\d/;

/** Where the expression of `code` lies when its characters pass the checks above, else null. */
function plainExpression(code: string): { start: number; end: number; statementEnd: number } | null {
  let end = code.length;
  while (end > 0 && /\s/.test(code[end - 1])) end--;
  // One closing semicolon, as a statement has; the statement ends after it (rewrite.ts anchors there).
  const statementEnd = end;
  if (end > 0 && code[end - 1] === ";") end--;
  while (end > 0 && /\s/.test(code[end - 1])) end--;
  let start = 0;
  while (start < end && /\s/.test(code[start])) start++;
  const expression = code.slice(start, end);
  if (expression === "" || !CHARACTERS.test(expression) || EXCLUDED_WORDS.test(expression) || LEGACY_OCTAL.test(expression)) return null;
  let depth = 0;
  for (const c of expression) {
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") if (--depth < 0) return null;
  }
  return depth === 0 ? { start, end, statementEnd } : null;
}

/** The conversion of `code` when it is one plain expression, else null (convert it in full). */
export function simpleExpression(code: string): ConvertedData | null {
  const at = plainExpression(code);
  if (!at) return null;
  const { start, end, statementEnd } = at;
  const out = new ChunkBuilder(code);
  out.add("(async () => {\n").add("return (", start).copy(start, end).add(");\n", code[statementEnd - 1] === ";" ? statementEnd : end).add("})()");
  const source = out.build();
  try {
    new vm.Script(source.text); // compiled, not run: only V8's syntax check
  } catch {
    return null;
  }
  // Without `=>` the expression makes no function (the characters allow no other kind), so its
  // script leaves no code behind that could run after it: a re-run may reuse it (executor.ts).
  const reusable = !code.slice(start, end).includes("=>");
  return { js: source.text, hasValue: true, names: [], prefixLength: 0, map: null, chunks: source.chunks, reusable };
}

/** Words of an expression that name no variable. */
const NOT_NAMES = new Set(["new", "typeof", "void", "delete", "instanceof", "null", "true", "false", "this", "super"]);

/**
 * Whether `code` looks like one plain expression (simpleExpression's character checks) whose every free name is already
 * defined in `scope` (`1 + 1`, `Math.max(a, 2)` once `a` exists): such a cell cannot use anything
 * the runtime would define, so it need not wait for the runtime to finish loading. Property
 * names (after `.` or `?.`) are not free names; numbers are not names.
 * @example usesOnlyDefined("1 + 1", globalThis) // true
 */
export function usesOnlyDefined(code: string, scope: object): boolean {
  // The character checks only, no V8 compile: this runs on every execute_request, cached cell or
  // not. A cell that passes them but does not compile just fails sooner, in the conversion.
  if (plainExpression(code) === null) return false;
  for (const m of code.matchAll(/\d[\w.]*|[A-Za-z_$][\w$]*/g)) {
    const word = m[0];
    if (/^\d/.test(word) || NOT_NAMES.has(word)) continue;
    let before = m.index! - 1;
    while (before >= 0 && /\s/.test(code[before])) before--;
    if (code[before] === ".") continue;
    if (!(word in scope)) return false;
  }
  return true;
}
