/**
 * The check a person would make: open a tsdl notebook in the classic Notebook in a real browser,
 * run a cell that trains two short epochs and plots the history, and look at what appears.
 *
 * Starts Debian's `jupyter notebook` on loopback (kernelspec in a temporary prefix, test/helpers/jupyter.ts)
 * and headless Chromium driven by playwright-core, runs the cell through the UI (Shift+Enter),
 * asserts the progress bar's final Keras line and the plot's SVG are in the page, and saves a
 * screenshot to artifacts/e2e-notebook.png for people to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { installKernelspec } from "./helpers/jupyter.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "kernel", "cli.js");
const ARTIFACTS = join(ROOT, "artifacts");

/** Two short epochs on a small slice of MNIST, with validation, then the learning curves. */
const TRAINING_CELL = `const [[images, labels]] = datasets.mnist.loadData();
const x = images.slice(0, 2048).reshape([2048, 784]).astype("float32").div(255);
const y = utils.toCategorical(labels.slice(0, 2048), 10);
const model = models.Sequential([
  layers.Dense(64, { activation: "relu", inputShape: [784] }),
  layers.Dense(10, { activation: "softmax" }),
]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
const history = await model.fit(x, y, { epochs: 2, batchSize: 128, validationSplit: 0.25 });
await plot(history);`;

let dir = "";
let server: ChildProcess | null = null;
let serverLog = "";
let context: BrowserContext | null = null;
let baseUrl = "";
let token = "";

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

function notebook(code: string): string {
  return JSON.stringify({
    cells: [{ cell_type: "code", id: "train-and-plot", execution_count: null, metadata: {}, outputs: [], source: code }],
    metadata: {
      kernelspec: { display_name: "TypeScript (tsdl)", language: "typescript", name: "tsdl" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

/** Polls the server's API until it answers (or the process exits). */
async function waitForServer(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`jupyter notebook exited with ${server?.exitCode}:\n${serverLog}`);
    try {
      const r = await fetch(`${baseUrl}/api/kernelspecs?token=${token}`);
      if (r.ok) {
        const specs = (await r.json()) as { kernelspecs: Record<string, unknown> };
        if (!("tsdl" in specs.kernelspecs)) throw new Error(`the server does not see the tsdl kernelspec: ${JSON.stringify(Object.keys(specs.kernelspecs))}`);
        return;
      }
    } catch (e) {
      if ((e as Error).message.includes("kernelspec")) throw e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter notebook did not answer within ${timeoutMs} ms:\n${serverLog}`);
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the browser test`);
  dir = mkdtempSync(join(tmpdir(), "tsdl-e2e-browser-"));
  const notebooks = join(dir, "notebooks");
  mkdirSync(notebooks);
  const { env } = installKernelspec();
  writeFileSync(join(notebooks, "train.ipynb"), notebook(TRAINING_CELL));

  const port = await freePort();
  token = randomUUID().replace(/-/g, "");
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(
    "jupyter",
    [
      "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0",
      `--NotebookApp.token=${token}`, `--notebook-dir=${notebooks}`,
    ],
    { env, cwd: notebooks, stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout!.on("data", (d) => (serverLog += d));
  server.stderr!.on("data", (d) => (serverLog += d));
  await waitForServer(60_000);

  context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 1400 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    // Chromium keeps its crash reports under $XDG_CONFIG_HOME/chromium and dconf under
    // $XDG_CACHE_HOME whatever the profile folder: here, not in the home directory.
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, "xdg-config"), XDG_CACHE_HOME: join(dir, "xdg-cache") },
  });
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server!.once("exit", ok));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Opens the notebook and waits until its kernel is connected and idle. */
async function openNotebook(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/notebooks/train.ipynb?token=${token}`);
  await page.waitForFunction(
    () => {
      // Runs in the page: the classic Notebook's global Jupyter object and the DOM.
      const page = globalThis as unknown as {
        Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } };
        document: { querySelector(selector: string): unknown };
      };
      return page.Jupyter?.notebook?.kernel?.is_connected() === true && page.document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    },
    undefined,
    { timeout: 120_000 },
  );
}

describe("training in the classic Notebook, seen in a real browser", () => {
  it("shows the progress bar's final Keras line for each epoch and the learning curves as SVG", async () => {
    const page = await context!.newPage();
    const consoleErrors: string[] = [];
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    await openNotebook(page);

    await page.click(".cell .input_area");
    await page.keyboard.press("Shift+Enter");

    const output = page.locator(".cell").first().locator(".output_area");
    await page.waitForSelector(".cell .tsdl-chart svg, .cell .output_error", { timeout: 240_000 });
    const errors = await page.locator(".cell .output_error").allInnerTexts();
    expect(errors, `the cell failed:\n${errors.join("\n")}\nserver log:\n${serverLog}`).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "e2e-notebook.png"), fullPage: true });

    const text = (await output.allInnerTexts()).join("\n");
    for (const epoch of [1, 2]) {
      expect(text).toMatch(
        new RegExp(
          `Epoch ${epoch}/2\\n\\s*12/12 ━{20} \\d+s \\d+(ms|us|s)/step - accuracy: \\d\\.\\d{4} - loss: \\d\\.\\d{4}(e[+-]\\d\\d)? - val_accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4}`,
        ),
      );
    }
    // One output per epoch, no carriage-return fragments left behind.
    expect(text).not.toContain("\r");
    expect(text.match(/Epoch \d\/2/g)).toEqual(["Epoch 1/2", "Epoch 2/2"]);

    // The classic Notebook ranks text/html first: the chart is the SVG inlined there (see runtime/plot/render.ts).
    const svg = page.locator(".cell .tsdl-chart svg").first();
    expect(await svg.locator(".role-axis").count()).toBeGreaterThanOrEqual(4);
    expect(await svg.locator(".mark-line").count()).toBe(4);
    const svgText = await svg.innerHTML();
    expect(svgText).toContain("Training and validation loss");
    expect(svgText).toContain("Training and validation accuracy");
    await page.close();
  }, 420_000);
});
