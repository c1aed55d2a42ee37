/**
 * Model: layers wired into a graph, compiled with an optimizer, a loss and metrics, then
 * trained with fit, measured with evaluate, and used with predict — Keras's Model.
 *
 * The functional API: `new Model({ inputs, outputs })` where inputs are `Input(...)`s and outputs
 * come from applying layers to them; several inputs and outputs and shared layers are fine.
 * Sequential (sequential.ts) is the special case of one chain of layers.
 */
import { DISPLAY, getDisplaySink, type MimeBundle } from "../display/sink.js";
import { modelBundle, reprLine } from "../display/reprs.js";
import { inspect } from "node:util";
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/create.js";
import type { Variable } from "../tensor/variable.js";
import { Layer, uniqueName } from "../layers/layer.js";
import { InputLayer } from "../layers/input.js";
import { DenseLayer } from "../layers/dense.js";
import { SymbolicTensor, formatShape, type Shape } from "../layers/symbolic.js";
import { get as getOptimizer, type OptimizerLike } from "../optimizers/index.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { getLoss, type LossLike } from "../losses/index.js";
import type { Loss } from "../losses/loss.js";
import { getMetric, metricConfig, type MetricLike, type SavedMetric } from "../metrics/index.js";
import type { Metric } from "../metrics/metric.js";
import { formatSummary, type SummaryRow } from "./summary.js";
import { fitModel, evaluateModel, predictModel, type FitOptions, type EvaluateOptions, type PredictOptions } from "../training/trainer.js";
import type { History } from "../training/history.js";
import type { ModelData } from "../training/data.js";
import { saveModel, saveWeightsTo, loadWeightsFrom } from "./save.js";
import { kerasOrder } from "./keras/graph.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

/** Options of `compile()`. */
export interface CompileOptions {
  /** A name ("rmsprop", "adam", "sgd", …) or an optimizer object. Default "rmsprop". */
  optimizer?: OptimizerLike;
  /** A name ("categorical_crossentropy", "mse", …), a Loss, a function, or one per output. */
  loss: LossLike | LossLike[];
  /** Names ("accuracy", "mae", …) or Metric objects; for several outputs, one list per output or one list for all. Default none. */
  metrics?: MetricLike[] | MetricLike[][];
}

const COMPILE_OPTIONS: OptionTable<CompileOptions> = { optimizer: true, loss: true, metrics: true };

/** What compile() resolved. @internal */
export interface Compiled {
  optimizer: Optimizer;
  losses: Loss[];
  metrics: Metric[][];
  config: { optimizer: unknown; loss: unknown; metrics: SavedMetric[][] };
}

/** Constructor arguments of the functional Model. */
export interface ModelArgs {
  /** The model's Input(...)s. */
  inputs: SymbolicTensor | SymbolicTensor[];
  /** Symbolic tensors computed from the inputs by layers. */
  outputs: SymbolicTensor | SymbolicTensor[];
  /** The model's name, shown by summary(). Default "functional", "functional_1", … */
  name?: string;
}

const MODEL_ARGS: OptionTable<ModelArgs> = { inputs: true, outputs: true, name: true };

interface Graph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Layer calls (not inputs) in an order where every call's inputs come first. */
  order: SymbolicTensor[];
  layers: Layer[];
}

function topoOrder(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): SymbolicTensor[] {
  const order: SymbolicTensor[] = [];
  const done = new Set<SymbolicTensor>(inputs);
  const visiting = new Set<SymbolicTensor>();
  const visit = (t: SymbolicTensor): void => {
    if (done.has(t)) return;
    if (t.node.layer instanceof InputLayer) {
      throw new Error(`Model: output depends on the input '${t.name}', which is not in the model's inputs (${inputs.map((i) => i.name).join(", ")})`);
    }
    if (visiting.has(t)) throw new Error(`Model: the graph has a cycle at '${t.name}'`);
    visiting.add(t);
    for (const i of t.node.inputs) visit(i);
    visiting.delete(t);
    done.add(t);
    order.push(t);
  };
  for (const o of outputs) visit(o);
  return order;
}

/**
 * A model: layers wired from inputs to outputs, trained with compile/fit (class behind `Model`).
 * @example const model = new Model({ inputs, outputs }); model.compile({ loss: "mse" });
 */
export class Model {
  /** The model's name ("functional", "sequential", …), shown by summary(). */
  readonly name: string;
  /** Set by callbacks (EarlyStopping) to end fit after the current epoch. */
  stopTraining = false;
  /** @internal */ compiled: Compiled | null = null;
  /** @internal */ protected graph: Graph | null = null;
  /** Keras's class name ("Functional" or "Sequential"). */
  get className(): string {
    return "Functional";
  }

  /** @example const model = new Model({ inputs, outputs }); */
  constructor(options: ModelArgs | null = null, defaultName = "functional", name?: string) {
    // null: a subclass (Sequential) sets the layers, and passes the name it was given, if any
    // (an explicit name takes no number from the "sequential", "sequential_1", … counter).
    const args = options === null ? null : checkOptions("Model", options, MODEL_ARGS);
    this.name = args?.name ?? name ?? uniqueName(defaultName);
    if (args !== null) {
      if (args.inputs === undefined || args.outputs === undefined) {
        throw new Error("Model: expected { inputs, outputs } built with Input(...) and layers");
      }
      const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
      const outputs = Array.isArray(args.outputs) ? args.outputs : [args.outputs];
      for (const t of [...inputs, ...outputs]) {
        if (!(t instanceof SymbolicTensor)) throw new Error(`Model: inputs and outputs must be symbolic tensors from Input(...) and layer.apply(...), received ${String(t)}`);
      }
      for (const t of inputs) {
        if (!(t.node.layer instanceof InputLayer)) throw new Error(`Model: input '${t.name}' is not an Input(...)`);
      }
      this.setGraph(inputs, outputs);
    }
  }

  /** @internal */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): void {
    const order = topoOrder(inputs, outputs);
    // Keras's order (deepest first, ties by a walk from the outputs): model.layers, the weights'
    // order, summary()'s rows and the groups of a .keras file's weights all follow it.
    const layers = kerasOrder({ inputs, outputs, order });
    this.graph = { inputs, outputs, order, layers };
  }

  /** The layers in Keras's order: inputs and layers deepest (furthest from the outputs) first. */
  get layers(): Layer[] {
    return this.graph?.layers ?? [];
  }

  /** Finds a layer by name. @example model.getLayer("dense_1") */
  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new Error(`${this.name}: no layer named '${name}'; layers: ${this.layers.map((x) => x.name).join(", ")}`);
    return l;
  }

  /** @internal */ get inputNames(): string[] {
    return this.graph?.inputs.map((t) => t.node.layer.name) ?? ["input"];
  }
  /** @internal */ get outputNames(): string[] {
    return this.graph?.outputs.map((t) => t.node.layer.name) ?? ["output"];
  }
  /** Input shapes with the batch axis (null until known). */
  get inputShapes(): Shape[] {
    return this.graph?.inputs.map((t) => t.shape) ?? [];
  }
  /** Output shapes with the batch axis. */
  get outputShapes(): Shape[] {
    return this.graph?.outputs.map((t) => t.shape) ?? [];
  }
  /** True once the input shape is known and the weights exist. */
  get built(): boolean {
    return this.graph !== null;
  }

  /** Every weight, layer by layer. */
  get weights(): Variable[] {
    return this.layers.flatMap((l) => l.weights);
  }
  /** Weights fit updates. */
  get trainableWeights(): Variable[] {
    return this.layers.flatMap((l) => l.trainableWeights);
  }
  /** Weights fit leaves alone (moving statistics, frozen layers). */
  get nonTrainableWeights(): Variable[] {
    return this.layers.flatMap((l) => l.nonTrainableWeights);
  }
  /** Number of scalars in every weight. */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** The optimizer given to compile (null before). */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** Builds from the first batch when the input shape was not given (Sequential). @internal */
  ensureBuiltFor(_xs: Tensor[]): void {
    if (!this.graph) throw new Error(`${this.name}: the model has no layers`);
  }

  /**
   * The forward pass on real tensors. `logits[i]` asks output i for its pre-softmax values
   * (fit fuses softmax into the cross-entropy). @internal
   */
  forward(xs: Tensor[], training: boolean, logits: boolean[] | null = null): Tensor[] {
    const g = this.graph!;
    const values = new Map<SymbolicTensor, Tensor>();
    g.inputs.forEach((t, i) => {
      const want = t.shape;
      const x = xs[i];
      if (x.ndim !== want.length || want.some((d, k) => k > 0 && d !== null && d !== x.shape[k])) {
        throw new Error(`${this.name}: input '${t.node.layer.name}' expects shape ${formatShape(want)}, received ${formatShape([...x.shape])}`);
      }
      values.set(t, x);
    });
    const fusedOutputs = new Set<SymbolicTensor>();
    if (logits) g.outputs.forEach((o, i) => logits[i] && fusedOutputs.add(o));
    for (const t of g.order) {
      const ins = t.node.inputs.map((i) => values.get(i)!);
      const arg = ins.length === 1 ? ins[0] : ins;
      const layer = t.node.layer;
      let out: Tensor;
      if (fusedOutputs.has(t) && layer instanceof DenseLayer) out = layer.callLogits(arg);
      else if (!layer.built) out = layer.invoke(arg, { training });
      else out = layer.call(arg, { training });
      values.set(t, out);
    }
    return g.outputs.map((o) => values.get(o)!);
  }

  /** Whether output i ends in Dense(softmax), so a cross-entropy can take its logits. @internal */
  softmaxOutput(i: number): boolean {
    const o = this.graph?.outputs[i];
    const layer = o?.node.layer;
    return layer instanceof DenseLayer && layer.activation.name === "softmax";
  }

  /** The penalties of every regularized weight. @internal */
  regularizationLosses(): Tensor[] {
    return this.layers.flatMap((l) => l.regularizationLosses());
  }

  /**
   * Chooses the optimizer, the loss and the metrics.
   * @example model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] })
   */
  compile(options: CompileOptions): void {
    const o = checkOptions("compile", options, COMPILE_OPTIONS);
    if (o.loss === undefined) throw new Error(`${this.name}: compile needs a loss, e.g. { optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] }`);
    const outputs = this.graph ? this.graph.outputs.length : 1;
    const optimizer = getOptimizer(o.optimizer ?? "rmsprop");
    const lossList = Array.isArray(o.loss) ? o.loss : Array.from({ length: outputs }, () => o.loss as LossLike);
    if (lossList.length !== outputs) throw new Error(`${this.name}: compile got ${lossList.length} losses for ${outputs} outputs`);
    const losses = lossList.map((l) => getLoss(l));
    const m = o.metrics ?? [];
    const perOutput: MetricLike[][] = m.length > 0 && Array.isArray(m[0]) ? (m as MetricLike[][]) : Array.from({ length: outputs }, () => m as MetricLike[]);
    if (perOutput.length !== outputs) throw new Error(`${this.name}: compile got metrics for ${perOutput.length} outputs; the model has ${outputs}`);
    const metrics = perOutput.map((list, i) =>
      list.map((x) => {
        const shape = this.graph?.outputs[i]?.shape;
        const metric = getMetric(x, losses[i], shape ? (shape[shape.length - 1] as number | null) : null);
        if (outputs > 1 && typeof x === "string") metric.name = `${this.outputNames[i]}_${metric.name}`;
        return metric;
      }),
    );
    this.compiled = {
      optimizer,
      losses,
      metrics,
      config: {
        optimizer: { className: optimizer.className, config: optimizer.getConfig() },
        loss: losses.map((l) => l.getConfig()),
        metrics: perOutput.map((list) => list.map(metricConfig)),
      },
    };
  }

  /** Re-resolves metrics once output shapes are known (a deferred Sequential). @internal */
  recompileMetricsIfNeeded(): void {
    const c = this.compiled;
    if (!c || !this.graph) return;
    const cfg = c.config.metrics;
    c.metrics = c.metrics.map((list, i) =>
      list.map((metric, k) => {
        const name = cfg[i]?.[k];
        // Only a name ("accuracy") is re-resolved; a metric object stays as given.
        if (typeof name !== "string" || !/^(accuracy|acc)$/.test(metric.name)) return metric;
        const shape = this.graph!.outputs[i].shape;
        return getMetric(name, c.losses[i], shape[shape.length - 1] as number | null);
      }),
    );
  }

  /**
   * Trains for a number of epochs; resolves to a History of per-epoch logs.
   * @example const history = await model.fit(xTrain, yTrain, { epochs: 5, batchSize: 128 });
   */
  fit(x: ModelData, y: ModelData, options?: WithSnakeCase<FitOptions>): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /**
   * Loss and metrics on data: `[loss, ...metrics]` (in compile's order).
   * @example const [testLoss, testAcc] = model.evaluate(xTest, yTest);
   */
  evaluate(x: ModelData, y: ModelData, options?: WithSnakeCase<EvaluateOptions>): number[] {
    return evaluateModel(this, x, y, options);
  }

  /**
   * The outputs for inputs, computed in batches (one tensor, or one per output).
   * @example const probs = model.predict(xTest.slice(0, 10));
   */
  predict(x: ModelData, options?: WithSnakeCase<PredictOptions>): Tensor | Tensor[] {
    return predictModel(this, x, options);
  }

  /**
   * Runs the model on one batch (inference mode), as calling a Keras model.
   * @example const y = model.apply(x);
   */
  apply(x: Tensor | Tensor[]): Tensor | Tensor[] {
    const xs = Array.isArray(x) ? x : [x];
    this.ensureBuiltFor(xs);
    const out = this.forward(xs.map((t) => (t.dtype === "float32" ? t : t.astype("float32"))), false);
    return out.length === 1 ? out[0] : out;
  }

  /** The rows of summary(). @internal */
  protected summaryRows(): { rows: SummaryRow[]; connected: boolean } {
    const g = this.graph!;
    const rows: SummaryRow[] = [];
    const branchy = g.inputs.length > 1 || g.outputs.length > 1 || g.order.some((t) => t.node.inputs.length > 1) || g.layers.some((l) => l.inboundNodes.length > 1);
    const nodeIndex = (t: SymbolicTensor) => (t.node.layer instanceof InputLayer ? 0 : Math.max(0, t.node.layer.inboundNodes.indexOf(t)));
    // A row per layer in Keras's order; a shared layer's row lists every call's inputs and shows
    // its last call's output shape, as Keras shows it.
    for (const l of g.layers) {
      const calls = l instanceof InputLayer ? [l.output] : g.order.filter((t) => t.node.layer === l);
      const inputs = calls.flatMap((t) => t.node.inputs.map((i) => `${i.node.layer.name}[${nodeIndex(i)}][0]`));
      const last = l instanceof InputLayer ? l.output : (l.inboundNodes.at(-1) ?? calls[calls.length - 1]);
      rows.push({ name: l.name, className: l.className, outputShape: last.shape, params: l.countParams(), built: l.built, connectedTo: inputs });
    }
    return { rows, connected: branchy };
  }

  /** The summary as text (what summary() prints). */
  summaryText(): string {
    if (!this.graph) return formatSummary(this.name, [], { trainable: 0, nonTrainable: 0, optimizer: null }, false);
    const { rows, connected } = this.summaryRows();
    const trainable = this.trainableWeights.reduce((n, w) => n + w.size, 0);
    const nonTrainable = this.nonTrainableWeights.reduce((n, w) => n + w.size, 0);
    const opt = this.compiled?.optimizer;
    const optParams = opt && opt.iterations > 0 ? opt.stateSize() : null;
    return formatSummary(this.name, rows, { trainable, nonTrainable, optimizer: optParams }, connected);
  }

  /**
   * Prints Keras 3's summary table: layers, output shapes, parameter counts and totals.
   * @example model.summary()
   */
  summary(): void {
    getDisplaySink().write(this.summaryText() + "\n");
  }

  /**
   * Copies of every weight, in layer order (Dense: kernel then bias).
   * @example const saved = model.getWeights(); …; model.setWeights(saved);
   */
  getWeights(): Tensor[] {
    return this.weights.map((w) => tensor(w));
  }

  /** Replaces every weight (same order and shapes as getWeights()). @example model.setWeights(saved) */
  setWeights(values: Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) throw new Error(`${this.name}: setWeights expects ${ws.length} arrays, received ${values.length}`);
    ws.forEach((w, i) => w.assign(values[i]));
  }

  /** The architecture as JSON-ready data (save/load). */
  getConfig(): Record<string, unknown> {
    const g = this.graph!;
    const ref = (t: SymbolicTensor) => [t.node.layer.name, t.node.layer instanceof InputLayer ? 0 : t.node.layer.inboundNodes.indexOf(t)];
    return {
      name: this.name,
      layers: g.layers.map((l) => ({
        className: l.className,
        config: l.getConfig(),
        inbound: l instanceof InputLayer ? [] : l.inboundNodes.filter((n) => g.order.includes(n)).map((n) => n.node.inputs.map(ref)),
      })),
      inputs: g.inputs.map(ref),
      outputs: g.outputs.map(ref),
    };
  }

  /**
   * Saves the whole model — architecture, weights, compile settings and the optimizer's state.
   * A path ending in `.keras` writes Keras 3's format (a zip of config.json, metadata.json and
   * model.weights.h5), which `keras.models.load_model` reads; any other path is a folder in
   * tsdl's own format (`model.json` and `weights-<hash>.bin`). Either is written whole or not at
   * all: a crash leaves the previous save or this one, never a mix.
   * @example model.save("mnist.keras"); const again = models.loadModel("mnist.keras");
   */
  save(path: string): void {
    saveModel(this, path);
  }

  /**
   * Saves only the weights: `….weights.h5` is Keras 3's weights file (Keras's `load_weights`
   * reads it), any other path a folder (`weights-<hash>.bin` with its manifest `weights.json`).
   * @example model.saveWeights("ckpt.weights.h5")
   */
  saveWeights(path: string): void {
    saveWeightsTo(this, path);
  }

  /**
   * Loads weights into this model (same architecture): a `….weights.h5` file from Keras's
   * `save_weights` or tsdl's saveWeights, or a folder from saveWeights() or save().
   * @example model.loadWeights("ckpt.weights.h5")
   */
  loadWeights(path: string): void {
    loadWeightsFrom(this, path);
  }

  /** A cell's value: the one line as text/plain, the summary as an HTML table (JupyterLab, Notebook). */
  [DISPLAY](): MimeBundle {
    return modelBundle(this.toString(), this.summaryText());
  }

  /**
   * Keras's one line, as Keras 3 prints a model (`summary()` prints the table).
   * @example String(model) // "<Sequential name=sequential, built=True>"
   */
  toString(): string {
    return reprLine(this.className, { name: this.name, built: this.built });
  }

  /** How console.log and util.inspect show a model: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}

