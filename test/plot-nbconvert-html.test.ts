/**
 * A saved notebook exported with Debian's `jupyter nbconvert --to html` keeps the plot and the
 * progress lines. nbconvert 6.x runs image/svg+xml through an HTML cleaner that drops every SVG
 * element, so the chart's bundle also carries the SVG inline in text/html; this test holds that.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { historyChart } from "../runtime/plot/index.js";
import { Progbar } from "../runtime/display/progbar.js";
import { ManualClock, RecordingSink } from "./display-recording-sink.js";

const dir = mkdtempSync(join(tmpdir(), "tsdl-nbconvert-html-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A notebook whose one cell holds outputs as the kernel would have sent them. */
function savedNotebook(outputs: Record<string, unknown>[]): string {
  return JSON.stringify({
    cells: [{ cell_type: "code", id: "fit-and-plot", execution_count: 1, metadata: {}, source: "await plot(history)", outputs }],
    metadata: { kernelspec: { display_name: "TypeScript (tsdl)", language: "typescript", name: "tsdl" }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe("nbconvert's HTML export of a trained notebook", () => {
  it("shows the learning curves' SVG and the final progress line", async () => {
    const sink = new RecordingSink("notebook");
    const clock = new ManualClock();
    const bar = new Progbar({ target: 12, verbose: 1, epoch: 0, epochs: 1, sink, now: clock.now });
    for (let step = 1; step <= 12; step++) {
      clock.advance(0.01);
      bar.update(step, [["loss", 0.5]]);
    }
    bar.finish([["loss", 0.5]]);
    const chart = await historyChart({ loss: [0.5, 0.25], val_loss: [0.6, 0.4] });
    const outputs = [sink.displays[0].current, chart].map((data) => ({ output_type: "display_data", data, metadata: {} }));
    const input = join(dir, "trained.ipynb");
    writeFileSync(input, savedNotebook(outputs));

    const r = spawnSync("jupyter", ["nbconvert", "--to", "html", "--output-dir", dir, input], {
      encoding: "utf8",
      env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", PYTHONWARNINGS: "ignore" },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(join(dir, "trained.html"), "utf8");
    const chartHtml = html.slice(html.indexOf('<div class="tsdl-chart">'));
    expect(chartHtml).toMatch(/^<div class="tsdl-chart"><svg[^>]*class="marks"/);
    expect(chartHtml.match(/class="mark-line role-mark/g)).toHaveLength(2);
    expect(chartHtml).toContain(`aria-label="X-axis titled 'Epoch'`);
    expect(html).toContain("Epoch 1/1\n<b>12/12</b>");
  }, 180_000);
});
