import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import {
  barCells,
  epochHeader,
  formatCount,
  formatEta,
  formatTimePerStep,
  formatValue,
  progressLine,
  verbose2Line,
} from "../runtime/display/progbar-format.js";
import { Progbar, type ProgbarValues } from "../runtime/display/progbar.js";
import { TerminalSink } from "../runtime/display/sink.js";
import { ManualClock, RecordingSink } from "./display-recording-sink.js";

const BAR = "━".repeat(20);
const TRAIN: ProgbarValues = [["accuracy", 0.92524], ["loss", 0.25803]];
const WITH_VAL: ProgbarValues = [...TRAIN, ["val_accuracy", 0.96], ["val_loss", 0.13]];
const FINAL = `469/469 ${BAR} 2s 4ms/step - accuracy: 0.9252 - loss: 0.2580 - val_accuracy: 0.9600 - val_loss: 0.1300`;
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

/** Runs one 469-step epoch: the first step takes 50 ms (warm-up), every later one 4 ms. */
function runEpoch(bar: Progbar, clock: ManualClock, finalValues: ProgbarValues = WITH_VAL): void {
  for (let step = 1; step <= 469; step++) {
    clock.advance(step === 1 ? 0.05 : 0.004);
    bar.update(step, TRAIN);
  }
  bar.finish(finalValues);
}

describe("the progress line has Keras's exact format", () => {
  it("right-aligns the step count to the width of the target", () => {
    expect(formatCount(7, 469)).toBe("  7/469");
    expect(formatCount(469, 469)).toBe("469/469");
    expect(formatCount(3, 10)).toBe(" 3/10");
  });

  it("fills the 20-cell bar by whole cells", () => {
    expect(barCells(0, 469)).toEqual({ done: 0, rest: 20 });
    expect(barCells(234, 469)).toEqual({ done: 9, rest: 11 });
    expect(barCells(469, 469)).toEqual({ done: 20, rest: 0 });
  });

  it("writes the ETA as seconds, minutes:seconds or hours:minutes:seconds", () => {
    expect(formatEta(0)).toBe("0s");
    expect(formatEta(12.7)).toBe("12s");
    expect(formatEta(60)).toBe("60s");
    expect(formatEta(65.4)).toBe("1:05");
    expect(formatEta(3723)).toBe("1:02:03");
  });

  it("writes the time per step in s, ms or us", () => {
    expect(formatTimePerStep(0.0042)).toBe("4ms/step");
    expect(formatTimePerStep(0.00025)).toBe("250us/step");
    expect(formatTimePerStep(2.4)).toBe("2s/step");
    expect(formatTimePerStep(0)).toBe("0s/step");
    expect(formatTimePerStep(0.0025, "sample")).toBe("2ms/sample");
  });

  it("writes metrics with four decimals, or in exponent form at or below 1e-3", () => {
    expect(formatValue(0.25803)).toBe("0.2580");
    expect(formatValue(-0.5)).toBe("-0.5000");
    expect(formatValue(12345.678)).toBe("12345.6780");
    expect(formatValue(0.00012345)).toBe("1.2345e-04");
    expect(formatValue(1e-3)).toBe("1.0000e-03");
    expect(formatValue(0)).toBe("0.0000e+00");
    expect(formatValue(-2.5e-120)).toBe("-2.5000e-120");
    expect(formatValue(NaN)).toBe("nan");
    expect(formatValue(Infinity)).toBe("inf");
  });

  it("puts the pieces together as Keras does at the end of an epoch", () => {
    const s = { current: 469, target: 469, elapsed: 1.922, timePerStep: 0.004, values: WITH_VAL, finished: true };
    expect(progressLine(s)).toBe(FINAL);
    expect(verbose2Line(s)).toBe("469/469 - 2s - 4ms/step - accuracy: 0.9252 - loss: 0.2580 - val_accuracy: 0.9600 - val_loss: 0.1300");
    expect(epochHeader(0, 5)).toBe("Epoch 1/5");
  });

  it("shows the ETA instead of the elapsed time while the epoch runs", () => {
    const s = { current: 100, target: 469, elapsed: 0.446, timePerStep: 0.004, values: TRAIN, finished: false };
    expect(progressLine(s)).toBe(` 100/469 ${BAR} 1s 4ms/step - accuracy: 0.9252 - loss: 0.2580`.slice(1));
  });
});

describe("in a notebook the bar is one display per epoch, updated in place", () => {
  it("ends with just the epoch header and Keras's final line, validation included", () => {
    const sink = new RecordingSink("notebook");
    const clock = new ManualClock();
    const bar = new Progbar({ target: 469, verbose: 1, epoch: 0, epochs: 5, sink, now: clock.now });
    runEpoch(bar, clock);
    expect(sink.displays).toHaveLength(1);
    expect(sink.displays[0].current["text/plain"]).toBe(`Epoch 1/5\n${FINAL}`);
    expect(bar.text()).toBe(`Epoch 1/5\n${FINAL}`);
    expect(sink.written).toBe("");
  });

  it("redraws at most about ten times a second and never sends carriage returns", () => {
    const sink = new RecordingSink("notebook");
    const clock = new ManualClock();
    runEpoch(new Progbar({ target: 469, verbose: 1, epoch: 0, epochs: 1, sink, now: clock.now }), clock);
    const { history } = sink.displays[0];
    // 1.92 s of training at ≤ 10 redraws/s, plus the shown header and the final state.
    expect(history.length).toBeGreaterThan(5);
    expect(history.length).toBeLessThanOrEqual(2 + Math.ceil(1.922 / 0.1) + 1);
    for (const b of history) expect(String(b["text/plain"])).not.toContain("\r");
  });

  it("shows the running count, ETA and a partly green bar in HTML while the epoch runs", () => {
    const sink = new RecordingSink("notebook");
    const clock = new ManualClock();
    const bar = new Progbar({ target: 469, verbose: 1, epoch: 1, epochs: 5, sink, now: clock.now });
    clock.advance(0.05);
    bar.update(1, TRAIN);
    for (let step = 2; step <= 234; step++) {
      clock.advance(0.004);
      bar.update(step, TRAIN);
    }
    const html = String(sink.displays[0].current["text/html"]);
    expect(html).toContain("Epoch 2/5");
    expect(stripAnsi(String(sink.displays[0].current["text/plain"]))).toMatch(/^Epoch 2\/5\n2\d\d\/469 ━{20} 0s 4ms\/step - accuracy: 0\.9252 - loss: 0\.2580$/);
    const green = /<span style="color:#2e9e44">(━*)<\/span><span style="color:#c8c8c8">(━*)<\/span>/.exec(html)!;
    expect(green[1].length).toBeGreaterThanOrEqual(8);
    expect(green[1].length + green[2].length).toBe(20);
    expect(green[2].length).toBeGreaterThan(0);
  });

  it("keeps one header and one final line per epoch over a five-epoch fit", () => {
    const sink = new RecordingSink("notebook");
    const clock = new ManualClock();
    for (let epoch = 0; epoch < 5; epoch++) {
      runEpoch(new Progbar({ target: 469, verbose: 1, epoch, epochs: 5, sink, now: clock.now }), clock);
    }
    const expected = [1, 2, 3, 4, 5].map((k) => `Epoch ${k}/5\n${FINAL}\n`).join("");
    expect(sink.savedText).toBe(expected);
  });

  it("prints one line per epoch with verbose 2, and nothing with verbose 0", () => {
    const two = new RecordingSink("notebook");
    const clock = new ManualClock();
    runEpoch(new Progbar({ target: 469, verbose: 2, epoch: 0, epochs: 5, sink: two, now: clock.now }), clock);
    expect(two.displays).toHaveLength(0);
    expect(two.written).toBe(
      "Epoch 1/5\n469/469 - 2s - 4ms/step - accuracy: 0.9252 - loss: 0.2580 - val_accuracy: 0.9600 - val_loss: 0.1300\n",
    );
    const zero = new RecordingSink("notebook");
    runEpoch(new Progbar({ target: 469, verbose: 0, epoch: 0, epochs: 5, sink: zero, now: clock.now }), clock);
    expect(zero.events).toHaveLength(0);
  });

  it("asks for lazily computed values only when it redraws", () => {
    const sink = new RecordingSink("notebook");
    const clock = new ManualClock();
    const bar = new Progbar({ target: 100, verbose: 1, sink, now: clock.now });
    let reads = 0;
    for (let step = 1; step <= 100; step++) {
      clock.advance(0.002);
      bar.update(step, () => (reads++, [["loss", 0.5]]));
    }
    bar.finish([["loss", 0.5]]);
    // 0.2 s of steps at ≤ 10 redraws/s: two or three reads instead of a hundred.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(3);
    expect(sink.displays[0].current["text/plain"]).toBe(`100/100 ${BAR} 0s 2ms/step - loss: 0.5000`);
  });
});

describe("an epoch cut short", () => {
  it("keeps the step it reached, in plain text, in a notebook and a terminal", () => {
    for (const kind of ["notebook", "tty", "pipe"] as const) {
      const sink = new RecordingSink(kind);
      const clock = new ManualClock();
      const bar = new Progbar({ target: 469, verbose: 1, epoch: 0, epochs: 5, sink, now: clock.now });
      for (let step = 1; step <= 100; step++) {
        clock.advance(step === 1 ? 0.05 : 0.004);
        bar.update(step, TRAIN);
      }
      bar.stop();
      bar.finish(WITH_VAL);
      const expected = `Epoch 1/5\n100/469 ${BAR} 0s 4ms/step - accuracy: 0.9252 - loss: 0.2580`;
      if (kind === "notebook") expect(sink.savedText).toBe(`${expected}\n`);
      else expect(stripAnsi(sink.written).split("\r").pop()).toBe(kind === "pipe" ? `${expected}\n` : `${expected.split("\n")[1]}\n`);
    }
  });
});

describe("in a terminal the bar redraws one line; in a pipe it prints one line per epoch", () => {
  it("redraws with carriage returns in Keras's colors and ends the epoch with a newline", () => {
    const sink = new RecordingSink("tty");
    const clock = new ManualClock();
    runEpoch(new Progbar({ target: 469, verbose: 1, epoch: 0, epochs: 5, sink, now: clock.now }), clock);
    const out = sink.written;
    expect(out.startsWith("Epoch 1/5\n\r")).toBe(true);
    expect(out.endsWith("\n")).toBe(true);
    expect(out).toContain("\x1b[32m━");
    const redraws = out.split("\r").length - 1;
    expect(redraws).toBeGreaterThan(10);
    expect(redraws).toBeLessThanOrEqual(2 + Math.ceil(1.922 / 0.05));
    expect(stripAnsi(out.slice(out.lastIndexOf("\r") + 1)).trimEnd()).toBe(FINAL);
  });

  it("pads a shorter line so no characters of the longer one are left behind", () => {
    const sink = new RecordingSink("tty");
    const clock = new ManualClock();
    const bar = new Progbar({ target: 10, verbose: 1, sink, now: clock.now });
    clock.advance(1);
    bar.update(1, [["loss", 12345.6789]]);
    clock.advance(1);
    bar.finish([["loss", 0.5]]);
    const [, first, second] = sink.written.split("\r");
    expect([...stripAnsi(second).trimEnd()].length).toBeLessThan([...stripAnsi(first)].length);
    expect([...stripAnsi(second)].length - 1).toBe([...stripAnsi(first)].length);
  });

  it("writes only the header and the final line to a pipe", () => {
    const sink = new RecordingSink("pipe");
    const clock = new ManualClock();
    runEpoch(new Progbar({ target: 469, verbose: 1, epoch: 2, epochs: 5, sink, now: clock.now }), clock);
    expect(sink.written).toBe(`Epoch 3/5\n${FINAL}\n`);
  });

  it("goes through the default terminal sink when Node's output is not a TTY", () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const sink = new TerminalSink(stream as unknown as NodeJS.WriteStream);
    expect(sink.kind).toBe("pipe");
    const clock = new ManualClock();
    runEpoch(new Progbar({ target: 469, verbose: 1, epoch: 0, epochs: 1, sink, now: clock.now }), clock, TRAIN);
    expect(text).toBe(`Epoch 1/1\n469/469 ${BAR} 2s 4ms/step - accuracy: 0.9252 - loss: 0.2580\n`);
  });
});

describe("a progress bar explains bad arguments", () => {
  it("names the target it received", () => {
    expect(() => new Progbar({ target: 0, sink: new RecordingSink("pipe") })).toThrow(
      "Progbar: target must be a positive integer (the number of steps), received 0",
    );
    expect(() => new Progbar({ target: 10, verbose: 3 as 1, sink: new RecordingSink("pipe") })).toThrow(
      "Progbar: verbose must be 0, 1 or 2, received 3",
    );
  });
});
