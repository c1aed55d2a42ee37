/**
 * Stop where it hurts: during `fit`, during a large GEMM, during a dataset download. Through the
 * real kernel and its sockets, by interrupt_request (what Jupyter sends to tsdl) and by SIGINT.
 * Each time the kernel survives with its variables, `fit` leaves the weights of the last
 * finished batch (bit for bit), and a stopped download neither replaces the cached file nor
 * leaves a partial one, nor goes on downloading behind the user's back.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { MNIST } from "../runtime/datasets/catalog.js";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

const mnistDir = MNIST.installed()[0];

// A server in its own process (the kernel blocks while it downloads): the MNIST files gzipped,
// sent in 16 KiB pieces every 40 ms under /slow/ (train images: about 25 s), at once elsewhere.
// It prints a line as each response ends or its connection closes early.
const SERVER = `
const http = require("node:http"), fs = require("node:fs"), zlib = require("node:zlib"), path = require("node:path");
const dir = ${JSON.stringify(mnistDir)};
const files = new Map(fs.readdirSync(dir).map((n) => ["/" + n + ".gz", zlib.gzipSync(fs.readFileSync(path.join(dir, n)), { level: 1 })]));
const server = http.createServer((req, res) => {
  const slow = req.url.startsWith("/slow/");
  const body = files.get(slow ? req.url.slice(5) : req.url);
  if (!body) return res.writeHead(404).end();
  res.writeHead(200, { "content-length": body.length });
  if (!slow) return res.end(body);
  console.log("start " + req.url);
  let sent = 0;
  const timer = setInterval(() => {
    res.write(body.subarray(sent, sent + 16384));
    sent = Math.min(body.length, sent + 16384);
    if (sent === body.length) { clearInterval(timer); res.end(); console.log("finished " + req.url); }
  }, 40);
  res.on("close", () => { if (sent < body.length) { clearInterval(timer); console.log("closed " + req.url + " after " + sent + " of " + body.length); } });
});
server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
`;

let k: KernelClient;
let server: ChildProcess;
let serverLog = "";
let baseUrl = "";
const cache = mkdtempSync(join(tmpdir(), "tsdl-interrupt-cache-"));
const cachedDir = join(cache, "datasets", "mnist");

beforeAll(async () => {
  server = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  server.stdout!.on("data", (d) => (serverLog += d));
  const port = await new Promise<string>((ok) => {
    const check = () => {
      const m = /port (\d+)/.exec(serverLog);
      if (m) ok(m[1]);
      else server.stdout!.once("data", check);
    };
    check();
  });
  baseUrl = `http://127.0.0.1:${port}/`;
  k = await startKernel({ env: { TSDL_CACHE_DIR: cache } });
  await k.execute("const kept = 'still here'");
});
afterAll(async () => {
  await k?.stop();
  server?.kill();
  rmSync(cache, { recursive: true, force: true });
});

const interruptKinds = {
  "an interrupt_request": async () => {
    const r = await k.request("control", "interrupt_request", {});
    expect(r.content.status).toBe("ok");
  },
  "a signal": async () => k.signalInterrupt(),
};

/**
 * Waits until the cell `id` has started (its execute_input was published). A cell's output
 * cannot tell: it is sent when the thread is free, and these cells keep it busy.
 */
function started(id: string): Promise<unknown> {
  return k.waitFor(() => k.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
}

/** Waits until the cell `id` has printed `text` on stdout (an awaiting cell's output is sent as it runs). */
function printed(id: string, text: string): Promise<unknown> {
  return k.waitFor(
    () => (k.iopubFor(id).some((m) => m.header.msg_type === "stream" && String(m.content.text).includes(text)) ? true : undefined),
    `"${text}" from the cell`,
  );
}

/** Polls `check` every 20 ms (for what no kernel message announces: the server's log, files). */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; server log:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Evaluates `code` in the kernel and returns its text/plain value. */
async function value(code: string): Promise<string> {
  const r = await k.execute(code);
  expect(r.errors).toEqual([]);
  return r.results[0]["text/plain"];
}

describe("a Stop during fit", () => {
  beforeAll(async () => {
    const r = await k.execute(`
setRandomSeed(1);
const [[xi, yi]] = datasets.mnist.loadData();
const x = xi.slice(0, 12800).reshape([12800, 784]).astype("float32").div(255);
const y = utils.toCategorical(yi.slice(0, 12800), 10);
const bits = (ws: Tensor[]) => ws.map((w) => Array.from(new Uint32Array((w.data() as Float32Array).slice().buffer)));
const sameBits = (a: Tensor[], b: Tensor[]) => JSON.stringify(bits(a)) === JSON.stringify(bits(b));
let model: any, steps = 0, recorded: Tensor[] = [];
const trainForever = () => model.fit(x, y, { epochs: 1000, batchSize: 128, verbose: 0, callbacks: [{
  onTrainBatchEnd: () => { if (steps++ === 0) console.log("training"); recorded = model.getWeights(); },
}] });
const fresh = () => {
  model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  steps = 0;
};`);
    expect(r.errors).toEqual([]);
  });

  test.each(Object.entries(interruptKinds))("by %s keeps the weights of the last finished batch, bit for bit, and training stops", async (_, interrupt) => {
    await k.execute("fresh()");
    const id = await k.sendExecute("await trainForever()");
    await printed(id, "training");
    await new Promise((r) => setTimeout(r, 500));
    await interrupt();
    const r = await k.collect(id, 20_000);
    expect(r.errors.map((e) => e.ename)).toEqual(["KeyboardInterrupt"]);
    expect(await value("[steps > 1, sameBits(model.getWeights(), recorded), kept]")).toBe("[ true, true, 'still here' ]");
    // Nothing goes on training in the background.
    expect(await value("const stepsThen = steps; await new Promise((r) => setTimeout(r, 500)); [steps === stepsThen, sameBits(model.getWeights(), recorded)]")).toBe("[ true, true ]");
  });

  test("a cell queued behind the stopped fit runs after it and sees the last finished batch's weights", async () => {
    await k.execute("fresh()");
    const id = await k.sendExecute("await trainForever()", { stop_on_error: false });
    await printed(id, "training");
    // Queued now, as a notebook's Run All queues the cells below: it runs once the fit cell ends.
    const next = await k.sendExecute("const stepsAtNext = steps; await new Promise((r) => setTimeout(r, 500)); [steps === stepsAtNext, sameBits(model.getWeights(), recorded)]");
    await new Promise((r) => setTimeout(r, 300));
    await interruptKinds["an interrupt_request"]();
    expect((await k.collect(id, 20_000)).errors.map((e) => e.ename)).toEqual(["KeyboardInterrupt"]);
    const r = await k.collect(next, 20_000);
    expect(r.errors).toEqual([]);
    expect(r.results[0]["text/plain"]).toBe("[ true, true ]");
  });

  test("fit trains again after a Stop", async () => {
    const r = await k.execute("const h = await model.fit(x.slice(0, 1280), y.slice(0, 1280), { epochs: 1, verbose: 0 }); h.history.loss.length");
    expect(r.errors).toEqual([]);
    expect(r.results[0]["text/plain"]).toBe("1");
  });
});

describe("a Stop during a large GEMM", () => {
  // A native GEMM cannot be stopped inside the call: the cell stops at the next JavaScript
  // boundary, when the product in progress returns. How long that takes is printed.
  beforeAll(async () => {
    const r = await k.execute(`
const a4k = randomNormal([4096, 4096]), b4k = randomNormal([4096, 4096]);
matmul(a4k, b4k); // the first product also allocates and faults in its output
const t0 = performance.now(); matmul(a4k, b4k); const gemmMs = performance.now() - t0;
gemmMs`);
    expect(r.errors).toEqual([]);
  });

  test.each(Object.entries(interruptKinds))("by %s stops a loop of 4096×4096 matmuls after the product in progress", async (kind, interrupt) => {
    const gemmMs = Number(await value("gemmMs"));
    const id = await k.sendExecute(`while (true) matmul(a4k, b4k);`);
    await started(id);
    await new Promise((r) => setTimeout(r, 300 + gemmMs * 1.5));
    await interrupt();
    // The loop never ends by itself: a reply at all means the Stop broke it (how soon is a
    // figure for the README, not something a test may time).
    const r = await k.collect(id, 30_000);
    expect(r.errors.map((e) => e.ename)).toEqual(["KeyboardInterrupt"]);
    expect(await value("[kept, matmul(tensor([[1, 2]]), tensor([[3], [4]])).item()]")).toBe("[ 'still here', 11 ]");
  });

});

describe("a Stop during a dataset download", () => {
  const images = join(cachedDir, "train-images-idx3-ubyte.gz");

  test.each(Object.entries(interruptKinds))("by %s leaves the cached file as it was, no partial file, and the download ends", async (_, interrupt) => {
    // A damaged cached copy (its end is missing), so loadData downloads it again, slowly.
    mkdirSync(cachedDir, { recursive: true });
    for (const f of ["train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
      writeFileSync(join(cachedDir, f + ".gz"), gzipSync(readFileSync(join(mnistDir, f)), { level: 1 }));
    }
    const damaged = gzipSync(readFileSync(join(mnistDir, "train-images-idx3-ubyte")), { level: 1 }).subarray(0, 1_000_000);
    writeFileSync(images, damaged);
    const logBefore = serverLog.length;
    const id = await k.sendExecute(`datasets.mnist.loadData({ useInstalledCopies: false, baseUrl: ${JSON.stringify(baseUrl + "slow/")} })`);
    await until(() => serverLog.slice(logBefore).includes("start /slow/train-images"), "the download to start");
    await new Promise((r) => setTimeout(r, 1000));
    await interrupt();
    const r = await k.collect(id, 20_000);
    expect(r.errors.map((e) => e.ename)).toEqual(["KeyboardInterrupt"]);
    expect(readFileSync(images).equals(damaged)).toBe(true);
    // The download gives up within seconds of the Stop: the server sees its connection close
    // early, and the partial file is deleted.
    await until(() => serverLog.slice(logBefore).includes("closed /slow/train-images"), "the server to see the download end");
    expect(serverLog.slice(logBefore)).not.toContain("finished /slow/train-images");
    await until(() => !readdirSync(cachedDir).some((n) => n.endsWith(".part")), "the partial file to go");
    expect(readFileSync(images).equals(damaged)).toBe(true);
    expect(await value("kept")).toBe("'still here'");
  });

  test("the next load downloads the file again, whole, and replaces the damaged copy", async () => {
    const r = await k.execute(`const [[xTrainAgain]] = datasets.mnist.loadData({ useInstalledCopies: false, baseUrl: ${JSON.stringify(baseUrl)} }); xTrainAgain.shape`);
    expect(r.errors).toEqual([]);
    expect(r.results[0]["text/plain"]).toBe("[ 60000, 28, 28 ]");
    expect(readdirSync(cachedDir).sort()).toEqual(["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]);
  });
});
