/**
 * Memory across epochs: trains the MNIST chapter's network for 20 epochs and records, after each
 * epoch, the process's resident set size (RSS), V8's heap, and the bytes of native tensor memory
 * still allocated. With every step inside withScope, native memory is the same after every epoch
 * (weights + optimizer state + the uploaded dataset) and RSS stays flat after the first epoch.
 *
 * Usage: npm run bench -- memory [--epochs 20] [--samples 60000]
 * Prints a table, then one JSON line (growth = last epoch − second epoch).
 */
import { datasets, layers, models, utils } from "../runtime/index.js";
import { loadNative } from "../runtime/backend/native.js";
import { option } from "./lib/stats.js";

const epochs = option("epochs", 20);
const samples = option("samples", 60000);
const MB = 1024 * 1024;

utils.setRandomSeed(0);
const [[xi, yi]] = datasets.mnist.loadData();
const x = xi.slice(0, samples).reshape([samples, 784]).astype("float32").div(255);
const y = utils.toCategorical(yi.slice(0, samples), 10);
const model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });

const rows: { epoch: number; rssMB: number; heapMB: number; nativeMB: number; seconds: number }[] = [];
let start = performance.now();
await model.fit(x, y, {
  epochs,
  batchSize: 128,
  verbose: 0,
  callbacks: [
    {
      onEpochEnd: (epoch) => {
        const m = process.memoryUsage();
        rows.push({ epoch: epoch + 1, rssMB: m.rss / MB, heapMB: m.heapUsed / MB, nativeMB: loadNative().liveBytes() / MB, seconds: (performance.now() - start) / 1000 });
        start = performance.now();
      },
    },
  ],
});

console.log(`RSS over ${epochs} epochs of the MNIST chapter (${samples} samples, batch 128), ${new Date().toISOString().slice(0, 10)}`);
console.log("epoch   RSS MB   heap MB   native MB   s/epoch");
for (const r of rows) {
  console.log(`${String(r.epoch).padStart(5)}  ${r.rssMB.toFixed(1).padStart(7)}  ${r.heapMB.toFixed(1).padStart(8)}  ${r.nativeMB.toFixed(2).padStart(10)}  ${r.seconds.toFixed(2).padStart(8)}`);
}
const second = rows[Math.min(1, rows.length - 1)];
const last = rows[rows.length - 1];
console.log(
  JSON.stringify({
    bench: "memory",
    epochs,
    samples,
    rssMB: rows.map((r) => Math.round(r.rssMB * 10) / 10),
    rssGrowthMB: last.rssMB - second.rssMB,
    nativeGrowthMB: last.nativeMB - second.nativeMB,
    heapGrowthMB: last.heapMB - second.heapMB,
  }),
);
