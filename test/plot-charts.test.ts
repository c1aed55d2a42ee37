import { afterEach, describe, expect, it } from "vitest";
import { plot, historyChart, lineChart, scatterChart, histChart } from "../runtime/plot/index.js";
import { VEGA_LITE_MIME } from "../runtime/plot/render.js";
import { histogram, metricCurves } from "../runtime/plot/specs.js";
import { sparkline } from "../runtime/plot/text.js";
import { setDisplaySink, type DisplaySink } from "../runtime/display/sink.js";
import { RecordingSink } from "./display-recording-sink.js";
import { History } from "../runtime/training/history.js";
import { tensor } from "../runtime/tensor/create.js";

const HISTORY = {
  history: {
    accuracy: [0.9252, 0.9664, 0.9781, 0.9843, 0.9889],
    loss: [0.258, 0.1143, 0.0738, 0.0532, 0.0401],
    val_accuracy: [0.9571, 0.9688, 0.9742, 0.9761, 0.9795],
    val_loss: [0.1436, 0.1041, 0.0867, 0.0802, 0.0703],
  },
  epoch: [0, 1, 2, 3, 4],
};

let previous: DisplaySink | null = null;
afterEach(() => {
  if (previous) setDisplaySink(previous);
  previous = null;
});
function useSink(kind: "notebook" | "tty" | "pipe"): RecordingSink {
  const sink = new RecordingSink(kind);
  previous = setDisplaySink(sink);
  return sink;
}
const count = (s: string, part: string) => s.split(part).length - 1;

describe("plot(history) draws the learning curves", () => {
  it("draws one chart per metric, loss first, with epoch and metric axes", async () => {
    const svg = String((await historyChart(HISTORY))["image/svg+xml"]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(count(svg, `aria-label="X-axis titled 'Epoch'`)).toBe(2);
    expect(svg).toContain(`aria-label="Y-axis titled 'loss'`);
    expect(svg).toContain(`aria-label="Y-axis titled 'accuracy'`);
    expect(svg.indexOf("Training and validation loss")).toBeLessThan(svg.indexOf("Training and validation accuracy"));
  });

  it("draws a training and a validation line through every epoch", async () => {
    const svg = String((await historyChart(HISTORY))["image/svg+xml"]);
    expect(count(svg, 'class="mark-line role-mark')).toBe(4);
    for (const split of ["training", "validation"]) {
      for (let epoch = 1; epoch <= 5; epoch++) expect(svg).toContain(`Epoch: ${epoch}; loss: `);
      expect(svg).toContain(`split: ${split}`);
    }
    expect(svg).toContain("Epoch: 5; accuracy: 0.9889; split: training");
  });

  it("sends the Vega-Lite 5 spec, the SVG and a text fallback together", async () => {
    const bundle = await historyChart(HISTORY);
    expect(Object.keys(bundle).sort()).toEqual(["image/svg+xml", VEGA_LITE_MIME, "text/html", "text/plain"].sort());
    // nbconvert 6's HTML export strips SVG elements from image/svg+xml; the inline copy in HTML survives.
    expect(bundle["text/html"]).toBe(`<div class="tsdl-chart">${bundle["image/svg+xml"]}</div>`);
    expect(VEGA_LITE_MIME).toBe("application/vnd.vegalite.v5+json");
    expect((bundle[VEGA_LITE_MIME] as { $schema: string }).$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(bundle["text/plain"]).toBe(
      [
        "loss (5 epochs)",
        "  training    █▃▂▁▁  0.2580 → 0.0401",
        "  validation  █▄▃▂▁  0.1436 → 0.0703",
        "accuracy (5 epochs)",
        "  training    ▁▆▇▇█  0.9252 → 0.9889",
        "  validation  ▁▅▆▇█  0.9571 → 0.9795",
      ].join("\n"),
    );
  });

  it("shows the chart under the running cell in a notebook", async () => {
    const sink = useSink("notebook");
    await plot(HISTORY);
    expect(sink.displays).toHaveLength(1);
    expect(String(sink.displays[0].current["image/svg+xml"])).toContain("Training and validation loss");
  });

  it("is what history.plot() draws for the History that fit returns", async () => {
    const history = new History();
    HISTORY.epoch.forEach((e) => history.onEpochEnd(e, Object.fromEntries(Object.entries(HISTORY.history).map(([k, v]) => [k, v[e]]))));
    const sink = useSink("notebook");
    await history.plot();
    expect(sink.displays).toHaveLength(1);
    expect(sink.displays[0].current["image/svg+xml"]).toBe((await historyChart(HISTORY))["image/svg+xml"]);
  });

  it("prints the text fallback in a terminal", async () => {
    const sink = useSink("pipe");
    await plot(HISTORY.history, { metrics: ["accuracy"] });
    expect(sink.displays[0].current["image/svg+xml"]).toBeUndefined();
    expect(sink.savedText).toBe(
      "accuracy (5 epochs)\n  training    ▁▆▇▇█  0.9252 → 0.9889\n  validation  ▁▅▆▇█  0.9571 → 0.9795\n",
    );
  });

  it("draws training alone when the history has no validation", async () => {
    const svg = String((await historyChart({ loss: [1, 0.5, 0.25] }))["image/svg+xml"]);
    expect(svg).toContain("Training loss");
    expect(count(svg, 'class="mark-line role-mark')).toBe(1);
    // …and its legend has no entry for a validation line that is not there.
    expect(svg).toMatch(/aria-label="Symbol legend [^"]* with 1 value: training"/);
    const both = String((await historyChart(HISTORY))["image/svg+xml"]);
    expect(both).toMatch(/aria-label="Symbol legend [^"]* with 2 values: training, validation"/);
  });

  it("names the metrics it has when asked for one it does not", async () => {
    expect(() => metricCurves(HISTORY.history, ["acc"])).toThrow("plot: the history has no metric 'acc'; it has 'loss', 'accuracy'");
    await expect(historyChart({} as never)).rejects.toThrow("plot: expected per-epoch lists like { loss: [...], accuracy: [...] }, received keys none");
  });
});

describe("plot.line, plot.scatter and plot.hist chart arrays", () => {
  it("draws a line through y against its index, with whole-number ticks", async () => {
    const bundle = await lineChart([1, 4, 9, 16], { title: "squares" });
    const svg = String(bundle["image/svg+xml"]);
    expect(svg).toContain(`aria-label="X-axis titled 'x'`);
    expect(svg).toContain(`aria-label="Y-axis titled 'y'`);
    expect(svg).toContain("Title text 'squares'");
    expect(count(svg, 'class="mark-line role-mark')).toBe(1);
    expect(bundle["text/plain"]).toBe("squares\n  y           ▁▂▅█  1.0000 → 16.0000");
  });

  it("draws one colored line per named series, and x against y", async () => {
    const svg = String((await lineChart({ train: new Float32Array([3, 2, 1]), test: [3, 2.5, 2] }))["image/svg+xml"]);
    expect(svg).toContain("role-legend");
    expect(svg).toContain("series: train");
    expect(svg).toContain("series: test");
    const xy = String((await lineChart([0, 0.5, 1], [1, 2, 3], { xLabel: "time" }))["image/svg+xml"]);
    expect(xy).toContain(`X-axis titled 'time'`);
    await expect(lineChart([1, 2], [1, 2, 3])).rejects.toThrow("plot.line: x has 2 values and y has 3; they must match");
  });

  it("draws named { x, y } series through their points in the order given, as matplotlib does", async () => {
    // A closed square: sorted by x (Vega-Lite's default for lines) it would fold into a zigzag.
    const svg = String((await lineChart({ square: { x: [0, 1, 1, 0, 0], y: [0, 0, 1, 1, 0] } }, { width: 100, height: 100 }))["image/svg+xml"]);
    expect(svg).toContain('d="M0,100L100,100L100,0L0,0L0,100"');
    const two = String((await lineChart({ a: { x: tensor([1, 0]), y: [0, 1] }, b: [2, 3, 4] }))["image/svg+xml"]);
    expect(count(two, 'aria-roledescription="line mark"')).toBe(2);
    expect(two).toContain("x: 1; y: 0; series: a");
    expect(two).toContain("x: 0; y: 2; series: b");
    await expect(lineChart({ a: { x: [1, 2], y: [1] } })).rejects.toThrow("plot.line: series 'a' has 2 x values and 1 y values; they must match");
    await expect(lineChart({ a: { x: [1, 2] } as never })).rejects.toThrow("plot.line: series 'a' must be numbers (an array, a typed array or a tensor) or { x, y }, received Object");
  });

  it("takes tensors as well as arrays", async () => {
    const line = await lineChart(tensor([3, 1, 2]));
    expect(line["text/plain"]).toBe("line plot (1 series)\n  y           █▁▅  3.0000 → 2.0000");
    const scatter = await scatterChart(tensor([1, 2]), tensor([2, 1]), { color: tensor([0, 1], "int32") });
    expect(String(scatter["image/svg+xml"])).toContain("color: 1");
    const hist = await histChart(tensor([[0, 1], [1, 1]]), { bins: 2 });
    expect(hist["text/plain"]).toBe("histogram: 4 values in 2 bins over [0, 1]\n  ▁█");
  });

  it("draws points colored by category", async () => {
    const bundle = await scatterChart([1, 2, 3, 4], [4, 2, 3, 1], { color: ["a", "b", "a", "b"], xLabel: "first", yLabel: "second" });
    const svg = String(bundle["image/svg+xml"]);
    expect(svg).toContain(`X-axis titled 'first'`);
    expect(count(svg, 'role="graphics-symbol"')).toBeGreaterThanOrEqual(4);
    expect(svg).toContain("color: b");
    expect(bundle["text/plain"]).toBe("scatter plot: 4 points, x [1, 4], y [1, 4]");
  });

  it("counts values into equal bins and draws them as bars", async () => {
    expect(histogram([1, 2, 2, 3], 2)).toEqual([
      { start: 1, end: 2, count: 1 },
      { start: 2, end: 3, count: 3 },
    ]);
    expect(histogram([5, 5, NaN], 2)).toEqual([
      { start: 4.5, end: 5, count: 0 },
      { start: 5, end: 5.5, count: 2 },
    ]);
    const bundle = await histChart(Array.from({ length: 100 }, (_, i) => i % 10), { bins: 10 });
    const svg = String(bundle["image/svg+xml"]);
    expect(count(svg, 'class="mark-rect role-mark')).toBe(1);
    expect(svg).toContain(`Y-axis titled 'count'`);
    expect(bundle["text/plain"]).toBe("histogram: 100 values in 10 bins over [0, 9]\n  ▄▄▄▄▄▄▄▄▄▄");
    expect(sparkline([1, 2, 3, 4])).toBe("▁▃▆█");
  });
});
