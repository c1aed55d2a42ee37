/**
 * Keras objects read as Keras prints them: one short line (`<Dense name=dense, units=512,
 * activation=relu, built=True>`), whether a person writes `String(x)`, `${x}`, `console.log(x)`
 * (util.inspect) or looks at an array of them. The kernel's side (a cell's value) is in
 * kernel-repl.test.ts.
 */
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { callbacks, layers, losses, metrics, models, optimizers, randomNormal, tensor, utils, DISPLAY } from "../runtime/index.js";
import { resetLayerNames } from "../runtime/layers/layer.js";

describe("layers and models", () => {
  it("a Dense shows its name, units, activation and whether it is built, through every way of printing", () => {
    resetLayerNames();
    const dense = layers.Dense(512, { activation: "relu" });
    const line = "<Dense name=dense, units=512, activation=relu, built=False>";
    expect(String(dense)).toBe(line);
    expect(`${dense}`).toBe(line);
    expect(inspect(dense)).toBe(line);
    models.Sequential([layers.Input({ shape: [784] }), dense]);
    expect(inspect(dense)).toBe("<Dense name=dense, units=512, activation=relu, built=True>");
  });

  it("a model is Keras's `<Sequential name=…, built=…>` and its layers a list of lines", () => {
    resetLayerNames();
    const model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
    expect(String(model)).toBe("<Sequential name=sequential, built=False>");
    model.build([null, 784]);
    expect(String(model)).toBe("<Sequential name=sequential, built=True>");
    expect(inspect(model.layers)).toBe(
      "[\n  <Dense name=dense, units=512, activation=relu, built=True>,\n  <Dense name=dense_1, units=10, activation=softmax, built=True>\n]",
    );
    expect(model[DISPLAY]()["text/plain"]).toBe("<Sequential name=sequential, built=True>");
    expect(String(model[DISPLAY]()["text/html"])).toContain("<b>Model: &quot;sequential&quot;</b>");
  });

  it("a functional model, its Input and the other layers show their defining options", () => {
    resetLayerNames();
    const inputs = layers.Input({ shape: [28, 28] });
    expect(inspect(inputs)).toMatch(/^<SymbolicTensor shape=\(None, 28, 28\), dtype=float32, name=input_layer(_\d+)?>$/);
    const flat = layers.Flatten().apply(inputs);
    const outputs = layers.Dense(10).apply(layers.Dropout(0.5).apply(flat));
    const model = models.Model({ inputs, outputs });
    expect(String(model)).toMatch(/^<Functional name=functional(_\d+)?, built=True>$/);
    expect(model.layers.map(String)).toEqual([
      `<InputLayer name=${inputs.name}, shape=(None, 28, 28), built=True>`,
      "<Flatten name=flatten, built=True>",
      "<Dropout name=dropout, rate=0.5, built=True>",
      "<Dense name=dense, units=10, activation=linear, built=True>",
    ]);
    expect(String(layers.Reshape([7, 4]))).toBe("<Reshape name=reshape, target_shape=(7, 4), built=False>");
    expect(String(layers.Activation("tanh"))).toBe("<Activation name=activation, activation=tanh, built=False>");
    expect(String(layers.BatchNormalization())).toBe("<BatchNormalization name=batch_normalization, momentum=0.99, epsilon=0.001, built=False>");
    expect(String(layers.Concatenate({ axis: 1 }))).toBe("<Concatenate name=concatenate, axis=1, built=False>");
  });
});

describe("optimizers, losses, metrics", () => {
  it("an optimizer shows its learning rate as it is now and its defining hyper-parameters", () => {
    const rms = new optimizers.RMSprop();
    expect(inspect(rms)).toBe("<RMSprop learning_rate=0.001, rho=0.9>");
    rms.learningRate = 0.0005;
    expect(String(rms)).toBe("<RMSprop learning_rate=0.0005, rho=0.9>");
    expect(String(new optimizers.SGD({ momentum: 0.9, nesterov: true }))).toBe("<SGD learning_rate=0.01, momentum=0.9, nesterov=True>");
    expect(String(new optimizers.Adam({ learningRate: 0.01 }))).toBe("<Adam learning_rate=0.01, beta_1=0.9, beta_2=0.999>");
    expect(String(new optimizers.AdamW())).toBe("<AdamW learning_rate=0.001, beta_1=0.9, beta_2=0.999, weight_decay=0.004>");
    expect(String(new optimizers.Adagrad())).toBe("<Adagrad learning_rate=0.001, initial_accumulator_value=0.1>");
  });

  it("a loss shows its class and options; a function loss is wrapped as in Keras", () => {
    expect(inspect(new losses.CategoricalCrossentropy({ fromLogits: true }))).toBe("<CategoricalCrossentropy from_logits=True>");
    expect(String(new losses.SparseCategoricalCrossentropy())).toBe("<SparseCategoricalCrossentropy from_logits=False>");
    expect(String(new losses.Huber({ delta: 2 }))).toBe("<Huber delta=2>");
    expect(String(new losses.MeanSquaredError())).toBe("<MeanSquaredError>");
    const model = models.Sequential([layers.Dense(1, { inputShape: [2] })]);
    model.compile({ optimizer: "sgd", loss: function squaredDiff(y, p) { return y.sub(p).square(); } });
    expect(inspect(model.compiled!.losses[0])).toBe("<LossFunctionWrapper fn=squaredDiff>");
  });

  it("a metric shows its class, name and settings", () => {
    expect(inspect(new metrics.Precision("prec", { threshold: 0.7 }))).toBe("<Precision name=prec, threshold=0.7>");
  });
});

describe("callbacks and History", () => {
  it("callbacks show their class and defining options; a subclass of your own shows its class", () => {
    expect(inspect(new callbacks.EarlyStopping({ patience: 3, restoreBestWeights: true }))).toBe(
      "<EarlyStopping monitor=val_loss, patience=3, restore_best_weights=True>",
    );
    expect(String(new callbacks.ModelCheckpoint("best", { saveBestOnly: true }))).toBe("<ModelCheckpoint filepath=best, monitor=val_loss, save_best_only=True>");
    expect(String(new callbacks.ReduceLROnPlateau({ factor: 0.5 }))).toBe("<ReduceLROnPlateau monitor=val_loss, factor=0.5, patience=10>");
    expect(String(new callbacks.LearningRateScheduler(function halve(_e: number, lr: number) { return lr / 2; }))).toBe("<LearningRateScheduler schedule=halve>");
    class Printer extends callbacks.Callback {}
    expect(inspect([new Printer()])).toBe("[ <Printer> ]");
  });

  it("a History shows its epochs and what it logged", async () => {
    utils.setRandomSeed(1);
    const model = models.Sequential([layers.Dense(3, { activation: "softmax", inputShape: [4] })]);
    model.compile({ optimizer: "sgd", loss: "categorical_crossentropy", metrics: ["accuracy"] });
    const x = randomNormal([16, 4]);
    const y = utils.toCategorical(tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], "int32"), 3);
    const history = await model.fit(x, y, { epochs: 2, verbose: 0, validationSplit: 0.25 });
    const line = "<History epochs=2, metrics=[accuracy, loss, val_accuracy, val_loss]>";
    expect(inspect(history)).toBe(line);
    expect(`${history}`).toBe(line);
    expect(history[DISPLAY]()["text/plain"]).toBe(line);
    expect(String(history[DISPLAY]()["text/html"])).toContain('<table class="tsdl-history">');
  });
});

describe("convolution and pooling layers", () => {
  it("show their filters, kernel size, activation and pool size as Keras writes them", () => {
    resetLayerNames();
    expect(String(layers.Conv2D(32, 3, { activation: "relu" }))).toBe("<Conv2D name=conv2d, filters=32, kernel_size=(3, 3), activation=relu, built=False>");
    expect(String(layers.Conv1D(8, 5))).toBe("<Conv1D name=conv1d, filters=8, kernel_size=(5,), activation=linear, built=False>");
    expect(String(layers.MaxPooling2D(2))).toBe("<MaxPooling2D name=max_pooling2d, pool_size=(2, 2), built=False>");
    expect(String(layers.AveragePooling1D(3))).toBe("<AveragePooling1D name=average_pooling1d, pool_size=(3,), built=False>");
    expect(String(layers.GlobalAveragePooling2D())).toBe("<GlobalAveragePooling2D name=global_average_pooling2d, built=False>");
  });
});
