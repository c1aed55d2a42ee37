/**
 * The same text as Keras 3: summary() and the progress bar held against what Keras itself prints
 * (test/keras/text.py, one Python process for the file).
 *
 * - summary(): the models are the same on both sides (tsdl writes them as .keras files Keras
 *   loads, or both build them from the same Keras layer configs), and the text must be equal
 *   character for character — Keras printing where there is no terminal (80 columns), as in a
 *   notebook or a pipe.
 * - Progbar: Keras's keras.utils.Progbar and tsdl's Progbar are driven by the same scripted
 *   clock and updates, and every line each draws must be equal (nothing normalized): ETA and
 *   elapsed formats, the time per step's unit, value formats, the redraw interval.
 * - fit / evaluate / predict: the same model from the same file trained on both sides; the lines
 *   a terminal ends up showing must be equal once the two timing figures are normalized (the
 *   elapsed seconds and the time per step, which measure each side's own speed).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Input, layers, Model, optimizers, Progbar, Sequential, setRandomSeed, tensor, type Tensor } from "../runtime/index.js";
import { setDisplaySink, getDisplaySink, type DisplaySink } from "../runtime/display/sink.js";
import { layerFromKeras } from "../runtime/models/keras/layers.js";
import type { Model as ModelType } from "../runtime/models/model.js";
import { RecordingSink } from "./display-recording-sink.js";
import { kerasWorkDir, runKeras } from "./helpers/keras.js";

const work = kerasWorkDir("keras-text");
const file = (name: string) => join(work.dir, name);

// ---- summary() ---------------------------------------------------------------------------------
interface SummaryCase {
  id: string;
  /** tsdl's model; saved for Keras unless `layers` describes it (an unbuilt model cannot be saved). */
  build: () => ModelType | Promise<ModelType>;
  /** Keras layer configs both sides build the model from. */
  layers?: { class_name: string; config: Record<string, unknown> }[];
  name?: string;
}
const unbuiltLayers = [
  { class_name: "Dense", config: { name: "dense", units: 8, activation: "relu" } },
  { class_name: "Dense", config: { name: "dense_1", units: 3, activation: "softmax" } },
];
const x5 = tensor(Array.from({ length: 6 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i + 2 * j))));
const y3 = tensor(Array.from({ length: 6 }, (_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0))));
const summaryCases: SummaryCase[] = [
  {
    id: "the chapter's network",
    build: () => Sequential([Input({ shape: [784] }), layers.Dense(512, { activation: "relu", name: "dense" }), layers.Dense(10, { activation: "softmax", name: "dense_1" })], { name: "sequential" }),
  },
  {
    id: "a Sequential not built yet (? and 0 (unbuilt))",
    build: () => Sequential(unbuiltLayers.map((l) => layerFromKeras(l)), { name: "sequential_unbuilt" }),
    layers: unbuiltLayers,
    name: "sequential_unbuilt",
  },
  {
    id: "BatchNormalization and Dropout (non-trainable parameters)",
    build: () => Sequential([Input({ shape: [20] }), layers.Dense(64, { activation: "relu", name: "hidden" }), layers.BatchNormalization({ name: "batch_normalization" }), layers.Dropout(0.5, { name: "dropout" }), layers.Dense(1, { activation: "sigmoid", name: "out" })], { name: "with_batchnorm" }),
  },
  {
    id: "trained with Adam (Optimizer params)",
    build: async () => {
      const m = Sequential([Input({ shape: [5] }), layers.Dense(4, { activation: "relu", name: "a" }), layers.Dense(3, { activation: "softmax", name: "b" })], { name: "trained_adam" });
      m.compile({ optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"] });
      await m.fit(x5, y3, { epochs: 1, verbose: 0 });
      return m;
    },
  },
  {
    id: "trained with plain SGD (only the two optimizer scalars)",
    build: async () => {
      const m = Sequential([Input({ shape: [5] }), layers.Dense(3, { activation: "softmax", name: "only" })], { name: "trained_sgd" });
      m.compile({ optimizer: new optimizers.SGD(), loss: "categorical_crossentropy" });
      await m.fit(x5, y3, { epochs: 1, verbose: 0 });
      return m;
    },
  },
  {
    id: "a functional model with branches (Connected to, a shared layer, names cut with …)",
    build: () => {
      const a = Input({ shape: [4], name: "input_layer_5" });
      const b = Input({ shape: [4], name: "input_layer_6" });
      const shared = layers.Dense(6, { activation: "tanh", name: "dense_7" });
      const merged = layers.Concatenate({ name: "concatenate" }).apply([shared.apply(a), shared.apply(b)]);
      return Model({ inputs: [a, b], outputs: [layers.Dense(1, { name: "regression" }).apply(merged), layers.Dense(2, { activation: "softmax", name: "classes" }).apply(merged)], name: "functional" });
    },
  },
  {
    id: "a functional chain (three columns, the InputLayer as a row)",
    build: () => {
      const i = Input({ shape: [32], name: "features" });
      return Model({ inputs: i, outputs: layers.Dense(1, { name: "score" }).apply(layers.Dense(16, { activation: "relu", name: "hidden" }).apply(i)), name: "chain" });
    },
  },
  {
    id: "the book's convnet (four-axis shapes)",
    build: () =>
      Sequential(
        [
          Input({ shape: [28, 28, 1] }),
          layers.Conv2D(32, 3, { activation: "relu", name: "conv2d" }),
          layers.MaxPooling2D(2, { name: "max_pooling2d" }),
          layers.Conv2D(64, 3, { activation: "relu", name: "conv2d_1" }),
          layers.MaxPooling2D(2, { name: "max_pooling2d_1" }),
          layers.Conv2D(128, 3, { activation: "relu", name: "conv2d_2" }),
          layers.Flatten({ name: "flatten" }),
          layers.Dense(10, { activation: "softmax", name: "dense" }),
        ],
        { name: "convnet" },
      ),
  },
  {
    id: "a name longer than its column, and a million parameters",
    build: () => Sequential([Input({ shape: [1200] }), layers.Dense(1100, { name: "a_very_long_dense_layer_name_that_cannot_fit" }), layers.Dense(3, { name: "short" })], { name: "long_names" }),
  },
];

// ---- Progbar, driven by a scripted clock -------------------------------------------------------
interface ProgbarCase {
  id: string;
  target: number;
  verbose: 1 | 2;
  /**
   * Clock readings (seconds, offset by CLOCK), the constructor's then one per event. Keras starts
   * its "last redraw" at time 0, so a clock near 0 would hide its first draws; a real clock never is.
   */
  times: number[];
  events: { current: number; values: [string, number][]; finalize: boolean }[];
}
const CLOCK = 1_800_000_000;
const v = (acc: number, loss: number): [string, number][] => [["accuracy", acc], ["loss", loss]];
const progbarCases: ProgbarCase[] = [
  {
    id: "an epoch of 469 steps: ETA while running, elapsed and ms/step at the end",
    target: 469,
    verbose: 1,
    times: [0, 0.5, 0.51, 0.9, 1.4, 2.0, 2.3],
    events: [
      { current: 1, values: v(0.2, 2.1), finalize: false },
      { current: 2, values: v(0.25, 1.9), finalize: false },
      { current: 100, values: v(0.8, 0.61), finalize: false },
      { current: 234, values: v(0.87, 0.43), finalize: false },
      { current: 400, values: v(0.9, 0.33), finalize: false },
      { current: 469, values: [...v(0.9123, 0.30456), ["val_accuracy", 0.95], ["val_loss", 0.15]], finalize: true },
    ],
  },
  {
    id: "long ETAs (m:ss, h:mm:ss) and s/step",
    target: 1000,
    verbose: 1,
    times: [0, 0.1, 2.1, 4000, 5000],
    events: [
      { current: 1, values: v(0.1, 3), finalize: false },
      { current: 2, values: v(0.1, 3), finalize: false },
      { current: 3, values: v(0.1, 3), finalize: false },
      { current: 1000, values: v(0.5, 1), finalize: true },
    ],
  },
  {
    id: "tiny, zero, negative and non-finite values; us/step",
    target: 10,
    verbose: 1,
    times: [0, 0.00001, 0.00002, 0.0001],
    events: [
      { current: 1, values: [["a", 0], ["b", 0.000123], ["c", -2.5]], finalize: false },
      { current: 2, values: [["a", 0], ["b", -0.0005], ["c", NaN]], finalize: false },
      { current: 10, values: [["a", 0.001], ["b", 0.0010001], ["c", Infinity]], finalize: true },
    ],
  },
  {
    id: "redraws at most every 0.05 s",
    target: 50,
    verbose: 1,
    times: [0, 0.01, 0.02, 0.03, 0.07, 0.08, 0.2],
    events: [1, 2, 3, 4, 5].map((s) => ({ current: s, values: v(0.1 * s, 1 / s), finalize: false })).concat([{ current: 50, values: v(0.6, 0.2), finalize: true }]),
  },
  {
    id: "elapsed seconds round half to even (2.5 → 2s)",
    target: 3,
    verbose: 1,
    times: [0, 1, 2, 2.5],
    events: [
      { current: 1, values: v(0.5, 0.5), finalize: false },
      { current: 2, values: v(0.5, 0.5), finalize: false },
      { current: 3, values: v(0.5, 0.5), finalize: true },
    ],
  },
  {
    id: "verbose 2: one line at the end (a negative value in %.4e, as Keras prints it there)",
    target: 12,
    verbose: 2,
    times: [0, 0.1, 0.2, 3.5],
    events: [
      { current: 1, values: v(0.5, 0.5), finalize: false },
      { current: 6, values: v(0.5, 0.5), finalize: false },
      { current: 12, values: [["accuracy", 0.75], ["loss", 0.25], ["score", -0.5], ["tiny", 0.0002]], finalize: true },
    ],
  },
];

/** What a terminal shows: for each line, the text after its last carriage return, without colors or backspaces. */
function rendered(text: string): string[] {
  return text
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1).replace(/\x08/g, "").trimEnd())
    .filter((line, i, all) => !(line === "" && i === all.length - 1));
}
/** Every line each redraw drew (a redraw starts with \r), without colors or backspaces. */
function draws(text: string): string[] {
  return text
    .replace(/\x1b\[[0-9;]*m/g, "")
    .replace(/\x08/g, "")
    .split(/\r|\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== "");
}
/** The two figures that measure each side's own speed, normalized. */
const untimed = (lines: string[]) => lines.map((l) => l.replace(/\b\d+(s|ms|us)\/step\b/g, "T/step").replace(/(━ | - )\d+s( |$)/g, "$1Ts$2"));

// ---- fit / evaluate / predict ------------------------------------------------------------------
interface RunCase {
  id: string;
  build: () => ModelType;
  epochs: number;
  batchSize: number;
  verbose: 1 | 2;
  validation: boolean;
  y: Tensor;
}
const x24 = tensor(Array.from({ length: 24 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.cos(0.7 * i - j))));
const y24 = tensor(Array.from({ length: 24 }, (_, i) => [0, 1, 2].map((k) => (k === (i * 7) % 3 ? 1 : 0))));
const r24 = tensor(Array.from({ length: 24 }, (_, i) => [Math.sin(i) * 3, Math.cos(i)]));
const runCases: RunCase[] = [
  {
    id: "fit with validation data, two epochs, verbose 1; then evaluate and predict",
    build: () => {
      const m = Sequential([Input({ shape: [5] }), layers.Dense(4, { activation: "relu" }), layers.Dense(3, { activation: "softmax" })]);
      m.compile({ optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"] });
      return m;
    },
    epochs: 2,
    batchSize: 8,
    verbose: 1,
    validation: true,
    y: y24,
  },
  {
    id: "fit for one epoch (no Epoch 1/1 header), regression with mae, verbose 1",
    build: () => {
      const m = Sequential([Input({ shape: [5] }), layers.Dense(2)]);
      m.compile({ optimizer: new optimizers.SGD({ learningRate: 0.05 }), loss: "mse", metrics: ["mae"] });
      return m;
    },
    epochs: 1,
    batchSize: 10,
    verbose: 1,
    validation: false,
    y: r24,
  },
  {
    id: "fit, evaluate and predict with verbose 2",
    build: () => {
      const m = Sequential([Input({ shape: [5] }), layers.Dense(3, { activation: "softmax" })]);
      m.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
      return m;
    },
    epochs: 2,
    batchSize: 16,
    verbose: 2,
    validation: false,
    y: y24,
  },
];

// ---- both sides --------------------------------------------------------------------------------
const ours = { summaries: new Map<string, string>(), progbars: new Map<string, string>(), runs: new Map<string, string>() };
let keras: { summaries: Record<string, string>; progbars: Record<string, string>; runs: Record<string, string> };

/** Runs fn with a recording sink of this kind as the display sink; returns what was written. */
async function recorded(kind: "tty" | "pipe", fn: (sink: DisplaySink) => unknown): Promise<string> {
  const sink = new RecordingSink(kind);
  const saved = getDisplaySink();
  setDisplaySink(sink);
  try {
    await fn(sink);
  } finally {
    setDisplaySink(saved);
  }
  return sink.written;
}

beforeAll(async () => {
  setRandomSeed(11);
  const summarySpec = [];
  for (const [i, c] of summaryCases.entries()) {
    const m = await c.build();
    // What summary() prints: the table and a line break, as rich ends its last line.
    ours.summaries.set(c.id, m.summaryText() + "\n");
    if (c.layers) summarySpec.push({ id: c.id, layers: c.layers, name: c.name });
    else {
      m.save(file(`summary-${i}.keras`));
      summarySpec.push({ id: c.id, file: `summary-${i}.keras` });
    }
  }
  for (const p of progbarCases) {
    const times = p.times.map((t) => t + CLOCK);
    const text = await recorded("tty", (sink) => {
      const bar = new Progbar({ target: p.target, verbose: p.verbose, sink, now: () => times.shift()! });
      for (const e of p.events) {
        if (e.finalize) bar.finish(e.values);
        else bar.update(e.current, e.values);
      }
    });
    ours.progbars.set(p.id, text);
  }
  const runSpec = [];
  for (const [i, r] of runCases.entries()) {
    const m = r.build();
    m.save(file(`run-${i}.keras`));
    const text = await recorded("pipe", async () => {
      await m.fit(x24, r.y, { epochs: r.epochs, batchSize: r.batchSize, shuffle: false, verbose: r.verbose, ...(r.validation ? { validationData: [x24, r.y] as [Tensor, Tensor] } : {}) });
      m.evaluate(x24, r.y, { batchSize: r.batchSize, verbose: r.verbose });
      m.predict(x24, { batchSize: r.batchSize, verbose: r.verbose });
    });
    ours.runs.set(r.id, text);
    runSpec.push({ id: r.id, file: `run-${i}.keras`, x: x24.toArray(), y: r.y.toArray(), epochs: r.epochs, batch_size: r.batchSize, verbose: r.verbose, ...(r.validation ? { val_x: x24.toArray(), val_y: r.y.toArray() } : {}) });
  }
  const progbarSpec = progbarCases.map((p) => ({ ...p, times: p.times.map((t) => t + CLOCK), events: p.events.map((e) => ({ ...e, values: e.values.map(([k, x]) => [k, Number.isFinite(x) ? x : String(x)]) })) }));
  keras = runKeras("text.py", work.dir, { summaries: summarySpec, progbars: progbarSpec, runs: runSpec });
}, 600_000);

afterAll(() => work.done());

describe("summary() prints Keras 3's table, character for character", () => {
  for (const c of summaryCases) it(c.id, () => expect(ours.summaries.get(c.id)).toBe(keras.summaries[c.id]));
});

describe("the progress bar draws Keras 3's lines for the same clock and values", () => {
  for (const p of progbarCases) it(p.id, () => expect(draws(ours.progbars.get(p.id)!)).toEqual(draws(keras.progbars[p.id])));
});

describe("fit, evaluate and predict end on Keras 3's lines (elapsed time and time per step normalized)", () => {
  for (const r of runCases) it(r.id, () => expect(untimed(rendered(ours.runs.get(r.id)!))).toEqual(untimed(rendered(keras.runs[r.id]))));
});
