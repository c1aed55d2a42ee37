import { afterEach, describe, expect, it } from "vitest";
import { plot } from "../runtime/plot/index.js";
import { vegaLoaded } from "../runtime/plot/render.js";
import { setDisplaySink, type DisplaySink } from "../runtime/display/sink.js";
import { RecordingSink } from "./display-recording-sink.js";

let previous: DisplaySink | null = null;
afterEach(() => {
  if (previous) setDisplaySink(previous);
  previous = null;
});

describe("vega is loaded only when a chart is drawn for a notebook", () => {
  it("is not loaded by importing plot, nor by plotting in a terminal", async () => {
    expect(vegaLoaded()).toBe(false);
    const sink = new RecordingSink("tty");
    previous = setDisplaySink(sink);
    await plot({ loss: [0.5, 0.25] });
    await plot.line([1, 2, 3]);
    expect(sink.displays).toHaveLength(2);
    expect(vegaLoaded()).toBe(false);
  });

  it("is loaded by the first chart shown in a notebook", async () => {
    previous = setDisplaySink(new RecordingSink("notebook"));
    await plot({ loss: [0.5, 0.25] });
    expect(vegaLoaded()).toBe(true);
  });
});
