// TensorFlow.js with its wasm backend, the chapter's training, for bench/mnist.ts.
// Imported from a scratch folder (.bench/tfjs) where the benchmark installed @tensorflow/tfjs and
// @tensorflow/tfjs-backend-wasm; never a dependency of tsdl. Prints one JSON line.
// Usage: node mnist_tfjs.mjs SCRATCH_DIR DATA_DIR EPOCHS
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [scratch, dataDir, epochsArg] = process.argv.slice(2);
const require = createRequire(join(scratch, "package.json"));
const tf = require("@tensorflow/tfjs");
require("@tensorflow/tfjs-backend-wasm");
await tf.setBackend("wasm");
await tf.ready();

const images = (name, n) => new Float32Array(readFileSync(join(dataDir, name)).subarray(16, 16 + n * 784)).map((v) => v / 255);
const labels = (name, n) => Int32Array.from(readFileSync(join(dataDir, name)).subarray(8, 8 + n));
const x = tf.tensor2d(images("train-images-idx3-ubyte", 60000), [60000, 784]);
const y = tf.oneHot(tf.tensor1d(labels("train-labels-idx1-ubyte", 60000), "int32"), 10);

const model = tf.sequential({
  layers: [tf.layers.dense({ units: 512, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10, activation: "softmax" })],
});
model.compile({ optimizer: tf.train.rmsprop(0.001, 0.9, 0, 1e-7), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
const times = [];
for (let e = 0; e < Number(epochsArg); e++) {
  const start = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
  times.push((performance.now() - start) / 1000);
}
console.log(JSON.stringify({ secondsPerEpoch: times, backend: tf.getBackend(), version: tf.version.tfjs }));
