/**
 * The display API, a global in every cell:
 *
 * ```ts
 * display(value)              // its own MIME bundle, or util.inspect text
 * display.html("<b>hi</b>"); display.markdown("# Title"); display.svg(svg); display.png(bytes); display.json(obj)
 * display.image(trainImages.get(4))   // a tensor (28×28 digit, H×W×C) as a PNG
 * const h = display(0); h.update(1)   // replaces the output in place (update_display_data)
 * clearOutput({ wait: true })          // clears the cell's output (when the next output arrives)
 * ```
 */
import { bundleOf, type MimeBundle } from "./bundle.js";
import type { KernelDisplaySink } from "./sink.js";
// The image encoder is the runtime's (a small module; pngjs loads on the first image).
import { IMAGE_OPTIONS, checkImageOptions, imageBundle, type ImageInput, type ImageOptions } from "../../runtime/display/images.js";
import { checkOptions, type OptionTable } from "../../runtime/options.js";

/**
 * Marks display handles: a cell ending in `display(x)` shows x once, not also the handle as its
 * value (as `display()` returns None in IPython).
 */
export const HANDLE = Symbol.for("tsdl.displayHandle");

/** A shown output that can be replaced in place. */
export interface Handle {
  /** The transient display_id. */
  readonly id: string;
  /** Shows `value` in place of what this handle showed (same kind: html stays html). */
  update(value: unknown): void;
}

export interface Display {
  (value: unknown): Handle;
  html(html: string): Handle;
  markdown(markdown: string): Handle;
  svg(svg: string): Handle;
  png(bytes: Uint8Array | string): Handle;
  json(value: unknown): Handle;
  /** Shows an image tensor (or nested arrays) as a PNG. */
  image(image: ImageInput, options?: ImageOptions): Handle;
  /** Shows a MIME bundle as given. */
  bundle(bundle: MimeBundle): Handle;
}

// The options clearOutput accepts (documented for users in kernel/language/display-api.ts).
type ClearOutputOptions = { wait?: boolean };
const CLEAR_OUTPUT_OPTIONS: OptionTable<ClearOutputOptions> = { wait: true };

export function makeDisplay(sink: KernelDisplaySink): { display: Display; clearOutput: (o?: ClearOutputOptions) => void } {
  const kind = (toBundle: (v: never) => MimeBundle) => (value: unknown): Handle => {
    const h = sink.show(toBundle(value as never));
    return { id: h.id, update: (v: unknown) => h.update(toBundle(v as never)), [HANDLE]: true } as Handle;
  };
  const display = kind((v: unknown) => bundleOf(v)) as Display;
  display.html = kind((s: string) => ({ "text/html": String(s), "text/plain": "<HTML>" }));
  display.markdown = kind((s: string) => ({ "text/markdown": String(s), "text/plain": String(s) }));
  display.svg = kind((s: string) => ({ "image/svg+xml": String(s), "text/plain": "<SVG>" }));
  display.png = kind((b: Uint8Array | string) => ({
    "image/png": typeof b === "string" ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64"),
    "text/plain": "<PNG>",
  }));
  display.json = kind((v: unknown) => ({ "application/json": v, "text/plain": JSON.stringify(v, null, 2) }));
  display.bundle = kind((b: MimeBundle) => b);
  display.image = (image: ImageInput, options?: ImageOptions) => {
    const o = checkImageOptions("display.image", options, IMAGE_OPTIONS);
    return kind((t: ImageInput) => imageBundle(t, o))(image);
  };
  const clearOutput = (options?: ClearOutputOptions) => sink.clear(checkOptions("clearOutput", options, CLEAR_OUTPUT_OPTIONS).wait ?? false);
  return { display, clearOutput };
}
