/**
 * The progress bar, plots and images through the real kernel process: what a notebook frontend
 * receives on IOPub when a cell trains, plots and shows a digit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, type ExecuteResult, type KernelClient } from "./helpers/kernel-client.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
}, 120_000);
afterAll(async () => {
  await k?.stop();
});

/** What each display id holds once all updates are applied, in the order the displays appeared. */
function finalDisplays(r: ExecuteResult): { id: string; data: Record<string, unknown>; updates: number }[] {
  const byId = new Map<string, { id: string; data: Record<string, unknown>; updates: number }>();
  for (const m of r.displays) {
    const id = (m.content.transient as { display_id?: string } | undefined)?.display_id ?? `anonymous-${byId.size}`;
    const data = m.content.data as Record<string, unknown>;
    if (m.header.msg_type === "display_data") byId.set(id, { id, data, updates: 0 });
    else {
      const d = byId.get(id);
      expect(d, `update_display_data for an id never shown: ${id}`).toBeDefined();
      d!.data = data;
      d!.updates++;
    }
  }
  return [...byId.values()];
}

describe("training in the kernel", () => {
  it("sends one updatable display per epoch that ends as Keras's final line", async () => {
    const r = await k.execute(
      `const [[images, labels]] = datasets.mnist.loadData();
const x = images.slice(0, 1024).reshape([1024, 784]).astype("float32").div(255);
const y = utils.toCategorical(labels.slice(0, 1024), 10);
const model = models.Sequential([layers.Dense(32, { activation: "relu", inputShape: [784] }), layers.Dense(10, { activation: "softmax" })]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
const history = await model.fit(x, y, { epochs: 3, batchSize: 64, validationSplit: 0.25 });`,
      {},
      120_000,
    );
    expect(r.errors).toEqual([]);
    expect(r.stdout).not.toContain("\r");
    const shown = finalDisplays(r);
    expect(shown).toHaveLength(3);
    shown.forEach((d, i) => {
      expect(d.updates).toBeGreaterThanOrEqual(1);
      expect(Object.keys(d.data).sort()).toEqual(["text/html", "text/plain"]);
      expect(String(d.data["text/plain"])).toMatch(
        new RegExp(`^Epoch ${i + 1}/3\\n12/12 ━{20} \\d+s \\d+(ms|us|s)/step - accuracy: \\d\\.\\d{4} - loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4}$`),
      );
    });
  }, 180_000);

  it("plots the history and shows a digit under the cell (plot.image and the display.image global)", async () => {
    const r = await k.execute(
      `await history.plot();\nplot.image(images.get(4), { cmap: "binary" });\ndisplay.image(images.get(4), { cmap: "binary" });`,
      {},
      120_000,
    );
    expect(r.errors).toEqual([]);
    const [chart, digit, again] = finalDisplays(r);
    expect(again.data).toEqual(digit.data);
    expect(Object.keys(chart.data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/svg+xml", "text/html", "text/plain"]);
    expect(String(chart.data["image/svg+xml"])).toContain("Training and validation accuracy");
    expect(String(chart.data["text/plain"])).toMatch(/^loss \(3 epochs\)\n  training /);
    expect(Object.keys(digit.data).sort()).toEqual(["image/png", "text/plain"]);
    expect(Buffer.from(String(digit.data["image/png"]), "base64").subarray(1, 4).toString()).toBe("PNG");
  }, 120_000);

  it("shows a small tensor as an HTML table and a History as its line and a table of its logs", async () => {
    const t = await k.execute("tensor([[1, 2], [3, 4]])");
    expect(String(t.results[0]["text/html"])).toContain("Tensor shape=[2, 2] dtype=float32");
    const h = await k.execute("history");
    expect(String(h.results[0]["text/plain"])).toMatch(/^<History epochs=3, metrics=\[accuracy, loss, .*\]>$/);
    expect(String(h.results[0]["text/html"])).toContain('<table class="tsdl-history">');
  }, 60_000);
});
