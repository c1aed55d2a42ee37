/**
 * Completion from the session's live values, for when the language service cannot answer: in
 * a session's first moments, while its process loads TypeScript and the session's typings
 * (~1–1.5 s after the kernel is ready), with `TSDL_LANGUAGE=off`, or after the service failed.
 * IPython completes from its namespace the same way. It offers the names of the kernel's
 * globals (the runtime's exports, what cells declared, Node's own) and the members of a dotted
 * chain of names (`history.history.lo`, `layers.De`), read without running anything of the
 * session's: a getter on the way ends the chain (reading one may compute, or throw), and calls
 * and brackets are not followed. Types, interfaces, keywords, string literals and signatures
 * need the service; where nothing here matches, the kernel waits for it (handlers/complete.ts).
 *
 * @example completeFromValues("Math.fl", 7) // { matches: ["floor"], cursor_start: 5, cursor_end: 7, … }
 */
import { inspect, types } from "node:util";
import { codePointOffset, utf16Offset } from "./positions.js";
import type { CompleteReply, CompletionType } from "./types.js";

/** A name typed before the cursor, after an optional chain of names and dots (`a.b?.c.`). */
const CHAIN_AT_END = /((?:[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*\s*\??\.\s*)*)([\p{ID_Continue}$\u200c\u200d]*)$/u;
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

export interface ValueScope {
  /** Where the chain's first name is looked up. */
  scope: object;
  /**
   * Objects whose getters may be read: the global object (Node's lazy globals, `process`,
   * `Buffer`) and the runtime's namespaces (`layers`: the bundler's re-exports are getters).
   */
  readable: ReadonlySet<object>;
}

/** Completion at `cursorPos` (code points) from the values reachable from `scope`; null where they cannot tell. */
export function completeFromValues(
  code: string,
  cursorPos: number,
  { scope, readable }: ValueScope = { scope: globalThis, readable: new Set([globalThis]) },
): CompleteReply | null {
  const at = utf16Offset(code, cursorPos);
  // The last 1000 characters hold any chain a person types, and bound the search in a long cell.
  const before = code.slice(Math.max(0, at - 1000), at);
  const m = CHAIN_AT_END.exec(before)!;
  const [whole, chain, typed] = m;
  const previous = before[before.length - whole.length - 1] ?? "";
  // `f().x`, `a[0].x`, `1.5`, `"text`: a call's, an element's or a literal's members need types.
  if (/[.)\]'"`\p{ID_Continue}$]/u.test(previous) || /^\p{Nd}/u.test(typed)) return null;
  const path = chain.split(/\s*\??\.\s*/).filter(Boolean);
  let target: unknown = scope;
  for (const name of path) {
    target = readData(target, name, readable);
    if (target === undefined || target === null) return null;
  }
  const lower = typed.toLowerCase();
  // Underscore names are the runtime's internals (`_buf`, `_tape`): shown only when typed, as
  // the service does (completion.ts).
  const hidden = (name: string) => name.startsWith("_") && !typed.startsWith("_");
  const names = memberNames(target)
    .filter((n) => n.toLowerCase().startsWith(lower) && !hidden(n))
    .sort((a, b) => Number(b.startsWith(typed)) - Number(a.startsWith(typed)) || (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) return null;
  const start = codePointOffset(code, at - typed.length);
  const end = codePointOffset(code, at);
  const types: CompletionType[] = names.map((n) => ({ start, end, text: n, type: kindOf(readData(target, n, readable), path.length === 0) }));
  return { status: "ok", matches: names, cursor_start: start, cursor_end: end, metadata: { _jupyter_types_experimental: types } };
}

/** The objects whose properties `target` has, itself first; a Proxy ends it (its traps are code). */
function* chainOf(target: unknown): Generator<object> {
  for (let o: object | null = Object(target); o !== null && o !== Object.prototype && !types.isProxy(o); o = Object.getPrototypeOf(o)) yield o;
}

/** The property's descriptor, from the object or its prototypes (not Object's). */
function descriptorOf(target: unknown, name: string): PropertyDescriptor | undefined {
  for (const o of chainOf(target)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d) return d;
  }
  return undefined;
}

/** A data property's value; undefined for an accessor (reading it would run code) unless `target` is readable. */
function readData(target: unknown, name: string, readable: ReadonlySet<object>): unknown {
  const d = descriptorOf(target, name);
  if (!d) return undefined;
  if ("value" in d) return d.value;
  return readable.has(target as object) ? (target as Record<string, unknown>)[name] : undefined;
}

/** Every string-named property a name may complete to: own and inherited, not Object's. */
function memberNames(target: unknown): string[] {
  const names = new Set<string>();
  for (const o of chainOf(target)) for (const n of Object.getOwnPropertyNames(o)) if (IDENTIFIER.test(n) && n !== "constructor") names.add(n);
  return [...names];
}

/** JupyterLab's kind for a name whose value is `value` (undefined: behind a getter). */
function kindOf(value: unknown, topLevel: boolean): string {
  if (typeof value === "function") return isClass(value) ? "class" : "function";
  if (types.isModuleNamespaceObject(value)) return "module";
  return topLevel ? "variable" : "property";
}

/**
 * Whether `f` is a class. The runtime's layers are Proxies of their classes (`layers.Dense`
 * works with or without `new`): Node's inspection shows a Proxy's target without its traps.
 */
function isClass(f: Function): boolean {
  if (types.isProxy(f)) return /^Proxy \[\s*\[class\b/.test(inspect(f, { showProxy: true, depth: 1 }));
  return /^class\b/.test(Function.prototype.toString.call(f));
}
