import { describe, expect, it } from "vitest";
import { historyBundle, historyTable, modelBundle, reprLine, reprValue } from "../runtime/display/reprs.js";

const SUMMARY = `Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 512)            │       401,920 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         5,130 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 407,050 (1.55 MB)
 Trainable params: 407,050 (1.55 MB)
 Non-trainable params: 0 (0.00 B)`;

const LINE = "<Sequential name=sequential, built=True>";

describe("a model shows its line and its summary", () => {
  it("has its one Keras line as text/plain", () => {
    expect(modelBundle(LINE, SUMMARY)["text/plain"]).toBe(LINE);
  });

  it("turns the summary's box table into an HTML table with the totals below", () => {
    const html = String(modelBundle(LINE, SUMMARY)["text/html"]);
    expect(html).toContain("<b>Model: &quot;sequential&quot;</b>");
    const headers = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(["Layer (type)", "Output Shape", "Param #"]);
    const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual(["dense (Dense)", "(None, 512)", "401,920", "dense_1 (Dense)", "(None, 10)", "5,130"]);
    expect(html).toContain("<div>Total params: 407,050 (1.55 MB)</div>");
    expect(html).toContain("<div>Non-trainable params: 0 (0.00 B)</div>");
  });

  it("shows a summary without a table as preformatted text", () => {
    expect(modelBundle(LINE, "Model: empty")["text/html"]).toBe('<pre style="margin:0">Model: empty</pre>');
  });
});

describe("a History shows its line and a small table of its logs", () => {
  const history = {
    history: { accuracy: [0.9252, 0.9664], loss: [0.258, 0.0001234], val_accuracy: [0.96, 0.97], val_loss: [0.13, 0.1] },
    epoch: [0, 1],
  };

  it("has a line with its epochs and the names it logged as text/plain", () => {
    expect(historyBundle(history)["text/plain"]).toBe("<History epochs=2, metrics=[accuracy, loss, val_accuracy, val_loss]>");
  });

  it("lists each epoch, counted from 1, with Keras's number format", () => {
    expect(historyTable(history).text).toBe(
      [
        "History (2 epochs)",
        "epoch  accuracy        loss  val_accuracy  val_loss",
        "    1    0.9252      0.2580        0.9600    0.1300",
        "    2    0.9664  1.2340e-04        0.9700    0.1000",
      ].join("\n"),
    );
  });

  it("has an HTML table with one row per epoch", () => {
    const html = String(historyBundle(history)["text/html"]);
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain("<caption");
    expect(html).toContain(">0.9664</td>");
  });
});

describe("Keras's one-line form", () => {
  it("puts the class first, then key=value pairs in order, leaving out undefined ones", () => {
    expect(reprLine("Dense", { name: "dense", units: 512, activation: "relu", seed: undefined, built: true })).toBe("<Dense name=dense, units=512, activation=relu, built=True>");
    expect(reprLine("Flatten", {})).toBe("<Flatten>");
  });

  it("prints values as Keras does: True/False/None, bare names, lists, functions by name", () => {
    expect(reprValue([true, false, null, "relu", 0.001, [1, 2]])).toBe("[True, False, None, relu, 0.001, [1, 2]]");
    expect(reprValue(function halve() {})).toBe("halve");
  });
});
