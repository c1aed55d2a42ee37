/**
 * Vega-Lite specs for tsdl's plots. Pure functions from data to a JSON spec: the notebook's
 * frontend may render the spec itself (JupyterLab), and render.ts turns it into SVG in Node for
 * the frontends that cannot (the classic Notebook, nbconvert's HTML).
 *
 * The specs stay within Vega-Lite 5 so JupyterLab's built-in renderer draws them as we do.
 */

import type { OptionTable } from "../options.js";

/** A Vega-Lite spec (JSON). */
export type VegaLiteSpec = Record<string, unknown>;

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Sizes and labels shared by the plot functions (each also in snake_case: `x_label`). */
export interface ChartOptions {
  /** Title above the chart. Default none. */
  title?: string;
  /** Width of one chart in pixels. Default 320. */
  width?: number;
  /** Height of one chart in pixels. Default 220. */
  height?: number;
  /** Title of the x axis. Default "x" ("Epoch" for a history, "value" for a histogram). */
  xLabel?: string;
  /** Title of the y axis. Default "y" (the metric's name for a history, "count" for a histogram). */
  yLabel?: string;
  /** Title of the color legend (scatter, history). Default none. */
  colorLabel?: string;
}

/** Every key of ChartOptions; each plot's own table spreads it. */
export const CHART_OPTIONS: OptionTable<ChartOptions> = { title: true, width: true, height: true, xLabel: true, yLabel: true, colorLabel: true };

const SPLIT_COLORS = { domain: ["training", "validation"], range: ["#1f77b4", "#ff7f0e"] };

/** One metric of a history: its training values and, if any, its validation values. */
export interface MetricCurves {
  name: string;
  training?: number[];
  validation?: number[];
}

/**
 * Groups Keras's per-epoch logs by metric: `loss` with `val_loss`, `accuracy` with `val_accuracy`,
 * loss first, then the metrics in the order they were logged.
 * @example metricCurves({ loss: [1, 0.5], val_loss: [1.1, 0.7] }) // [{ name: "loss", training: [1, 0.5], validation: [1.1, 0.7] }]
 */
export function metricCurves(logs: Record<string, number[]>, only?: string[]): MetricCurves[] {
  const names: string[] = [];
  for (const key of Object.keys(logs)) {
    const name = key.startsWith("val_") ? key.slice(4) : key;
    if (!names.includes(name)) names.push(name);
  }
  names.sort((a, b) => Number(b === "loss") - Number(a === "loss"));
  const chosen = only ?? names;
  for (const name of chosen) {
    if (!names.includes(name)) {
      throw new Error(`plot: the history has no metric '${name}'; it has ${names.map((n) => `'${n}'`).join(", ")}`);
    }
  }
  return chosen.map((name) => ({ name, training: logs[name], validation: logs[`val_${name}`] }));
}

/**
 * Learning curves: one chart per metric, training and validation per epoch (epochs from 1).
 * @example historySpec(metricCurves(history.history))
 */
export function historySpec(curves: MetricCurves[], options: ChartOptions = {}): VegaLiteSpec {
  const width = options.width ?? 320;
  const height = options.height ?? 220;
  // The legend lists only the splits the history has: a fit without validation data draws no
  // "validation" entry for a line that is not there.
  const present = SPLIT_COLORS.domain.map((split) => curves.some((c) => (split === "training" ? c.training : c.validation)));
  const colors = {
    domain: SPLIT_COLORS.domain.filter((_, i) => present[i]),
    range: SPLIT_COLORS.range.filter((_, i) => present[i]),
  };
  const charts = curves.map((c) => {
    const values: { epoch: number; value: number | null; split: string }[] = [];
    for (const [split, ys] of [["training", c.training], ["validation", c.validation]] as const) {
      ys?.forEach((v, i) => values.push({ epoch: i + 1, value: Number.isFinite(v) ? v : null, split }));
    }
    const epochs = Math.max(c.training?.length ?? 0, c.validation?.length ?? 0);
    return {
      title: `${c.validation ? "Training and validation" : "Training"} ${c.name}`,
      width,
      height,
      data: { values },
      mark: { type: "line", point: true, tooltip: true },
      encoding: {
        x: {
          field: "epoch",
          type: "quantitative",
          title: options.xLabel ?? "Epoch",
          scale: { domain: [1, Math.max(epochs, 2)] },
          axis: { tickMinStep: 1, format: "d" },
        },
        y: { field: "value", type: "quantitative", title: options.yLabel ?? c.name, scale: { zero: false } },
        color: { field: "split", type: "nominal", title: options.colorLabel ?? null, scale: colors },
      },
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    hconcat: charts,
    config: CONFIG,
  };
}

/** Named series for line plots (one line each). */
export type Series = Record<string, { x: number[]; y: number[] }>;

/**
 * Lines through (x, y) points in the order given (Vega-Lite would otherwise sort them by x), one
 * color per named series.
 * @example lineSpec({ y: { x: [0, 1, 2], y: [1, 4, 9] } })
 */
export function lineSpec(series: Series, options: ChartOptions = {}): VegaLiteSpec {
  const names = Object.keys(series);
  const values = names.flatMap((name) => series[name].x.map((x, i) => ({ x, y: series[name].y[i], series: name, point: i })));
  // Indices (and other whole-number x) get whole-number ticks: no "0.4" between two steps.
  const wholeX = values.every((v) => Number.isInteger(v.x));
  return single(options, {
    data: { values },
    mark: { type: "line", tooltip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xLabel ?? "x", ...(wholeX ? { axis: { tickMinStep: 1, format: "d" } } : {}) },
      y: { field: "y", type: "quantitative", title: options.yLabel ?? "y", scale: { zero: false } },
      order: { field: "point", type: "quantitative" },
      tooltip: [
        { field: "x", type: "quantitative" },
        { field: "y", type: "quantitative" },
        ...(names.length > 1 ? [{ field: "series", type: "nominal" }] : []),
      ],
      ...(names.length > 1 ? { color: { field: "series", type: "nominal", title: null, sort: names } } : {}),
    },
  });
}

/**
 * Points at (x, y), colored by an optional category per point.
 * @example scatterSpec([1, 2], [3, 4])
 */
export function scatterSpec(x: number[], y: number[], color: (string | number)[] | undefined, options: ChartOptions = {}): VegaLiteSpec {
  const values = x.map((xi, i) => ({ x: xi, y: y[i], ...(color ? { color: String(color[i]) } : {}) }));
  return single(options, {
    data: { values },
    mark: { type: "point", filled: true, opacity: 0.7, tooltip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xLabel ?? "x", scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: options.yLabel ?? "y", scale: { zero: false } },
      ...(color ? { color: { field: "color", type: "nominal", title: options.colorLabel ?? null } } : {}),
    },
  });
}

/** One bin of a histogram: [start, end) holds count values (the last bin includes its end). */
export interface Bin {
  start: number;
  end: number;
  count: number;
}

/**
 * Equal-width bins over the finite values (NaN and ±Infinity are left out).
 * @example histogram([1, 2, 2, 3], 2) // [{ start: 1, end: 2, count: 1 }, { start: 2, end: 3, count: 3 }]
 */
export function histogram(values: number[], bins: number): Bin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`plot.hist: bins must be a positive integer, received ${String(bins)}`);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of finite) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // All values equal: a unit-wide range around them, as NumPy does.
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({ start: lo + i * width, end: i === bins - 1 ? hi : lo + (i + 1) * width, count: 0 }));
  for (const v of finite) out[Math.min(Math.floor((v - lo) / width), bins - 1)].count++;
  return out;
}

/**
 * Bars over the bins of a histogram.
 * @example histSpec(histogram(values, 30))
 */
export function histSpec(bins: Bin[], options: ChartOptions = {}): VegaLiteSpec {
  return single(options, {
    data: { values: bins },
    mark: { type: "bar", tooltip: true, stroke: "white", strokeWidth: 0.5 },
    encoding: {
      x: { field: "start", type: "quantitative", bin: { binned: true }, title: options.xLabel ?? "value" },
      x2: { field: "end" },
      y: { field: "count", type: "quantitative", title: options.yLabel ?? "count" },
    },
  });
}

const CONFIG = { view: { stroke: "#ddd" }, axis: { grid: true, gridColor: "#eee" } };

function single(options: ChartOptions, body: Record<string, unknown>): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    width: options.width ?? 400,
    height: options.height ?? 260,
    ...body,
    config: CONFIG,
  };
}
