/**
 * inspect_request (Shift-Tab): the signature and documentation of the name at the cursor, or of
 * the function whose arguments the cursor is in. User symbols show their inferred types.
 *
 * @example inspect(view, 12) // "model.fit(x|" → text/plain "(method) Sequential.fit(…): Promise<History>\n\nTrains …"
 */
import { ts } from "ts-morph";
import { utf16Offset } from "./positions.js";
import { cleanSignature } from "./completion.js";
import { callableConstant, describeNamespace } from "./symbols.js";
import type { CellView } from "./view.js";
import type { InspectReply } from "./types.js";

const IDENTIFIER_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

interface Found {
  signature: string;
  documentation: string;
  tags: readonly ts.JSDocTagInfo[];
}

export function inspect(view: CellView, cursorPos: number): InspectReply {
  const at = utf16Offset(view.code, cursorPos);
  const found = quickInfo(view, at) ?? signatureHelp(view, at);
  if (!found) return { status: "ok", found: false, data: {}, metadata: {} };
  return { status: "ok", found: true, data: render(found), metadata: {} };
}

function quickInfo(view: CellView, at: number): Found | null {
  // The cursor usually sits right after the name (`fit|`); try that name first.
  const before = at > 0 && IDENTIFIER_CHAR.test(view.code[at - 1]);
  for (const p of before ? [at - 1, at] : [at, at - 1]) {
    if (p < 0 || p >= view.code.length) continue;
    const q = view.ls.getQuickInfoAtPosition(view.path, view.offset + p);
    if (!q || q.textSpan.start < view.offset) continue;
    const signature = callableConstant(view, view.offset + p) ?? cleanSignature(ts.displayPartsToString(q.displayParts));
    if (signature.trim() === "") {
      // An alias of a namespace (`models`) says only "import models = models".
      const ns = describeNamespace(view, view.offset + p);
      if (ns) return { ...ns, tags: [] };
    }
    return {
      signature,
      documentation: ts.displayPartsToString(q.documentation),
      tags: q.tags ?? [],
    };
  }
  return null;
}

function signatureHelp(view: CellView, at: number): Found | null {
  const help = view.ls.getSignatureHelpItems(view.path, view.offset + at, undefined);
  const item = help?.items[help.selectedItemIndex];
  if (!help || !item) return null;
  const params = item.parameters.map((p) => ts.displayPartsToString(p.displayParts));
  const signature =
    ts.displayPartsToString(item.prefixDisplayParts) +
    params.join(ts.displayPartsToString(item.separatorDisplayParts)) +
    ts.displayPartsToString(item.suffixDisplayParts);
  return { signature, documentation: ts.displayPartsToString(item.documentation), tags: item.tags };
}

function tagText(tag: ts.JSDocTagInfo): string {
  return ts.displayPartsToString(tag.text).trim();
}

/** text/plain for terminals and the classic Notebook, text/markdown for JupyterLab's tooltip. */
function render(f: Found): Record<string, string> {
  const examples = f.tags.filter((t) => t.name === "example").map(tagText);
  const others = f.tags.filter((t) => t.name !== "example");
  const plain = [f.signature];
  const md = ["```ts\n" + f.signature + "\n```"];
  if (f.documentation) {
    plain.push(f.documentation);
    md.push(f.documentation);
  }
  for (const t of others) {
    const text = tagText(t);
    plain.push(`@${t.name}${text ? " " + text : ""}`);
  }
  if (others.length) md.push(others.map((t) => `*@${t.name}* ${tagText(t)}`.trim()).join("  \n"));
  for (const e of examples) {
    plain.push("Example:\n" + e.split("\n").map((l) => "    " + l).join("\n"));
    md.push("**Example**\n```ts\n" + e + "\n```");
  }
  return { "text/plain": plain.join("\n\n"), "text/markdown": md.join("\n\n") };
}
