/**
 * Seconds per epoch of the MNIST chapter's training (784→512→10, rmsprop, batch 128, 60,000
 * images), side by side in one run with Keras 3 on TensorFlow, PyTorch on the CPU and
 * TensorFlow.js (wasm backend).
 *
 * - tsdl: in this process, the same code as examples/mnist.ts; the first epoch is reported
 *   separately (warm-up), the figure is the median of the others.
 * - Keras: bench/mnist_keras.py — the chapter's own code — in the venv of bench/lib/keras.ts
 *   (tensorflow-cpu 2.21 with Keras 3, installed on first use, never a dependency); its
 *   defaults (TensorFlow's thread pools, oneDNN); median of the epochs after the first.
 * - PyTorch: Debian's python3-torch through /usr/bin/python3 (installed with apt-get when
 *   missing), 1 intra-op thread and OpenBLAS on 2 threads — its best setting on 2 cores.
 * - TensorFlow.js: @tensorflow/tfjs + @tensorflow/tfjs-backend-wasm installed into .bench/tfjs
 *   (never a dependency); one epoch only, it takes about a minute.
 *
 * Usage: npm run bench -- mnist [--epochs N] [--keras-epochs N] [--torch-epochs N] [--no-keras] [--no-torch] [--no-tfjs]
 * Prints a table, then one JSON line.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { datasets, layers, models, utils, type Tensor } from "../runtime/index.js";
import { MNIST } from "../runtime/datasets/catalog.js";
import { getBackend } from "../runtime/backend/index.js";
import { median, option } from "./lib/stats.js";
import { kerasPython } from "./lib/keras.js";

const epochs = option("epochs", 4);
const torchEpochs = option("torch-epochs", 3);
const kerasEpochs = option("keras-epochs", 3);
const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const benchDir = join(root, "bench");
const dataDir = MNIST.installed()[0];

async function tsdl(): Promise<{ secondsPerEpoch: number[]; testAcc: number }> {
  utils.setRandomSeed(0);
  const [[xi, yi], [xti, yti]] = datasets.mnist.loadData();
  const x = xi.reshape([60000, 784]).astype("float32").div(255);
  const y = utils.toCategorical(yi);
  const model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  const times: number[] = [];
  let start = performance.now();
  await model.fit(x, y, {
    epochs,
    batchSize: 128,
    verbose: 0,
    callbacks: [{ onEpochEnd: () => void (times.push((performance.now() - start) / 1000), (start = performance.now())) }],
  });
  const [, testAcc] = model.evaluate(xti.reshape([10000, 784]).astype("float32").div(255), utils.toCategorical(yti as Tensor));
  return { secondsPerEpoch: times, testAcc };
}

function keras(): { secondsPerEpoch: number[]; testAcc: number; keras: string; tensorflow: string } | string {
  let python: string;
  try {
    python = kerasPython();
  } catch (e) {
    return `Keras could not be installed: ${(e as Error).message.split("\n")[0]}`;
  }
  const r = spawnSync(python, [join(benchDir, "mnist_keras.py"), dataDir, String(kerasEpochs)], { encoding: "utf8" });
  if (r.status !== 0) return `Keras harness failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function ensureTorch(): string | null {
  // PyTorch from Debian multiplies through the system's libblas.so.3: without OpenBLAS that is the
  // reference BLAS (~5 GFLOP/s here, 20× slower), so OpenBLAS is part of the peer's install.
  const openblas = existsSync("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
  const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" });
  if (probe.status === 0 && openblas) return null;
  console.error("bench: python3-torch or OpenBLAS is missing; installing them with apt-get (Debian's packages)…");
  const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "python3-torch", "libopenblas0-pthread"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0) return "apt-get install python3-torch failed (run as root with network access, or install it once by hand)";
  return spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0 ? null : "torch still cannot be imported";
}

function torch(): { secondsPerEpoch: number[]; testAcc: number; torch: string } | string {
  const missing = ensureTorch();
  if (missing) return missing;
  const r = spawnSync("/usr/bin/python3", [join(benchDir, "mnist_torch.py"), dataDir, String(torchEpochs)], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "2", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  if (r.status !== 0) return `PyTorch harness failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function tfjs(): { secondsPerEpoch: number[]; version: string } | string {
  const scratch = join(root, ".bench", "tfjs");
  if (!existsSync(join(scratch, "node_modules", "@tensorflow", "tfjs-backend-wasm"))) {
    mkdirSync(scratch, { recursive: true });
    console.error("bench: installing @tensorflow/tfjs and its wasm backend into .bench/tfjs (scratch, not a dependency)…");
    try {
      execFileSync("npm", ["init", "-y"], { cwd: scratch, stdio: "ignore" });
      execFileSync("npm", ["install", "--no-audit", "--no-fund", "@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"], { cwd: scratch, stdio: "inherit" });
    } catch (e) {
      return `could not install TensorFlow.js: ${(e as Error).message}`;
    }
  }
  const r = spawnSync(process.execPath, [join(benchDir, "mnist_tfjs.mjs"), scratch, dataDir, "1"], { encoding: "utf8" });
  if (r.status !== 0) return `TensorFlow.js harness failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const ours = await tsdl();
const oursFigure = median(ours.secondsPerEpoch.length > 1 ? ours.secondsPerEpoch.slice(1) : ours.secondsPerEpoch);
const k = process.argv.includes("--no-keras") ? "skipped (--no-keras)" : keras();
const pt = process.argv.includes("--no-torch") ? "skipped (--no-torch)" : torch();
const tj = process.argv.includes("--no-tfjs") ? "skipped (--no-tfjs)" : tfjs();
const kFigure = typeof k === "string" ? null : median(k.secondsPerEpoch.length > 1 ? k.secondsPerEpoch.slice(1) : k.secondsPerEpoch);
const ptFigure = typeof pt === "string" ? null : median(pt.secondsPerEpoch.length > 1 ? pt.secondsPerEpoch.slice(1) : pt.secondsPerEpoch);
const tjFigure = typeof tj === "string" ? null : tj.secondsPerEpoch[0];

const rows: [string, string, string][] = [
  [`tsdl (${getBackend().description})`, oursFigure.toFixed(3), `epochs ${ours.secondsPerEpoch.map((t) => t.toFixed(2)).join(", ")}; test acc ${ours.testAcc.toFixed(4)}`],
  [`Keras${typeof k === "string" ? "" : ` ${k.keras} / TF ${k.tensorflow}`} CPU`, kFigure?.toFixed(3) ?? "—", typeof k === "string" ? k : `epochs ${k.secondsPerEpoch.map((t) => t.toFixed(2)).join(", ")}; test acc ${k.testAcc.toFixed(4)}`],
  [`PyTorch CPU${typeof pt === "string" ? "" : " " + pt.torch} (1 thread + OpenBLAS 2)`, ptFigure?.toFixed(3) ?? "—", typeof pt === "string" ? pt : `epochs ${pt.secondsPerEpoch.map((t) => t.toFixed(2)).join(", ")}; test acc ${pt.testAcc.toFixed(4)}`],
  [`TensorFlow.js${typeof tj === "string" ? "" : " " + tj.version} wasm`, tjFigure?.toFixed(1) ?? "—", typeof tj === "string" ? tj : "one epoch"],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
console.log(`MNIST chapter training, seconds per epoch (60,000 images, batch 128), ${new Date().toISOString().slice(0, 10)}`);
for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padStart(7)}  ${r[2]}`);
if (kFigure) console.log(`tsdl / Keras = ${(oursFigure / kFigure).toFixed(2)} (Keras takes ${(kFigure / oursFigure).toFixed(1)}× tsdl's time)`);
if (ptFigure) console.log(`tsdl / PyTorch = ${(oursFigure / ptFigure).toFixed(2)} (target ≤ 0.75)`);
console.log(JSON.stringify({ bench: "mnist", tsdlSecondsPerEpoch: oursFigure, kerasSecondsPerEpoch: kFigure, kerasEpochs: typeof k === "string" ? null : k.secondsPerEpoch, kerasTestAcc: typeof k === "string" ? null : k.testAcc, torchSecondsPerEpoch: ptFigure, tfjsWasmSecondsPerEpoch: tjFigure, tsdlEpochs: ours.secondsPerEpoch, tsdlTestAcc: ours.testAcc, ratioToTorch: ptFigure ? oursFigure / ptFigure : null, ratioToKeras: kFigure ? oursFigure / kFigure : null }));
