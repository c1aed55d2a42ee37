/**
 * What display costs: the progress bar's per-step overhead (it runs after every batch, so it
 * must stay far below a GPU step of ~50 µs), the first chart with vega's load, later charts, and
 * a 28×28 digit and a 10-digit grid as PNG.
 *
 * @example npm run bench -- display          # prints a table, then one JSON line
 */
import { performance } from "node:perf_hooks";
import type { DisplayHandle, DisplaySink, MimeBundle } from "../runtime/display/sink.js";
import { Progbar } from "../runtime/display/progbar.js";
import { historyChart } from "../runtime/plot/index.js";
import { imageBundle, imagesBundle } from "../runtime/display/images.js";
import { median } from "./lib/stats.js";

/** A notebook-like sink that drops what it is given, so only the bar's own work is timed. */
class NullNotebookSink implements DisplaySink {
  readonly kind = "notebook" as const;
  shown = 0;
  show(_bundle: MimeBundle): DisplayHandle {
    this.shown++;
    return { id: "bench", update: () => void this.shown++ };
  }
  clear(): void {}
  write(): void {}
}

function progbarPerStep(steps: number): { usPerUpdate: number; redraws: number } {
  const sink = new NullNotebookSink();
  const bar = new Progbar({ target: steps, verbose: 1, epoch: 0, epochs: 1, sink });
  const values: [string, number][] = [["accuracy", 0.93], ["loss", 0.25]];
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) bar.update(step, values);
  const elapsed = performance.now() - t0;
  bar.finish(values);
  return { usPerUpdate: (elapsed * 1000) / steps, redraws: sink.shown };
}

async function timed<T>(f: () => Promise<T> | T): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const history = {
  loss: [0.258, 0.114, 0.074, 0.053, 0.04],
  accuracy: [0.925, 0.966, 0.978, 0.984, 0.989],
  val_loss: [0.144, 0.104, 0.087, 0.08, 0.07],
  val_accuracy: [0.957, 0.969, 0.974, 0.976, 0.98],
};
const digit = { shape: [28, 28], dtype: "uint8", data: () => new Uint8Array(784).map((_, i) => (i * 7) % 256) };
const batch = { shape: [10, 28, 28], dtype: "uint8", data: () => new Uint8Array(7840).map((_, i) => (i * 7) % 256) };

const bar = progbarPerStep(200_000);
const firstChartMs = await timed(() => historyChart(history));
const laterCharts: number[] = [];
for (let i = 0; i < 10; i++) laterCharts.push(await timed(() => historyChart(history)));
const digitMs: number[] = [];
const gridMs: number[] = [];
for (let i = 0; i < 20; i++) {
  digitMs.push(await timed(() => imageBundle(digit)));
  gridMs.push(await timed(() => imagesBundle(batch, { labels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] })));
}

const result = {
  progbarUsPerUpdate: Number(bar.usPerUpdate.toFixed(3)),
  firstChartMs: Math.round(firstChartMs),
  chartMsMedian: Math.round(median(laterCharts)),
  digitPngMsMedian: Number(median(digitMs).toFixed(2)),
  gridPngMsMedian: Number(median(gridMs).toFixed(2)),
};
console.log("display costs (this machine)");
console.log(`  progress bar update (200,000 steps, ${bar.redraws} redraws)  ${result.progbarUsPerUpdate} µs per step`);
console.log(`  first history chart, vega's load included          ${result.firstChartMs} ms`);
console.log(`  later history charts, median of 10                  ${result.chartMsMedian} ms`);
console.log(`  28×28 digit → 140×140 PNG, median of 20             ${result.digitPngMsMedian} ms`);
console.log(`  10 digits with labels → PNG grid + HTML, median     ${result.gridPngMsMedian} ms`);
console.log(JSON.stringify({ bench: "display", ...result }));
