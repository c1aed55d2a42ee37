/**
 * The CUDA figures of issue 9, taken in one run on a GPU machine:
 *   1. SGEMM 4096³ in GFLOP/s: tsdl's fp32 path (CUDA cores) and tf32 path (tensor cores),
 *      against torch.matmul in fp32 and tf32 on the same GPU;
 *   2. the chapter's MNIST training (Dense(512, relu) → Dense(10, softmax), rmsprop, batch 128):
 *      milliseconds per epoch measured from `fit`, against a PyTorch eager loop on the same GPU.
 *
 * Usage: `npm run bench -- cuda [--epochs N] [--reps N] [--no-torch]`. PyTorch is found as
 * `python3` (or $TSDL_BENCH_PYTHON); without it the torch columns say why they are empty.
 * Prints a table and, last, one JSON line. Without a GPU it exits 1 with "no GPU: <reason>".
 */
import { spawnSync } from "node:child_process";
import { backendInfo, getBackend, getPrecision, setPrecision, type MatmulPrecision } from "../runtime/backend/index.js";
import { median, option } from "./lib/stats.js";

/** GFLOP/s of C = A·B at n³ on the current backend in the given matmul precision. */
function sgemm(n: number, reps: number, precision: MatmulPrecision): number {
  const before = getPrecision();
  setPrecision(precision);
  const b = getBackend();
  const A = b.alloc("float32", n * n), B = b.alloc("float32", n * n), C = b.alloc("float32", n * n);
  b.randomUniform(A, 1, 0, -1, 1);
  b.randomUniform(B, 2, 0, -1, 1);
  const opts = { m: n, n, k: n };
  for (let i = 0; i < 2; i++) b.matmul(A, B, C, opts);  // warm-up (first launch, clocks)
  b.synchronize();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) b.matmul(A, B, C, opts);
  b.synchronize();
  const seconds = (performance.now() - t0) / 1000 / reps;
  for (const buf of [A, B, C]) b.release(buf);
  setPrecision(before);
  return (2 * n ** 3) / seconds / 1e9;
}

/** ms per epoch of the chapter's training from `fit` (after one warm-up epoch). */
async function mnistEpochMs(epochs: number): Promise<{ msPerEpoch: number[]; accuracy: number }> {
  const { datasets, layers, models, utils } = await import("../runtime/index.js");
  utils.setRandomSeed(0);
  const [[trainImages, trainLabels]] = datasets.mnist.loadData();
  const x = trainImages.reshape([60000, 28 * 28]).astype("float32").div(255);
  const y = utils.toCategorical(trainLabels);
  const model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 });  // uploads the data, builds, warms up
  getBackend().synchronize();
  const msPerEpoch: number[] = [];
  let accuracy = NaN;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const h = await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 });
    getBackend().synchronize();
    msPerEpoch.push(performance.now() - t0);
    accuracy = h.history.accuracy?.at(-1) ?? NaN;
  }
  return { msPerEpoch, accuracy };
}

const TORCH = String.raw`
import json, sys, time
try:
    import torch
except Exception as e:
    print(json.dumps({"error": "torch not importable: %s" % e})); sys.exit(0)
if not torch.cuda.is_available():
    print(json.dumps({"error": "torch sees no GPU"})); sys.exit(0)
n, reps, epochs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dev = torch.device("cuda")
out = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}
a = torch.rand(n, n, device=dev) * 2 - 1; b = torch.rand(n, n, device=dev) * 2 - 1
for tf32 in (False, True):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    for _ in range(2): torch.matmul(a, b)
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(reps): torch.matmul(a, b)
    torch.cuda.synchronize(); s = (time.perf_counter() - t0) / reps
    out["tf32" if tf32 else "fp32"] = 2 * n ** 3 / s / 1e9
torch.backends.cuda.matmul.allow_tf32 = False
# The chapter's network, trained eagerly as a PyTorch user would (data already on the GPU).
g = torch.Generator(device="cpu").manual_seed(0)
x = torch.rand(60000, 784, generator=g).to(dev); y = torch.randint(0, 10, (60000,), generator=g).to(dev)
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)).to(dev)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
lossf = torch.nn.CrossEntropyLoss()
def epoch():
    perm = torch.randperm(60000, device=dev)
    for i in range(0, 60000, 128):
        idx = perm[i:i + 128]
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x[idx]), y[idx]); loss.backward(); opt.step()
epoch(); torch.cuda.synchronize()
ms = []
for _ in range(epochs):
    t0 = time.perf_counter(); epoch(); torch.cuda.synchronize(); ms.append((time.perf_counter() - t0) * 1000)
out["mnistMsPerEpoch"] = ms
print(json.dumps(out))
`;

function torchFigures(n: number, reps: number, epochs: number): Record<string, unknown> {
  const python = process.env.TSDL_BENCH_PYTHON ?? "python3";
  const r = spawnSync(python, ["-c", TORCH, String(n), String(reps), String(epochs)], { encoding: "utf8", timeout: 300_000 });
  if (r.error) return { error: `${python} did not run: ${r.error.message}` };
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { error: `${python} failed: ${(r.stderr || r.stdout).trim().split("\n").at(-1) ?? "no output"}` };
  }
}

async function main(): Promise<void> {
  const info = backendInfo();
  if (info.name !== "cuda") {
    console.error(`no GPU: ${info.cudaUnavailable ?? "the CUDA backend is not in use"}`);
    process.exit(1);
  }
  const n = 4096, reps = option("reps", 10), epochs = option("epochs", 5);
  const date = new Date().toISOString().slice(0, 10);
  console.log(`tsdl CUDA benchmark, ${date}, ${info.description}`);
  const fp32 = sgemm(n, reps, "fp32");
  const tf32 = sgemm(n, reps, "tf32");
  const mnist = await mnistEpochMs(epochs);
  const torch = process.argv.includes("--no-torch") ? { error: "--no-torch" } : torchFigures(n, reps, epochs);
  const t = (k: string) => (typeof torch[k] === "number" ? (torch[k] as number).toFixed(0) : "—");
  const torchMs = Array.isArray(torch.mnistMsPerEpoch) ? median(torch.mnistMsPerEpoch as number[]) : NaN;
  const ours = median(mnist.msPerEpoch);
  console.log(`\n| figure | tsdl | PyTorch ${String(torch.torch ?? "")} |`);
  console.log("|---|---|---|");
  console.log(`| SGEMM ${n}³ fp32, GFLOP/s | ${fp32.toFixed(0)} | ${t("fp32")} |`);
  console.log(`| SGEMM ${n}³ tf32, GFLOP/s | ${tf32.toFixed(0)} | ${t("tf32")} |`);
  console.log(`| MNIST epoch from fit, ms (median of ${epochs}) | ${ours.toFixed(1)} | ${Number.isFinite(torchMs) ? torchMs.toFixed(1) : "—"} |`);
  if (Number.isFinite(torchMs)) console.log(`speed-up over PyTorch eager: ${(torchMs / ours).toFixed(1)}× (issue 9 asks ≥ 10×, and < 50 ms/epoch)`);
  if (torch.error) console.log(`PyTorch: ${String(torch.error)}`);
  console.log(JSON.stringify({ bench: "cuda", date, device: info.description, sgemm4096: { fp32, tf32, torch }, mnist: { ...mnist, medianMs: ours, precision: getPrecision() } }));
}

await main();
