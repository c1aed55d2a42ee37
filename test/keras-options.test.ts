/**
 * Options are checked as Keras checks keyword arguments: an unknown key is an error naming the
 * function, the key and the nearest known option (in either spelling); snake_case twins of the
 * camelCase keys work; `inputDim` gives a layer its input shape. Through the runtime as a user
 * imports it, and through the real kernel, where the error is the cell's error reply.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ts from "typescript";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  callbacks,
  datasets,
  grad,
  imageBundle,
  initializers,
  Input,
  layers,
  losses,
  metrics,
  Model,
  models,
  optimizers,
  plot,
  Progbar,
  randomNormal,
  randomUniform,
  regularizers,
  Sequential,
  softmaxCrossEntropy,
  tensor,
  utils,
  variable,
  type Tensor,
} from "../runtime/index.js";
import { REPO_ROOT, startKernel, type KernelClient } from "./helpers/kernel-client.js";

// Options are typed, so a typo is a type error too; these tests pass what a cell would pass at
// run time (a cast, JavaScript, or a cell that runs despite its type errors).
type Loose = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const loose = (o: unknown): Loose => o;

function data(n: number): [Tensor, Tensor] {
  utils.setRandomSeed(1);
  const x = randomNormal([n, 3]);
  const y = utils.toCategorical(tensor(Array.from({ length: n }, (_, i) => i % 2), "int32"), 2);
  return [x, y];
}

function compiled(): models.Sequential {
  const model = Sequential([layers.Dense(4, { inputDim: 3, activation: "relu" }), layers.Dense(2, { activation: "softmax" })]);
  model.compile({ optimizer: "sgd", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

describe("unknown options", () => {
  it("a misspelt Dense option is an error naming Dense, the key and the nearest option, as Keras's keyword arguments", () => {
    expect(() => layers.Dense(4, loose({ activaton: "relu" }))).toThrow(new Error('Dense: unknown option "activaton" (did you mean "activation"?)'));
  });

  it("every layer class and Input reject an unknown option and accept their own and the base layer's", () => {
    const cases: [string, (o: Loose) => unknown, Loose][] = [
      ["Dense", (o) => layers.Dense(2, o), { activation: "relu", useBias: false, name: "d" }],
      ["Activation", (o) => layers.Activation("relu", o), { trainable: false }],
      ["Dropout", (o) => layers.Dropout(0.5, o), { seed: 3 }],
      ["BatchNormalization", (o) => layers.BatchNormalization(o), { momentum: 0.9, epsilon: 1e-3, center: true, scale: true }],
      ["Flatten", (o) => layers.Flatten(o), { inputShape: [2, 2] }],
      ["Reshape", (o) => layers.Reshape([2, 2], o), { inputShape: [4] }],
      ["Concatenate", (o) => layers.Concatenate(o), { axis: -1 }],
      ["Add", (o) => layers.Add(o), { name: "sum" }],
      ["Input", (o) => Input({ shape: [3], ...o }), { batchSize: 8, name: "pixels" }],
    ];
    for (const [name, make, good] of cases) {
      expect(() => make(good), name).not.toThrow();
      expect(() => make({ ...good, nmae: "x" }), name).toThrow(new Error(`${name}: unknown option "nmae" (did you mean "name"?)`));
    }
  });

  it("with no option near the key, the error lists the known options", () => {
    expect(() => new optimizers.SGD(loose({ clipnorm: 1 }))).toThrow(
      new Error('SGD: unknown option "clipnorm"; known options: momentum, nesterov, learningRate, name'),
    );
    expect(() => layers.Dropout(0.1, loose({ noiseShape: [1], sed: 1 }))).toThrow(
      'Dropout: unknown options "noiseShape" and "sed" (did you mean "seed"?); known options: seed, name, trainable, inputShape',
    );
  });

  it("options that are not an object are an error; undefined means the defaults", () => {
    expect(() => layers.Dense(4, loose("relu"))).toThrow(/^Dense: options must be an object, received "relu"; known options: activation, useBias, /);
    expect(() => layers.Dense(4, loose(null))).toThrow(/^Dense: options must be an object, received null/);
    expect(() => new callbacks.EarlyStopping(loose(2))).toThrow(/^EarlyStopping: options must be an object, received 2 \(a number\)/);
    expect(() => compiled().predict(data(2)[0], loose([32]))).toThrow(/^predict: options must be an object, received an array/);
    expect(layers.Dense(4, undefined).useBias).toBe(true);
  });

  it("fit with batchsize fails before training, naming batchSize, and leaves the weights as they were", async () => {
    const model = compiled();
    const [x, y] = data(8);
    const before = model.getWeights().map((w) => Array.from(w.data()));
    await expect(model.fit(x, y, loose({ batchsize: 1 }))).rejects.toThrow(new Error('fit: unknown option "batchsize" (did you mean "batchSize"?)'));
    expect(model.getWeights().map((w) => Array.from(w.data()))).toEqual(before);
    expect(model.optimizer!.iterations).toBe(0);
  });

  it("compile, evaluate, the models, optimizers, callbacks, losses, metrics, initializers and regularizers check their options", () => {
    const model = compiled();
    const [x, y] = data(4);
    const checks: [() => unknown, string][] = [
      [() => model.compile(loose({ loss: "mse", metric: ["mae"] })), 'compile: unknown option "metric" (did you mean "metrics"?)'],
      [() => model.evaluate(x, y, loose({ verbos: 0 })), 'evaluate: unknown option "verbos" (did you mean "verbose"?)'],
      [() => Sequential([], loose({ nmae: "m" })), 'Sequential: unknown option "nmae" (did you mean "name"?)'],
      [() => Model(loose({ inputs: Input({ shape: [2] }), output: null })), 'Model: unknown option "output" (did you mean "outputs"?)'],
      [() => new optimizers.RMSprop(loose({ learningrate: 0.1 })), 'RMSprop: unknown option "learningrate" (did you mean "learningRate"?)'],
      [() => new optimizers.Adam(loose({ beta_3: 0.9 })), 'Adam: unknown option "beta_3" (did you mean "beta_1"?)'],
      [() => new optimizers.AdamW(loose({ weightdecay: 0.1 })), 'AdamW: unknown option "weightdecay" (did you mean "weightDecay"?)'],
      [() => new optimizers.Adagrad(loose({ epsilom: 1 })), 'Adagrad: unknown option "epsilom" (did you mean "epsilon"?)'],
      [() => new callbacks.EarlyStopping(loose({ patients: 2 })), 'EarlyStopping: unknown option "patients" (did you mean "patience"?)'],
      [() => new callbacks.ModelCheckpoint("ckpt", loose({ saveBest: true })), 'ModelCheckpoint: unknown option "saveBest" (did you mean "saveBestOnly"?)'],
      [() => new callbacks.ReduceLROnPlateau(loose({ min_lr_: 0 })), 'ReduceLROnPlateau: unknown option "min_lr_" (did you mean "min_lr"?)'],
      [() => new losses.CategoricalCrossentropy(loose({ from_logit: true })), 'CategoricalCrossentropy: unknown option "from_logit" (did you mean "from_logits"?)'],
      [() => new losses.Huber(loose({ delt: 1 })), 'Huber: unknown option "delt" (did you mean "delta"?)'],
      [() => new metrics.Precision("p", loose({ thresholds: 0.7 })), 'Precision: unknown option "thresholds" (did you mean "threshold"?)'],
      [() => new metrics.BinaryAccuracy(loose({ threshold: 0.7 })), "BinaryAccuracy: the first argument is the metric's name (a string), received object"],
      [() => initializers.GlorotUniform(loose({ sed: 1 })), 'GlorotUniform: unknown option "sed" (did you mean "seed"?)'],
      [() => initializers.RandomNormal(loose({ sigma: 1 })), 'RandomNormal: unknown option "sigma"; known options: mean, stddev, seed'],
      [() => regularizers.l1l2(loose({ l3: 0.1 })), 'l1l2: unknown option "l3" (did you mean "l1"?)'],
    ];
    for (const [run, message] of checks) expect(run, message).toThrow(message);
  });

  it("datasets, plot, images, tensors and the progress bar check their options", async () => {
    expect(() => datasets.mnist.loadData(loose({ cachedir: "/nonexistent" }))).toThrow('datasets.mnist.loadData: unknown option "cachedir" (did you mean "cacheDir"?)');
    expect(() => datasets.fashion_mnist.loadData(loose("fashion.npz"))).toThrow('datasets.fashion_mnist.loadData: options must be an object, received "fashion.npz"');
    await expect(plot({ loss: [1, 0.5] }, loose({ metric: ["loss"] }))).rejects.toThrow('plot: unknown option "metric" (did you mean "metrics"?)');
    await expect(plot.line([1, 2, 3], loose({ xlabel: "step" }))).rejects.toThrow('plot.line: unknown option "xlabel" (did you mean "xLabel"?)');
    await expect(plot.line([1, 2], [3, 4], loose({ tilte: "t" }))).rejects.toThrow('plot.line: unknown option "tilte" (did you mean "title"?)');
    await expect(plot.scatter([1], [2], loose({ colour: [0] }))).rejects.toThrow('plot.scatter: unknown option "colour" (did you mean "color"?)');
    await expect(plot.hist([1, 2], loose({ bin: 5 }))).rejects.toThrow('plot.hist: unknown option "bin" (did you mean "bins"?)');
    const history = await compiled().fit(...data(4), { verbose: 0 });
    await expect(history.plot(loose({ metrics: ["loss"], widht: 100 }))).rejects.toThrow('plot: unknown option "widht" (did you mean "width"?)');
    const digit = [[0, 255], [255, 0]];
    expect(() => plot.image(digit, loose({ camp: "binary" }))).toThrow('plot.image: unknown option "camp" (did you mean "cmap"?)');
    expect(() => plot.image(digit, loose({ cmap: "viridis" }))).toThrow('plot.image: cmap must be "gray" or "binary" (ink black on white), received "viridis"');
    expect(() => plot.images([digit], loose({ label: [1] }))).toThrow('plot.images: unknown option "label" (did you mean "labels"?)');
    expect(() => imageBundle(digit, loose({ vmx: 1 }))).toThrow('imageBundle: unknown option "vmx" (did you mean "vmax"?)');
    expect(() => tensor([1, 2], loose({ dtpye: "int32" }))).toThrow('tensor: unknown option "dtpye" (did you mean "dtype"?)');
    expect(() => randomUniform([2], loose({ max: 2 }))).toThrow('randomUniform: unknown option "max"; known options: minval, maxval, seed');
    expect(() => variable(tensor([1]), loose({ trainabel: false }))).toThrow('variable: unknown option "trainabel" (did you mean "trainable"?)');
    expect(() => grad((t: Tensor) => t.sum(), loose({ argnum: [0] }))).toThrow('grad: unknown option "argnum" (did you mean "argnums"?)');
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), tensor([1], "int32"), loose({ sparce: true }))).toThrow('softmaxCrossEntropy: unknown option "sparce" (did you mean "sparse"?)');
    expect(() => new Progbar(loose({ target: 3, verbos: 0 }))).toThrow('Progbar: unknown option "verbos" (did you mean "verbose"?)');
    expect(() => layers.Dense(2).apply(tensor([[1, 2]]), loose({ trainig: true }))).toThrow(/^dense(_\d+)?\.apply: unknown option "trainig" \(did you mean "training"\?\)$/);
  });

  it("a plain-object callback with a misspelt hook is an error, not a hook that is never called", async () => {
    const [x, y] = data(4);
    await expect(compiled().fit(x, y, { verbose: 0, callbacks: [loose({ onEpochEnds() {} })] })).rejects.toThrow(
      'fit: callback hook "onEpochEnds" is not one fit calls (did you mean "onEpochEnd"?)',
    );
    await expect(compiled().fit(x, y, { verbose: 0, callbacks: [loose({ on_epoch_end() {} })] })).rejects.toThrow('did you mean "onEpochEnd"?');
    // State of its own next to the hooks is fine.
    const seen = { epochs: 0, onEpochEnd() { this.epochs++; } };
    await compiled().fit(x, y, { epochs: 2, verbose: 0, callbacks: [seen] });
    expect(seen.epochs).toBe(2);
  });
});

describe("snake_case spellings", () => {
  it("every camelCase option is accepted, and typed, in its snake_case spelling (batch_size, use_bias, learning_rate, from_logits, …)", async () => {
    const [x, y] = data(12);
    const model = compiled();
    const history = await model.fit(x, y, { batch_size: 4, validation_split: 0.25, initial_epoch: 0, verbose: 0 });
    expect(Object.keys(history.history)).toContain("val_loss");
    expect(model.evaluate(x, y, { batch_size: 5, verbose: 0 })).toHaveLength(2);
    expect(layers.Dense(2, { use_bias: false, input_shape: [3] }).getConfig()).toMatchObject({ useBias: false, inputShape: [3] });
    expect(new optimizers.RMSprop({ learning_rate: 0.05 }).learningRate).toBe(0.05);
    expect(new optimizers.Adam({ beta_1: 0.8, beta_2: 0.95 })).toMatchObject({ beta1: 0.8, beta2: 0.95 });
    expect(new optimizers.AdamW({ weight_decay: 0.1 }).getConfig()).toMatchObject({ weightDecay: 0.1 });
    expect(new losses.BinaryCrossentropy({ from_logits: true }).fromLogits).toBe(true);
    expect(new callbacks.EarlyStopping({ restore_best_weights: true, min_delta: 0.1 })).toMatchObject({ restoreBestWeights: true, minDelta: 0.1 });
    expect(new callbacks.ModelCheckpoint("ckpt", { save_best_only: true }).saveBestOnly).toBe(true);
  });

  it("fit's batch_size sets the batch size (the steps per epoch follow it)", async () => {
    const [x, y] = data(12);
    const steps: number[] = [];
    const probe = new (class extends callbacks.Callback {
      override onTrainBegin() {
        steps.push(this.params.steps);
      }
    })();
    await compiled().fit(x, y, { batch_size: 4, verbose: 0, callbacks: [probe] });
    await compiled().fit(x, y, { batchSize: 6, verbose: 0, callbacks: [probe] });
    expect(steps).toEqual([3, 2]);
  });

  it("the did-you-mean considers both spellings, and one option in both spellings must agree", () => {
    expect(() => compiled().predict(data(2)[0], loose({ batch_sise: 1 }))).toThrow('predict: unknown option "batch_sise" (did you mean "batch_size"?)');
    expect(() => layers.Dense(2, loose({ kernel_initialiser: "zeros" }))).toThrow('Dense: unknown option "kernel_initialiser" (did you mean "kernel_initializer"?)');
    expect(() => layers.Dense(2, loose({ use_bias: false, useBias: true }))).toThrow('Dense: "use_bias" and "useBias" are two spellings of one option and have different values; give one');
    expect(layers.Dense(2, loose({ use_bias: false, useBias: false })).useBias).toBe(false);
  });
});

describe("inputDim", () => {
  it("layers.Dense(32, { inputDim: 784 }) has the input shape [784], so the model's summary shows it built", () => {
    for (const options of [{ inputDim: 784 }, loose({ input_dim: 784 }), { batchInputShape: [null, 784] }, { inputShape: [784], inputDim: 784 }]) {
      const model = Sequential([layers.Dense(32, options), layers.Dense(10, { activation: "softmax" })]);
      const summary = model.summaryText();
      expect(summary).not.toContain("unbuilt");
      expect(summary).toContain("(None, 32)");
      expect(summary).toContain("25,120");
      expect(model.countParams()).toBe(784 * 32 + 32 + 32 * 10 + 10);
    }
  });

  it("inputDim and inputShape that disagree are an error naming both", () => {
    expect(() => layers.Dense(32, { inputDim: 784, inputShape: [28, 28] })).toThrow(
      "Dense: inputShape [28, 28] and inputDim 784 disagree (inputDim n means inputShape [n], batchInputShape [batch, ...inputShape]); give one",
    );
    expect(() => layers.Dense(32, { batchInputShape: [16, 784], batchSize: 8 })).toThrow("Dense: batchSize 8 and batchInputShape [16, 784] disagree; give one");
    expect(() => layers.Dense(32, { inputDim: 0 })).toThrow("Dense: inputDim must be a positive integer, received 0");
    expect(() => layers.Dense(32, loose({ dtype: "float16" }))).toThrow('Dense: dtype must be "float32" (layers compute in float32), received "float16"');
  });

  it("a model built from inputDim saves and loads with its input shape", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-options-"));
    try {
      const model = compiled();
      model.save(join(dir, "m"));
      expect(models.loadModel(join(dir, "m")).summaryText()).toBe(model.summaryText());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("option tables", () => {
  it("a key added to an options interface but not to its table is a compile error naming the key", () => {
    // A file next to runtime/options.ts, type-checked in memory with the project's settings.
    const file = join(REPO_ROOT, "runtime", "__option-table-check.ts");
    const source = [
      'import type { OptionTable } from "./options.js";',
      "interface PlotLikeOptions { title?: string; xLabel?: string; dpi?: number }",
      "export const TABLE: OptionTable<PlotLikeOptions> = { title: true, xLabel: true };",
      "export const EXTRA: OptionTable<PlotLikeOptions> = { title: true, xLabel: true, dpi: true, dpl: true };",
    ].join("\n");
    const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], types: [], skipLibCheck: true };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists } = host;
    host.fileExists = (f) => f === file || fileExists(f);
    host.getSourceFile = (f, v, ...rest) => (f === file ? ts.createSourceFile(f, source, v) : getSourceFile(f, v, ...rest));
    const program = ts.createProgram([file], options, host);
    const messages = program.getSemanticDiagnostics(program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(messages).toEqual([
      expect.stringContaining("Property 'dpi' is missing"),
      expect.stringContaining("'dpl' does not exist in type 'OptionTable<PlotLikeOptions>'"),
    ]);
  });
});

describe("through the kernel", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await startKernel();
    await k.execute("0");
  });
  afterAll(async () => {
    await k?.stop();
  });

  it("an unknown option is the cell's error reply, and the kernel keeps its variables", async () => {
    const setup = await k.execute(
      'const kept = 41;\nconst model = models.Sequential([layers.Dense(2, { inputDim: 3 })]);\nmodel.compile({ loss: "mse" });\nmodel.summaryText().includes("unbuilt")',
    );
    expect(setup.errors).toEqual([]);
    expect(setup.results[0]["text/plain"]).toBe("false");

    const dense = await k.execute('layers.Dense(4, { activaton: "relu" })');
    expect(dense.reply.content.status).toBe("error");
    expect(dense.errors[0]).toMatchObject({ ename: "Error", evalue: 'Dense: unknown option "activaton" (did you mean "activation"?)' });

    const fit = await k.execute("await model.fit(tensor([[1, 2, 3]]), tensor([[1, 2]]), { batchsize: 1 })");
    expect(fit.reply.content.status).toBe("error");
    expect(fit.errors[0].evalue).toBe('fit: unknown option "batchsize" (did you mean "batchSize"?)');
    expect(fit.stdout).not.toContain("step");

    const image = await k.execute('display.image(tensor([[0, 1], [1, 0]]), { camp: "binary" })');
    expect(image.errors[0]?.evalue).toBe('display.image: unknown option "camp" (did you mean "cmap"?)');
    expect(image.displays).toEqual([]);
    const clear = await k.execute("clearOutput({ wiat: true })");
    expect(clear.errors[0]?.evalue).toBe('clearOutput: unknown option "wiat" (did you mean "wait"?)');

    const after = await k.execute("kept + model.optimizer!.iterations + 1");
    expect(after.errors).toEqual([]);
    expect(after.results[0]["text/plain"]).toBe("42");
  });
});
