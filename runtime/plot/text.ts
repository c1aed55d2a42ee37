/**
 * The text/plain side of plots: what a terminal, `jupyter console` or a text export shows.
 * A sparkline per series with its first and last values says what the chart says, in one line.
 */
import { formatValue } from "../display/progbar-format.js";
import type { Bin, MetricCurves, Series } from "./specs.js";

const TICKS = "▁▂▃▄▅▆▇█";

/**
 * Values as a sparkline scaled between their own minimum and maximum.
 * @example sparkline([1, 2, 3, 4]) // "▁▃▆█"
 */
export function sparkline(values: readonly number[]): string {
  const [lo, hi] = extent(values);
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return " ";
      if (hi === lo) return TICKS[3];
      return TICKS[Math.round(((v - lo) / (hi - lo)) * (TICKS.length - 1))];
    })
    .join("");
}

/**
 * The learning curves in text, one line per series.
 * @example historyText(curves) // "loss (5 epochs)\n  training    ▇▃▂▁▁  0.2580 → 0.0301\n…"
 */
export function historyText(curves: MetricCurves[]): string {
  const lines: string[] = [];
  for (const c of curves) {
    const epochs = Math.max(c.training?.length ?? 0, c.validation?.length ?? 0);
    lines.push(`${c.name} (${epochs} epoch${epochs === 1 ? "" : "s"})`);
    if (c.training) lines.push(seriesLine("training", c.training));
    if (c.validation) lines.push(seriesLine("validation", c.validation));
  }
  return lines.join("\n");
}

/** Each named series of a line plot as a sparkline. */
export function seriesText(series: Series, title?: string): string {
  const names = Object.keys(series);
  const lines = names.map((n) => seriesLine(n, series[n].y));
  return [title ?? `line plot (${names.length} series)`, ...lines].join("\n");
}

/** A scatter plot in words: count and ranges. */
export function scatterText(x: number[], y: number[], title?: string): string {
  return `${title ?? "scatter plot"}: ${x.length} points, x ${range(x)}, y ${range(y)}`;
}

/** A histogram as a sparkline of its counts. */
export function histText(bins: Bin[], total: number, title?: string): string {
  if (bins.length === 0) return `${title ?? "histogram"}: no finite values`;
  return `${title ?? "histogram"}: ${total} values in ${bins.length} bins over ${range([bins[0].start, bins[bins.length - 1].end])}\n  ${sparkline(bins.map((b) => b.count))}`;
}

function seriesLine(name: string, ys: readonly number[]): string {
  const shown = ys.length > 60 ? downsample(ys, 60) : ys;
  return `  ${name.padEnd(10)}  ${sparkline(shown)}  ${formatValue(ys[0])} → ${formatValue(ys[ys.length - 1])}`;
}

function downsample(ys: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => ys[Math.floor((i * ys.length) / n)]);
}

function range(v: readonly number[]): string {
  const [lo, hi] = extent(v);
  return lo > hi ? "[]" : `[${formatNumber(lo)}, ${formatNumber(hi)}]`;
}

/** A number for a range: whole numbers as they are, others with four significant digits. */
function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** Minimum and maximum of the finite values, in a loop (spreading 60,000 arguments overflows the stack). */
function extent(v: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
