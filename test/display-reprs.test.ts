import { describe, expect, it } from "vitest";
import { historyBundle, modelBundle } from "../runtime/display/reprs.js";

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

describe("a model shows its summary", () => {
  it("keeps the summary text as text/plain", () => {
    expect(modelBundle(SUMMARY)["text/plain"]).toBe(SUMMARY);
  });

  it("turns the summary's box table into an HTML table with the totals below", () => {
    const html = String(modelBundle(SUMMARY)["text/html"]);
    expect(html).toContain("<b>Model: &quot;sequential&quot;</b>");
    const headers = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(["Layer (type)", "Output Shape", "Param #"]);
    const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual(["dense (Dense)", "(None, 512)", "401,920", "dense_1 (Dense)", "(None, 10)", "5,130"]);
    expect(html).toContain("<div>Total params: 407,050 (1.55 MB)</div>");
    expect(html).toContain("<div>Non-trainable params: 0 (0.00 B)</div>");
  });

  it("shows a summary without a table as preformatted text", () => {
    expect(modelBundle("Model: empty")["text/html"]).toBe('<pre style="margin:0">Model: empty</pre>');
  });
});

describe("a History shows a small table of its logs", () => {
  const history = {
    history: { accuracy: [0.9252, 0.9664], loss: [0.258, 0.0001234], val_accuracy: [0.96, 0.97], val_loss: [0.13, 0.1] },
    epoch: [0, 1],
  };

  it("lists each epoch, counted from 1, with Keras's number format", () => {
    expect(historyBundle(history)["text/plain"]).toBe(
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
