/**
 * The MIME bundle of any value: its own `[Symbol.for("tsdl.display")]()` bundle when it has one
 * (tensors, models, plots), else text/plain as Node's util.inspect shows it.
 *
 * @example bundleOf({ a: 1 }) // { "text/plain": "{ a: 1 }" }
 */
import { inspect } from "node:util";

// The runtime's seam (a small module with no dependencies): one symbol and one bundle type for both sides.
import { DISPLAY, type MimeBundle } from "../../runtime/display/sink.js";
export { DISPLAY, type MimeBundle };

export function bundleOf(value: unknown): MimeBundle {
  const method = (value as { [DISPLAY]?: unknown } | null | undefined)?.[DISPLAY];
  if (typeof method === "function") {
    const b = method.call(value) as MimeBundle;
    if (b && typeof b === "object") return "text/plain" in b ? b : { "text/plain": inspect(value), ...b };
  }
  return { "text/plain": inspect(value) };
}
