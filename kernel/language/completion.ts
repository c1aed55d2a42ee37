/**
 * complete_request: TypeScript's completions at the cursor, filtered by what is typed before
 * it, with JupyterLab's kinds in `metadata._jupyter_types_experimental`.
 *
 * @example complete(view, 10) // "network.fi|" → { matches: ["fit"], cursor_start: 8, cursor_end: 10, … }
 */
import { ts } from "ts-morph";
import { codePointOffset, utf16Offset } from "./positions.js";
import { completionSymbols, describeSymbol, kindOf } from "./symbols.js";
import type { CellView } from "./view.js";
import type { CompleteReply, CompletionType } from "./types.js";

const IDENTIFIER_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

/** JupyterLab's completion types for TypeScript's element kinds. */
const KIND: Record<string, string> = {
  function: "function", "local function": "function", method: "function", construct: "function", call: "function",
  class: "class", "local class": "class",
  interface: "interface", type: "type", "type parameter": "type", "primitive type": "keyword",
  enum: "enum", "enum member": "property",
  module: "module", "external module name": "module",
  keyword: "keyword",
  property: "property", getter: "property", setter: "property", accessor: "property",
  var: "variable", let: "variable", const: "variable", "local var": "variable", using: "variable", "await using": "variable",
  parameter: "param",
  string: "string", directory: "path", script: "path",
};

export function complete(view: CellView, cursorPos: number): CompleteReply {
  const at = utf16Offset(view.code, cursorPos);
  const info = view.ls.getCompletionsAtPosition(view.path, view.offset + at, {
    triggerKind: ts.CompletionTriggerKind.Invoked,
    includeCompletionsForModuleExports: false,
    includeCompletionsWithInsertText: false,
  });
  // String literals and import paths say what they replace; identifiers are scanned back.
  const span = info?.entries.find((e) => e.replacementSpan)?.replacementSpan;
  let start = at;
  if (span && span.start - view.offset <= at && span.start >= view.offset) start = span.start - view.offset;
  else while (start > 0 && IDENTIFIER_CHAR.test(view.code[start - 1])) start--;
  const typed = view.code.slice(start, at);
  const lower = typed.toLowerCase();

  // Underscore names are the runtime's internals (`_buf`, `_tape`): shown only when typed.
  const hidden = (name: string) => name.startsWith("_") && !typed.startsWith("_");
  const entries = (info?.entries ?? [])
    .filter((e) => e.name.toLowerCase().startsWith(lower) && !hidden(e.name))
    .sort((a, b) =>
      Number(b.name.startsWith(typed)) - Number(a.name.startsWith(typed)) ||
      (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  const seen = new Set<string>();
  const unique = entries.filter((e) => !seen.has(e.name) && seen.add(e.name));

  const cursorStart = codePointOffset(view.code, start);
  const cursorEnd = codePointOffset(view.code, at);
  const described = (e: ts.CompletionEntry, i: number) => i < SIGNATURES && e.kind !== "keyword" && e.kind !== "string";
  const wanted = new Set(unique.filter((e, i) => e.kind === "alias" || described(e, i)).map((e) => e.name));
  const ctx = wanted.size > 0 ? completionSymbols(view, view.offset + at, wanted) : null;
  const types: CompletionType[] = unique.map((e, i) => {
    const symbol = ctx?.symbols.get(e.name);
    const type = e.kind === "alias" ? (symbol && ctx ? kindOf(ctx.checker, symbol) : "module") : KIND[e.kind] ?? e.kind;
    const t: CompletionType = { start: cursorStart, end: cursorEnd, text: e.name, type };
    if (described(e, i) && symbol && ctx) t.signature = cleanSignature(describeSymbol(ctx, symbol));
    return t;
  });
  return {
    status: "ok",
    matches: unique.map((e) => e.name),
    cursor_start: cursorStart,
    cursor_end: cursorEnd,
    metadata: { _jupyter_types_experimental: types },
  };
}

/** How many matches get a signature: the first ones are what a person reads. */
const SIGNATURES = 5;

/** Drops TypeScript's "(alias)" markers and the `import x = …` / `export x` lines aliases carry. */
export function cleanSignature(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^import [\w$]+ = /.test(l) && !/^export [\w$]+$/.test(l))
    .map((l) => l.replace(/^\(alias\) /, ""))
    .join("\n");
}
