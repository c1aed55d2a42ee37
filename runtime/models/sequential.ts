/**
 * Sequential: a plain stack of layers, each feeding the next — Keras's Sequential.
 *
 * The input shape comes from an `Input({ shape })` first in the list, from `inputShape` on the
 * first layer, or, when neither is given, from the first batch fit/evaluate/predict sees
 * (the chapter writes `Sequential([Dense(512, relu), Dense(10, softmax)])`).
 */
import { Layer } from "../layers/layer.js";
import { Input, InputLayer } from "../layers/input.js";
import { SymbolicTensor, formatShape, type Shape } from "../layers/symbolic.js";
import { formatSummary, type SummaryRow } from "./summary.js";
import type { Tensor } from "../tensor/tensor.js";
import { Model } from "./model.js";
import { callable } from "../layers/layer.js";
import { checkOptions, type OptionTable } from "../options.js";

/** Options of `Sequential(layers, options)`. */
export interface SequentialOptions {
  /** The model's name, shown by summary(). Default "sequential", "sequential_1", … */
  name?: string;
}

const SEQUENTIAL_OPTIONS: OptionTable<SequentialOptions> = { name: true };

/**
 * A plain stack of layers (class behind `Sequential`).
 * @example const model = new SequentialModel([new DenseLayer(10, { inputShape: [784] })]);
 */
export class SequentialModel extends Model {
  private stack: Layer[] = [];
  private inputLayer: InputLayer | null = null;

  override get className(): string {
    return "Sequential";
  }

  /**
   * @example const model = new Sequential([Dense(512, { activation: "relu" }), Dense(10, { activation: "softmax" })]);
   */
  constructor(layers: (Layer | SymbolicTensor)[] = [], options?: SequentialOptions) {
    if (!Array.isArray(layers)) throw new Error(`Sequential: expected a list of layers, received ${typeof layers}`);
    const o = checkOptions("Sequential", options, SEQUENTIAL_OPTIONS);
    super(null, "sequential", o.name);
    for (const l of layers) this.add(l);
  }

  /**
   * Appends a layer (or an Input first).
   * @example model.add(layers.Dense(10, { activation: "softmax" }))
   */
  add(layer: Layer | SymbolicTensor): void {
    if (layer instanceof SymbolicTensor) {
      if (!(layer.node.layer instanceof InputLayer) || this.stack.length > 0 || this.inputLayer) {
        throw new Error(`Sequential: only an Input(...) may be given as a symbolic tensor, and only first`);
      }
      this.inputLayer = layer.node.layer;
      this.rebuild();
      return;
    }
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.inputLayer) throw new Error(`Sequential: an InputLayer may only come first`);
      this.inputLayer = layer;
      this.rebuild();
      return;
    }
    if (!(layer instanceof Layer)) throw new Error(`Sequential: add() expects a layer, received ${String(layer)}`);
    if (this.stack.includes(layer)) throw new Error(`Sequential: layer '${layer.name}' is already in the model`);
    if (this.stack.length === 0 && !this.inputLayer && layer.batchInputShape) {
      this.inputLayer = new InputLayer({ shape: layer.batchInputShape.slice(1) as number[], batchSize: layer.batchInputShape[0] ?? undefined });
    }
    this.stack.push(layer);
    this.rebuild();
  }

  /** Removes the last layer. @example model.pop() */
  pop(): Layer {
    const l = this.stack.pop();
    if (!l) throw new Error(`Sequential '${this.name}': pop() on a model with no layers`);
    this.rebuild();
    return l;
  }

  /**
   * Builds the weights for inputs of this shape (batch axis first, or a sample shape).
   * @example model.build([null, 784])
   */
  build(inputShape: Shape): void {
    const shape = inputShape[0] === null || inputShape.length > 1 ? inputShape : [null, ...inputShape];
    this.inputLayer = new InputLayer({ shape: shape.slice(1) as number[] });
    this.rebuild();
  }

  private rebuild(): void {
    if (!this.inputLayer || this.stack.length === 0) {
      this.graph = null;
      return;
    }
    let t: SymbolicTensor = this.inputLayer.output;
    for (const l of this.stack) t = l.apply(t);
    this.setGraph([this.inputLayer.output], [t]);
  }

  /** The layers (without the input layer, as Keras lists them). */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  /** @internal */
  override get inputNames(): string[] {
    return [this.inputLayer?.name ?? "input"];
  }

  /** @internal */
  override get outputNames(): string[] {
    return [this.stack.at(-1)?.name ?? "output"];
  }

  override ensureBuiltFor(xs: Tensor[]): void {
    if (this.stack.length === 0) throw new Error(`Sequential '${this.name}': the model has no layers; add some first`);
    if (this.graph) return;
    this.build([null, ...xs[0].shape.slice(1)]);
    this.recompileMetricsIfNeeded();
  }

  override forward(xs: Tensor[], training: boolean, logits: boolean[] | null = null): Tensor[] {
    // A straight chain: no graph walk needed.
    const want = this.inputLayer!.batchInputShape!;
    let x = xs[0];
    if (x.ndim !== want.length || want.some((d, k) => k > 0 && d !== null && d !== x.shape[k])) {
      throw new Error(`${this.name}: expected inputs of shape ${formatShape(want)}, received ${formatShape([...x.shape])}`);
    }
    const last = this.stack.length - 1;
    for (let i = 0; i <= last; i++) {
      const l = this.stack[i];
      if (i === last && logits?.[0] && "callLogits" in l) x = (l as unknown as { callLogits(t: Tensor): Tensor }).callLogits(x);
      else x = l.call(x, { training });
    }
    return [x];
  }

  protected override summaryRows(): { rows: SummaryRow[]; connected: boolean } {
    return {
      rows: this.stack.map((l) => ({ name: l.name, className: l.className, outputShape: this.graph ? l.outputShape : null, params: l.countParams(), built: l.built })),
      connected: false,
    };
  }

  override summaryText(): string {
    if (this.graph) return super.summaryText();
    // Not built yet: Keras shows each layer with "?" and "0 (unbuilt)".
    const rows = this.summaryRows().rows;
    return formatSummary(this.name, rows, { trainable: 0, nonTrainable: 0, optimizer: null }, false);
  }

  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      layers: this.stack.map((l) => ({ className: l.className, config: l.getConfig() })),
      ...(this.inputLayer ? { inputShape: this.inputLayer.batchInputShape!.slice(1) } : {}),
    };
  }
}

/**
 * A stack of layers; callable with or without `new`.
 * @example const model = models.Sequential([layers.Dense(512, { activation: "relu" }), layers.Dense(10, { activation: "softmax" })]);
 */
export const Sequential = callable(SequentialModel);
export type Sequential = SequentialModel;

export { Input };
