/**
 * Soak: a long session on the real kernel through its real sockets, and whether it leaks.
 *
 * After a set-up cell (MNIST, all 60,000 training images as float32, the chapter's model), it
 * runs `--cells` cells (500) in a loop as a notebook session would: one epoch of the chapter's
 * training every 25th cell (20 epochs in all, progress bar on), a plot every 10th (50: the
 * history, line, scatter, histogram, a labelled image grid, in turn), and between them the
 * small cells people run — tensor arithmetic, predict and evaluate, printing, displays and a
 * display updated in place, a cell that throws, an awaited timer, re-declared functions. Every
 * 25 cells it reads the kernel process's resident memory (VmRSS) and threads from
 * /proc/PID/status and its open file descriptors from /proc/PID/fd, and asks the kernel (a
 * cell that is not stored in history) for its process listeners and active handles
 * (`process.getActiveResourcesInfo()`).
 *
 * Pass (issue 15): from the end of the warm-up (`--warmup` cells, 100) to the last sample,
 * RSS grows less than 10%, and file descriptors, threads, listeners and handles do not grow
 * (each count taken at its lowest over the last three samples, so that a handle busy at the
 * moment of one sample is not counted as a leak).
 * Prints a table and, last, one JSON line.
 *
 *   npm run bench -- soak [--cells 500] [--warmup 100] [--every 25]
 */
import { readdirSync, readFileSync } from "node:fs";
import { KernelSession } from "./lib/kernel-session.js";
import { option } from "./lib/stats.js";

const cells = option("cells", 500);
const warmup = option("warmup", 100);
const every = option("every", 25);

const SETUP = `
setRandomSeed(1);
const [[xi, yi], [xti, yti]] = datasets.mnist.loadData();
const x = xi.reshape([60000, 784]).astype("float32").div(255);
const y = utils.toCategorical(yi);
const xTest = xti.reshape([10000, 784]).astype("float32").div(255);
const yTest = utils.toCategorical(yti);
const model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
let history: History | null = null;
"ready"`;

// What the kernel process itself reports; not stored in history, so it adds nothing that grows.
const PROBE = `console.log(JSON.stringify({
  listeners: process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0)
    + process.stdout.eventNames().reduce((n, e) => n + process.stdout.listenerCount(e), 0)
    + process.stderr.eventNames().reduce((n, e) => n + process.stderr.listenerCount(e), 0),
  resources: process.getActiveResourcesInfo(),
  heapMB: process.memoryUsage().heapUsed / 1048576,
}))`;

const PLOTS = [
  () => "await plot(history!)",
  (i: number) => `await plot.line(Array.from({ length: 200 }, (_, k) => Math.sin(k / 10 + ${i})))`,
  (i: number) => `await plot.scatter(Array.from({ length: 300 }, (_, k) => k), Array.from({ length: 300 }, (_, k) => Math.cos(k * ${i})), { color: Array.from({ length: 300 }, (_, k) => k % 3) })`,
  () => "await plot.hist(randomNormal([2000]).toArray() as number[], { bins: 40 })",
  (i: number) => `plot.images(xti.slice(${i % 100}, ${(i % 100) + 10}), { labels: yti.slice(${i % 100}, ${(i % 100) + 10}), predictions: model.predict(xTest.slice(${i % 100}, ${(i % 100) + 10}), { verbose: 0 }).argmax(-1) })`,
];

const SMALL = [
  () => "matmul(randomNormal([256, 256]), randomNormal([256, 256])).sum().item()",
  () => "model.predict(xTest.slice(0, 1000), { verbose: 0 }).argmax(-1).slice(0, 5).toArray()",
  (i: number) => `console.log("cell ${i}", [1, 2, 3].map((v) => v * ${i}))`,
  (i: number) => `display.html("<b>${i}</b>"); display.markdown("*${i}*")`,
  (i: number) => `throw new Error("a failing cell (${i})")`,
  () => "model.evaluate(xTest, yTest, { verbose: 0 })",
  (i: number) => `await new Promise((r) => setTimeout(r, 5)); ${i}`,
  (i: number) => `tensor([[1, 2], [3, 4]]).mul(${i})`,
  (i: number) => `function scaled(a: number) { return a * ${i}; } scaled(2)`,
  () => "model",
  (i: number) => `const handle = display("working…"); handle.update("done ${i}")`,
];

/** The code of loop cell `i` and its kind. */
function cell(i: number): { kind: string; code: string } {
  if (i % 25 === 0) return { kind: "fit", code: "history = await model.fit(x, y, { epochs: 1, batchSize: 128 }); history.history.loss[0]" };
  // 3 mod 10 is never a multiple of 25: fits and plots never share a cell.
  if (i % 10 === 3) return { kind: "plot", code: PLOTS[Math.floor(i / 10) % PLOTS.length](i) };
  return { kind: "small", code: SMALL[i % SMALL.length](i) };
}

interface Sample {
  cell: number;
  rssMB: number;
  threads: number;
  fds: number;
  listeners: number;
  handles: number;
  heapMB: number;
  resources: string;
}

async function sample(k: KernelSession, at: number): Promise<Sample> {
  const r = await k.execute(PROBE, { storeHistory: false });
  if (r.status !== "ok") throw new Error(`the probe cell failed: ${r.errors.join("; ")}`);
  const probe = JSON.parse(r.stdout) as { listeners: number; resources: string[]; heapMB: number };
  const status = readFileSync(`/proc/${k.pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)![1]);
  const counts = new Map<string, number>();
  for (const t of probe.resources) counts.set(t, (counts.get(t) ?? 0) + 1);
  return {
    cell: at,
    rssMB: field("VmRSS") / 1024,
    threads: field("Threads"),
    fds: readdirSync(`/proc/${k.pid}/fd`).length,
    listeners: probe.listeners,
    handles: probe.resources.length,
    heapMB: probe.heapMB,
    resources: [...counts].map(([t, n]) => `${t}×${n}`).join(" "),
  };
}

const k = await KernelSession.start();
const setup = await k.execute(SETUP);
if (setup.status !== "ok") throw new Error(`the set-up cell failed: ${setup.errors.join("; ")}`);
const samples: Sample[] = [await sample(k, 0)];
const counts = { fit: 0, plot: 0, small: 0, errors: 0 };
const start = performance.now();
for (let i = 0; i < cells; i++) {
  const { kind, code } = cell(i);
  const r = await k.execute(code);
  counts[kind as "fit" | "plot" | "small"]++;
  const expectedError = code.startsWith("throw ");
  if ((r.status !== "ok") !== expectedError) throw new Error(`cell ${i} (${kind}) ${r.status}: ${r.errors.join("; ")}\n${code}`);
  if (expectedError) counts.errors++;
  if ((i + 1) % every === 0) samples.push(await sample(k, i + 1));
}
const seconds = (performance.now() - start) / 1000;
await k.stop();

const base = samples.find((s) => s.cell >= warmup) ?? samples[0];
const last = samples[samples.length - 1];
const rssGrowth = (last.rssMB - base.rssMB) / base.rssMB;
// A count at its lowest over the last three samples: a leak stays, while a handle that is busy
// just then (an Immediate, a file the language service is reading) is gone by the next one.
const settled = (key: "fds" | "threads" | "listeners" | "handles") => Math.min(...samples.slice(-3).map((s) => s[key]));
const growth = { fds: settled("fds") - base.fds, threads: settled("threads") - base.threads, listeners: settled("listeners") - base.listeners, handles: settled("handles") - base.handles };
const pass = rssGrowth < 0.1 && Object.values(growth).every((g) => g <= 0);

console.log(
  `Soak: ${cells} cells (${counts.fit} one-epoch fits of the MNIST chapter on 60,000 images, ${counts.plot} plots, ` +
    `${counts.small} small cells of which ${counts.errors} throw) in ${seconds.toFixed(0)} s, ${new Date().toISOString().slice(0, 10)}`,
);
console.log("after cell   RSS MB   heap MB   threads   fds   listeners   handles   (handle types)");
for (const s of samples) {
  const mark = s === base ? "  ← end of warm-up" : "";
  console.log(
    `${String(s.cell).padStart(10)}  ${s.rssMB.toFixed(1).padStart(7)}  ${s.heapMB.toFixed(1).padStart(8)}  ${String(s.threads).padStart(8)}  ` +
      `${String(s.fds).padStart(4)}  ${String(s.listeners).padStart(10)}  ${String(s.handles).padStart(8)}   ${s.resources}${mark}`,
  );
}
console.log(
  `from cell ${base.cell} to ${last.cell}: RSS ${rssGrowth >= 0 ? "+" : ""}${(rssGrowth * 100).toFixed(1)}% (limit +10%), ` +
    `fds ${growth.fds}, threads ${growth.threads}, listeners ${growth.listeners}, handles ${growth.handles} (limit 0): ${pass ? "PASS" : "FAIL"}`,
);
console.log(
  JSON.stringify({
    bench: "soak",
    cells,
    warmup: base.cell,
    fits: counts.fit,
    plots: counts.plot,
    seconds: Math.round(seconds),
    rssMB: samples.map((s) => Math.round(s.rssMB * 10) / 10),
    rssGrowthPct: Math.round(rssGrowth * 1000) / 10,
    fds: [base.fds, settled("fds")],
    threads: [base.threads, settled("threads")],
    listeners: [base.listeners, settled("listeners")],
    handles: [base.handles, settled("handles")],
    pass,
  }),
);
