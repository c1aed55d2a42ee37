/**
 * The "first neural network" chapter of Deep Learning with Python (ch. 2), as a plain Node script:
 * MNIST, Dense(512, relu) → Dense(10, softmax), rmsprop, categorical cross-entropy, 5 epochs at
 * batch 128, then the test accuracy (the book reports 0.978–0.982).
 *
 * Run: `npm run mnist` (after `npm run build`). Options: --epochs N, --seed N, --json (last line
 * is a JSON object with the figures, for tests and benchmarks: fitSeconds, epochEnds — when each
 * epoch ended, in seconds since fit began — and the accuracies).
 */
import { datasets, layers, models, utils } from "../runtime/index.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const epochs = Number(arg("epochs") ?? 5);
const seed = arg("seed");
if (seed !== undefined) utils.setRandomSeed(Number(seed));

const [[trainImages, trainLabels], [testImages, testLabels]] = datasets.mnist.loadData();

const model = models.Sequential([
  layers.Dense(512, { activation: "relu" }),
  layers.Dense(10, { activation: "softmax" }),
]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });

const xTrain = trainImages.reshape([60000, 28 * 28]).astype("float32").div(255);
const xTest = testImages.reshape([10000, 28 * 28]).astype("float32").div(255);
const yTrain = utils.toCategorical(trainLabels);
const yTest = utils.toCategorical(testLabels);

const started = performance.now();
// When each epoch ended (seconds since fit began), for the benchmarks that compare epochs.
const epochEnds: number[] = [];
const history = await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 128,
  callbacks: [{ onEpochEnd: () => void epochEnds.push((performance.now() - started) / 1000) }],
});
const seconds = (performance.now() - started) / 1000;

const [testLoss, testAcc] = model.evaluate(xTest, yTest);
console.log(`test_acc: ${testAcc.toFixed(4)}`);

/** The run's figures, for the test that runs this chapter (test/mnist.test.ts). */
export const result = { testAcc, testLoss, epochs, secondsPerEpoch: seconds / epochs, history: history.history };
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ testAcc, testLoss, epochs, fitSeconds: seconds, secondsPerEpoch: seconds / epochs, epochEnds, trainAccuracy: history.history.accuracy }));
}
