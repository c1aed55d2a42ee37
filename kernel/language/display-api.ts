/**
 * The display API as users see it in completions and Shift-Tab: the same shape as
 * kernel/display/api.ts, with the documentation and examples a notebook user needs. The
 * assignments at the bottom make `tsc` fail when the two drift apart.
 *
 * @example display.html("<b>bold</b>")
 */
import type { Display, Handle } from "../display/api.js";
import type { MimeBundle } from "../display/bundle.js";
import type { CommManager } from "../comm.js";
import type { ImageInput, ImageOptions } from "../../runtime/display/images.js";

/** An output shown under the cell that can be replaced in place. */
export interface DisplayHandle {
  /** The transient display id (Jupyter's `display_id`). */
  readonly id: string;
  /**
   * Shows `value` in place of what this handle showed, of the same kind (html stays html).
   *
   * @example const h = display("starting…"); h.update("done");
   */
  update(value: unknown): void;
}

/**
 * Shows a value under the cell: an object's own rich form (tensors, models, plots) or its text.
 * Returns a handle to replace the output in place.
 *
 * @example display(tensor([1, 2, 3]))
 * @example const h = display(0); for (let i = 1; i <= 3; i++) h.update(i);
 */
export interface DisplayApi {
  (value: unknown): DisplayHandle;
  /**
   * Shows HTML.
   *
   * @example display.html("<b>bold</b> and <i>italic</i>")
   */
  html(html: string): DisplayHandle;
  /**
   * Shows Markdown (rendered by the notebook).
   *
   * @example display.markdown("# Results\n- accuracy: **0.98**")
   */
  markdown(markdown: string): DisplayHandle;
  /**
   * Shows an SVG image given as its XML text.
   *
   * @example display.svg('<svg width="20" height="20"><circle cx="10" cy="10" r="8"/></svg>')
   */
  svg(svg: string): DisplayHandle;
  /**
   * Shows a PNG image: its bytes, or the base64 text of them.
   *
   * @example display.png(fs.readFileSync("plot.png"))
   */
  png(bytes: Uint8Array | string): DisplayHandle;
  /**
   * Shows a value as a collapsible JSON tree.
   *
   * @example display.json({ layers: 2, units: [512, 10] })
   */
  json(value: unknown): DisplayHandle;
  /**
   * Shows an image as a PNG: a 2-D tensor (a 28×28 digit), height × width × channels, or nested
   * arrays. Pixels are enlarged sharply; `cmap: "binary"` draws ink black on white, as the
   * chapter's `plt.cm.binary`. For a grid of images with labels, use `plot.images`.
   *
   * @example display.image(trainImages.get(4), { cmap: "binary" })
   */
  image(image: ImageInput, options?: ImageOptions): DisplayHandle;
  /**
   * Shows a MIME bundle exactly as given (the notebook picks the richest type it can render).
   *
   * @example display.bundle({ "text/plain": "x", "text/html": "<b>x</b>" })
   */
  bundle(bundle: MimeBundle): DisplayHandle;
}

/** Options of {@link clearOutput}. */
export interface ClearOutputOptions {
  /** Clear only when the next output arrives, so a redrawn output does not flicker (default false). */
  wait?: boolean;
}

/**
 * Clears the running cell's output.
 *
 * @example clearOutput({ wait: true }); display(frame);
 */
export type ClearOutput = (options?: ClearOutputOptions) => void;

/** Options of {@link input}. */
export interface InputOptions {
  /** Hide what is typed (a password field in the notebook). Default false. */
  password?: boolean;
}

/** `comms`: long-lived channels to the front end (widgets, custom messages). */
export type CommsApi = ReturnType<CommManager["api"]>;

// Compile-time check that this mirror and the kernel's display API stay the same shape.
type Assignable<T extends U, U> = T;
export type SameShapeAsKernelDisplay = [
  Assignable<Display, DisplayApi>,
  Assignable<DisplayApi, Display>,
  Assignable<Handle, DisplayHandle>,
  Assignable<DisplayHandle, Handle>,
];
