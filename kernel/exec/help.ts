/**
 * IPython's help in a cell: `model.fit?`, `?model.fit`, `model.fit??`, `layers.Dense?` answer with
 * the name's signature and documentation in the front end's pager — the execute_reply's payload
 * `{ source: "page", data: { "text/plain", "text/markdown" }, start: 0 }`, as ipykernel sends it
 * (JupyterLab shows the bundle under the cell, the classic Notebook in its pager, jupyter console
 * prints its text; jupyter_kernel_test's test_pager checks exactly this).
 *
 * Only a cell that is nothing but one such request (whitespace around it allowed) is help: a
 * dotted name with `?` or `??` before or after it. `x?` is not TypeScript, so such a cell never
 * reaches the converter; `a ? b : c`, `a?.b` and `a ?? b` are not help requests and run as code.
 *
 * The text is the language service's quick info (what Shift-Tab shows: the same path, not a copy)
 * for the name as if typed at the end of a new cell — or, when it is no value, as a type
 * (`layers.LayerOptions?`) — followed by the value's current form when it is data (a tensor, a
 * model, a number) rather than a function or class. To know that, the name is evaluated in the
 * session, as IPython does (a getter runs). `??` asks for detail
 * level 1, as IPython's does; the service answers both levels alike (TypeScript has no source to
 * show beyond the declaration). A name that is neither known to the service nor defined in the
 * session prints IPython's "Object `x` not found." and pages nothing.
 *
 * @example helpRequest("model.fit?") // { name: "model.fit", detailLevel: 0 }
 * @example helpRequest("a ? b : c")  // null
 */
import { inspect } from "node:util";
import type { Kernel } from "../kernel.js";
import type { LanguageService } from "../language-seam.js";
import { bundleOf } from "../display/bundle.js";

/** A help request: the name asked about, and 0 for `?`, 1 for `??`. */
export interface HelpRequest {
  name: string;
  detailLevel: 0 | 1;
}

/** The pager payload of an execute_reply (ipykernel's `{"source": "page", "data": …, "start": 0}`). */
export interface PagePayload {
  source: "page";
  data: Record<string, string>;
  start: number;
}

const IDENTIFIER = String.raw`[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*`;
const HELP = new RegExp(String.raw`^(\?{1,2})?\s*(${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})*)\s*(\?{1,2})?$`, "u");

/** The help request a whole cell makes, or null when the cell is code. */
export function helpRequest(code: string): HelpRequest | null {
  const m = HELP.exec(code.trim());
  if (!m) return null;
  const [, before, name, after] = m;
  // Exactly one side: `?x?` is not IPython's syntax either, and a bare name is code.
  if ((before === undefined) === (after === undefined)) return null;
  return { name: name.replace(/\s+/g, ""), detailLevel: (before ?? after)!.length === 2 ? 1 : 0 };
}

/** Longest value text added to a page (a big tensor prints NumPy's summarised form anyway). */
const VALUE_TEXT_LIMIT = 2000;

/**
 * Answers a help request: the pager payload (empty when nothing is known about the name, after
 * printing "Object `name` not found." as IPython does).
 */
export async function helpPayload(kernel: Kernel, request: HelpRequest, lang: LanguageService): Promise<PagePayload[]> {
  let data: Record<string, string> = {};
  // The name as a value (`model.fit`), else as a type (`layers.DenseOptions`, an interface).
  for (const prefix of ["", "type __tsdlHelp = "]) {
    if (!lang.inspect) break;
    const code = prefix + request.name;
    try {
      const r = await lang.inspect(code, code.length, request.detailLevel);
      // An unknown name's quick info is its error type ("any", "type x = /*unresolved*/ any"): nothing found.
      const text = String(r.data["text/plain"] ?? "").trim();
      if (r.found && text !== "any" && !text.includes("/*unresolved*/")) {
        data = { ...(r.data as Record<string, string>) };
        break;
      }
    } catch {
      // A failing service answers as if it knew nothing; the value below may still tell.
    }
  }
  // A missing property evaluates to undefined rather than throwing: that is "not defined" too.
  const evaluated = await evaluate(kernel, request.name);
  const defined = evaluated !== undefined && evaluated.value !== undefined;
  // A runtime namespace (`layers`) is documented by the service, which lists its names; its value would only repeat them.
  const namespace = /^namespace /.test(data["text/plain"] ?? "");
  const value = !defined || namespace ? null : valueText(evaluated.value);
  if (value !== null) {
    data["text/plain"] = [data["text/plain"], `Value: ${value}`].filter(Boolean).join("\n\n");
    if (data["text/markdown"] !== undefined) data["text/markdown"] += "\n\n**Value**\n```\n" + value + "\n```";
  } else if (data["text/plain"] === undefined && !defined) {
    kernel.streams.push("stdout", `Object \`${request.name}\` not found.\n`);
    return [];
  }
  // Known to neither the service nor as data (the service off, a function of the session's): Node's form.
  if (data["text/plain"] === undefined) data["text/plain"] = `${request.name}: ${inspect(evaluated!.value)}`;
  return [{ source: "page", data, start: 0 }];
}

let helpCells = 0;

/** Evaluates the name in the session; undefined when it throws (not defined, a getter failing). */
async function evaluate(kernel: Kernel, name: string): Promise<{ value: unknown } | undefined> {
  try {
    const r = await kernel.executor.run(name, `<help ${++helpCells}>`);
    return { value: r.value };
  } catch {
    return undefined;
  }
}

/**
 * The value's text for the page when it is data: what a cell showing it would print (a model's
 * line, a tensor's NumPy form); null for functions and classes (their signature says it all).
 */
function valueText(value: unknown): string | null {
  if (typeof value === "function") return null;
  const plain = bundleOf(value)["text/plain"];
  const text = typeof plain === "string" ? plain : inspect(value);
  return text.length > VALUE_TEXT_LIMIT ? text.slice(0, VALUE_TEXT_LIMIT) + " …" : text;
}
