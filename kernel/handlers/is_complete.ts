/**
 * is_complete_request: lets a console decide whether Enter runs the code or continues it.
 * "incomplete" when the only syntax errors are at the end of the input (an open brace, an
 * unfinished expression), with the indent of the next line; "invalid" for any other error.
 */
import type { Handler } from "./types.js";
import { loadTypeScript, parseCell } from "../convert/index.js";

export const is_complete_request: Handler = async (kernel, msg, channel) => {
  const code = String(msg.content.code ?? "");
  await kernel.reply(channel, msg, "is_complete_reply", await isComplete(code));
};

export async function isComplete(code: string): Promise<{ status: string; indent?: string }> {
  const ts = await loadTypeScript();
  const { diagnostics } = parseCell(ts, code);
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
