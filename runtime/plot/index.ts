/**
 * `plot`: learning curves, line, scatter and histogram charts, and images, shown inline.
 *
 * Charts are Vega-Lite specs sent with an SVG rendered in Node and a text fallback (see
 * render.ts); in a terminal only the text is printed and vega is never loaded. Chart functions
 * are async (vega renders asynchronously): `await plot(history)`. Images are synchronous.
 */
import { getDisplaySink, type MimeBundle } from "../display/sink.js";
import { IMAGE_OPTIONS, IMAGES_OPTIONS, checkImageOptions, imageBundle, imagesBundle, type ImageInput, type ImageOptions, type ImagesOptions } from "../display/images.js";
import { chartBundle } from "./render.js";
import { describe, isNumbers, toNumbers, type Numbers } from "./data.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import {
  CHART_OPTIONS,
  histogram,
  histSpec,
  historySpec,
  lineSpec,
  metricCurves,
  scatterSpec,
  type ChartOptions,
  type Series,
} from "./specs.js";
import { histText, historyText, scatterText, seriesText } from "./text.js";

/** A Keras History (`fit`'s result) or its `history` object of per-epoch lists. */
export type HistoryInput = { history: Record<string, number[]> } | Record<string, number[]>;

/** Options of `plot(history)`. */
export interface HistoryPlotOptions extends ChartOptions {
  /** Metrics to draw. Default: loss and every metric in the history. */
  metrics?: string[];
}

/** Options of `plot.hist`. */
export interface HistOptions extends ChartOptions {
  /** Number of equal-width bins. Default 30. */
  bins?: number;
}

/** Options of `plot.scatter`. */
export interface ScatterOptions extends ChartOptions {
  /** A category per point (e.g. class labels), shown as colors. Default: one color. */
  color?: Numbers | readonly string[];
}

const HISTORY_PLOT_OPTIONS: OptionTable<HistoryPlotOptions> = { metrics: true, ...CHART_OPTIONS };
const HIST_OPTIONS: OptionTable<HistOptions> = { bins: true, ...CHART_OPTIONS };
const SCATTER_OPTIONS: OptionTable<ScatterOptions> = { color: true, ...CHART_OPTIONS };

/** Shows a bundle under the running cell, or prints its text in a terminal. */
function show(bundle: MimeBundle): void {
  getDisplaySink().show(bundle);
}

/** Only a notebook can show SVG; elsewhere skip rendering it (and loading vega). */
function wantsSvg(): boolean {
  return getDisplaySink().kind === "notebook";
}

/**
 * The bundle `plot(history)` shows: one chart per metric, training and validation per epoch.
 * @example const bundle = await historyChart(history)
 */
export async function historyChart(history: HistoryInput, options?: WithSnakeCase<HistoryPlotOptions>, svg = true): Promise<MimeBundle> {
  const o = checkOptions("plot", options, HISTORY_PLOT_OPTIONS);
  const logs = historyLogs(history);
  const curves = metricCurves(logs, o.metrics);
  return chartBundle(historySpec(curves, o), historyText(curves), { svg });
}

function historyLogs(history: HistoryInput): Record<string, number[]> {
  if (history === null || typeof history !== "object") {
    throw new Error(`plot: expected a History (from fit) or its .history object, received ${describe(history)}`);
  }
  const logs = "history" in history && typeof history.history === "object" ? (history.history as Record<string, number[]>) : (history as Record<string, number[]>);
  const keys = Object.keys(logs);
  if (keys.length === 0 || !keys.every((k) => Array.isArray(logs[k]))) {
    throw new Error(
      `plot: expected per-epoch lists like { loss: [...], accuracy: [...] }, received keys ${keys.length ? keys.map((k) => `'${k}'`).join(", ") : "none"}`,
    );
  }
  return logs;
}

/** A named series of `plot.line`: y values against their index, or points given as `{ x, y }`. */
export type LineSeries = Numbers | { x: Numbers; y: Numbers };

/**
 * The bundle `plot.line` shows.
 * @example await lineChart([1, 4, 9])
 */
export async function lineChart(
  xOrY: Numbers | Record<string, LineSeries>,
  yOrOptions?: Numbers | WithSnakeCase<ChartOptions>,
  maybeOptions?: WithSnakeCase<ChartOptions>,
  svg = true,
): Promise<MimeBundle> {
  let series: Series;
  let given: WithSnakeCase<ChartOptions> | undefined;
  if (isNumbers(yOrOptions)) {
    const x = toNumbers(xOrY as Numbers, "x");
    const y = toNumbers(yOrOptions, "y");
    if (x.length !== y.length) throw new Error(`plot.line: x has ${x.length} values and y has ${y.length}; they must match`);
    series = { y: { x, y } };
    given = maybeOptions;
  } else {
    given = yOrOptions;
    if (isNumbers(xOrY)) {
      const y = toNumbers(xOrY, "y");
      series = { y: { x: y.map((_, i) => i), y } };
    } else {
      series = {};
      for (const [name, values] of Object.entries(xOrY as Record<string, LineSeries>)) {
        if (isNumbers(values)) {
          const y = toNumbers(values, name);
          series[name] = { x: y.map((_, i) => i), y };
        } else if (typeof values === "object" && values !== null && "x" in values && "y" in values) {
          const x = toNumbers(values.x, `${name}.x`);
          const y = toNumbers(values.y, `${name}.y`);
          if (x.length !== y.length) throw new Error(`plot.line: series '${name}' has ${x.length} x values and ${y.length} y values; they must match`);
          series[name] = { x, y };
        } else {
          throw new Error(`plot.line: series '${name}' must be numbers (an array, a typed array or a tensor) or { x, y }, received ${describe(values)}`);
        }
      }
    }
  }
  const options = checkOptions("plot.line", given, CHART_OPTIONS);
  return chartBundle(lineSpec(series, options), seriesText(series, options.title), { svg });
}

/**
 * The bundle `plot.scatter` shows.
 * @example await scatterChart([1, 2, 3], [2, 4, 1])
 */
export async function scatterChart(x: Numbers, y: Numbers, options?: WithSnakeCase<ScatterOptions>, svg = true): Promise<MimeBundle> {
  const o = checkOptions("plot.scatter", options, SCATTER_OPTIONS);
  const xs = toNumbers(x, "x");
  const ys = toNumbers(y, "y");
  if (xs.length !== ys.length) throw new Error(`plot.scatter: x has ${xs.length} values and y has ${ys.length}; they must match`);
  const color = o.color === undefined ? undefined : isStrings(o.color) ? [...o.color] : toNumbers(o.color, "color");
  if (color && color.length !== xs.length) {
    throw new Error(`plot.scatter: color has ${color.length} values for ${xs.length} points; give one per point`);
  }
  return chartBundle(scatterSpec(xs, ys, color, o), scatterText(xs, ys, o.title), { svg });
}

function isStrings(v: unknown): v is readonly string[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === "string";
}

/**
 * The bundle `plot.hist` shows.
 * @example await histChart(weights, { bins: 50 })
 */
export async function histChart(values: Numbers, options?: WithSnakeCase<HistOptions>, svg = true): Promise<MimeBundle> {
  const o = checkOptions("plot.hist", options, HIST_OPTIONS);
  const xs = toNumbers(values, "values");
  const bins = histogram(xs, o.bins ?? 30);
  return chartBundle(histSpec(bins, o), histText(bins, xs.length, o.title), { svg });
}

/**
 * Draws the learning curves of a History: loss and every metric per epoch, training and
 * validation, inline in a notebook (as text in a terminal).
 * @example await plot(history)
 */
async function plotHistory(history: HistoryInput, options?: WithSnakeCase<HistoryPlotOptions>): Promise<void> {
  show(await historyChart(history, options, wantsSvg()));
}

/**
 * Draws a line: `plot.line(y)`, `plot.line(x, y)`, or several named series `plot.line({ a, b })`,
 * each a list of y values (against their index) or `{ x, y }`. Points are joined in the order
 * given, as matplotlib's `plot` does, so a closed outline or a path drawn out of x order keeps
 * its shape.
 * @example await plot.line([1, 4, 9, 16], { title: "squares" })
 * @example await plot.line({ before: { x: [0, 1, 1, 0, 0], y: [0, 0, 1, 1, 0] }, after: { x: xs, y: ys } })
 */
async function line(xOrY: Numbers | Record<string, LineSeries>, yOrOptions?: Numbers | WithSnakeCase<ChartOptions>, options?: WithSnakeCase<ChartOptions>): Promise<void> {
  show(await lineChart(xOrY, yOrOptions, options, wantsSvg()));
}

/**
 * Draws points at (x, y), optionally colored by category.
 * @example await plot.scatter(xs, ys, { color: labels })
 */
async function scatter(x: Numbers, y: Numbers, options?: WithSnakeCase<ScatterOptions>): Promise<void> {
  show(await scatterChart(x, y, options, wantsSvg()));
}

/**
 * Draws a histogram of the values of an array or tensor.
 * @example await plot.hist(model.layers[0].kernel, { bins: 50 })
 */
async function hist(values: Numbers, options?: WithSnakeCase<HistOptions>): Promise<void> {
  show(await histChart(values, options, wantsSvg()));
}

/**
 * Shows one image (e.g. a 28×28 digit) as a PNG.
 * @example plot.image(trainImages.get(4), { cmap: "binary" })
 */
function image(t: ImageInput, options?: ImageOptions): void {
  show(imageBundle(t, checkImageOptions("plot.image", options, IMAGE_OPTIONS)));
}

/**
 * Shows a batch of images as a grid, with labels (and predictions) under them.
 * @example plot.images(testImages.slice(0, 10), { labels: testLabels.slice(0, 10) })
 */
function images(batch: ImageInput, options?: ImagesOptions): void {
  show(imagesBundle(batch, checkImageOptions("plot.images", options, IMAGES_OPTIONS)));
}

/**
 * Plots in the notebook: `await plot(history)` draws the learning curves; `plot.line`,
 * `plot.scatter` and `plot.hist` chart arrays and tensors; `plot.image` and `plot.images` show
 * images.
 * @example await plot(history)
 */
export const plot = Object.assign(plotHistory, { line, scatter, hist, image, images });

export type { ChartOptions } from "./specs.js";
export type { ImageOptions, ImagesOptions } from "../display/images.js";
