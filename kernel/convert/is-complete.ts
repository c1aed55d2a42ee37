/**
 * Whether a console's input is a whole cell (is_complete_request): "incomplete" when the only
 * syntax errors are at the end of the input (an open brace, an unfinished expression), with the
 * indent of the next line; "invalid" for any other error.
 *
 * @example isComplete("function f() {") // { status: "incomplete", indent: "  " }
 */
import { typescript } from "./typescript.js";
import { parseCell } from "./rewrite.js";

export interface IsCompleteReply {
  status: "complete" | "incomplete" | "invalid";
  indent?: string;
}

export function isComplete(code: string): IsCompleteReply {
  const { diagnostics } = parseCell(typescript(), code);
  if (diagnostics.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  if (diagnostics.every((d) => d.start >= end)) return { status: "incomplete", indent: indentFor(code) };
  return { status: "invalid" };
}

/** Two spaces per bracket still open at the end of the code. */
function indentFor(code: string): string {
  let depth = 0;
  for (const ch of code.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, "")) {
    if ("{([".includes(ch)) depth++;
    else if ("})]".includes(ch)) depth = Math.max(0, depth - 1);
  }
  return "  ".repeat(depth);
}
