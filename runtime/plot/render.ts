/**
 * Vega-Lite spec → MIME bundle. The bundle carries the spec (for Vega-aware frontends), an SVG
 * rendered here in Node by Vega (also inlined as text/html, see chartBundle), and a text/plain
 * fallback (terminals, text exports).
 *
 * vega and vega-lite are imported on the first plot only: together they take ≈0.1 s to load,
 * which nobody should pay for at start-up.
 */
import type { MimeBundle } from "../display/sink.js";
import type { VegaLiteSpec } from "./specs.js";

/** The MIME type JupyterLab's built-in Vega renderer answers to. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

type VegaModule = typeof import("vega");
type VegaLiteModule = typeof import("vega-lite");

let libraries: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | null = null;

/** Loads vega and vega-lite once, when the first chart is rendered. */
function loadLibraries(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  libraries ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => ({ vega, vl }));
  return libraries;
}

/** Whether vega has been loaded in this process (the start-up test checks it has not). */
export function vegaLoaded(): boolean {
  return libraries !== null;
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node.
 * @example const svg = await renderSvg(lineSpec({ y: { x: [0, 1], y: [0, 1] } }))
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await loadLibraries();
  // Vega-Lite's warnings (e.g. about a dropped encoding) would land in the user's cell output.
  const quiet = { level: () => quiet, error: (...a: unknown[]) => console.error(...a), warn: () => quiet, info: () => quiet, debug: () => quiet };
  const compiled = vl.compile(spec as never, { logger: quiet as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" }).logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The bundle for a chart: Vega-Lite spec, SVG and text. `svg: false` skips rendering (and loading
 * vega) where only text is shown, as in a terminal.
 */
export async function chartBundle(spec: VegaLiteSpec, text: string, options: { svg?: boolean } = {}): Promise<MimeBundle> {
  const bundle: MimeBundle = { "text/plain": text };
  if (options.svg === false) return bundle;
  const svg = await renderSvg(spec);
  bundle[VEGA_LITE_MIME] = spec;
  bundle["image/svg+xml"] = svg;
  // The same SVG inline in HTML, for nbconvert 6.x: its HTML templates pass image/svg+xml through
  // an HTML cleaner that strips every SVG element (jupyter/nbconvert#1849, fixed in 7.7), while
  // text/html goes through untouched. Frontends that rank HTML first show the same picture.
  bundle["text/html"] = `<div class="tsdl-chart">${svg}</div>`;
  return bundle;
}
