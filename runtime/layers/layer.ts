/**
 * The base of every layer: a name, weights created lazily by `build(inputShape)`, and `call()`.
 *
 * A layer is applied to real tensors (eager: `layer.apply(x)` computes) or to symbolic ones
 * (functional API: `layer.apply(inputs)` records a node). Weights are Variables; `fit` trains the
 * trainable ones, a BatchNormalization's moving statistics are non-trainable.
 */
import { Tensor } from "../tensor/tensor.js";
import { variable, type Variable } from "../tensor/variable.js";
import { tensor } from "../tensor/create.js";
import { getInitializer, type InitializerLike } from "../initializers.js";
import { getRegularizer, type Regularizer, type RegularizerLike } from "../regularizers.js";
import { isSymbolic, SymbolicTensor, type Shape } from "./symbolic.js";
import { checkOptions, type OptionTable } from "../options.js";
import { inspect } from "node:util";
import { reprLine } from "../display/reprs.js";

/**
 * Options every layer accepts (Keras's base Layer arguments). The input shape may be given as
 * `inputShape`, `inputDim` or `batchInputShape`; when several are given they must agree.
 */
export interface LayerOptions {
  /** Unique name; default the class name in snake_case with a counter (`dense`, `dense_1`, …). */
  name?: string;
  /** Whether fit updates this layer's weights. Default true. */
  trainable?: boolean;
  /** Shape of one sample (no batch axis); on the first layer of a Sequential it defines the input. Default: none (the input shape comes from the model). */
  inputShape?: (number | null)[];
  /** Keras's `input_dim`: the same as `inputShape: [inputDim]`. Default: none. */
  inputDim?: number;
  /** The input shape with the batch axis first, e.g. `[null, 784]` (null: any batch size). Default: none. */
  batchInputShape?: (number | null)[];
  /** Batch size of the input, fixed (rarely needed). Default: any. */
  batchSize?: number;
  /** The weights' dtype: "float32", the one layers compute in. Default "float32". */
  dtype?: "float32";
}

/** Every key of LayerOptions; each layer's own table spreads it (see runtime/options.ts). */
export const LAYER_OPTIONS: OptionTable<LayerOptions> = {
  name: true,
  trainable: true,
  inputShape: true,
  inputDim: true,
  batchInputShape: true,
  batchSize: true,
  dtype: true,
};

function isDim(d: unknown, nullable: boolean): boolean {
  return (Number.isInteger(d) && (d as number) > 0) || (nullable && d === null);
}

function shapeText(shape: readonly unknown[]): string {
  return `[${shape.map(String).join(", ")}]`;
}

/**
 * The input shape (batch axis first) that `inputShape`, `inputDim`, `batchInputShape` and
 * `batchSize` describe, or null when none is given; an error names two that disagree.
 */
function inputShapeOf(layer: string, o: LayerOptions): Shape | null {
  const given: [string, Shape][] = [];
  if (o.batchSize !== undefined && !isDim(o.batchSize, false)) {
    throw new Error(`${layer}: batchSize must be a positive integer, received ${String(o.batchSize)}`);
  }
  const batch = o.batchSize ?? null;
  if (o.batchInputShape !== undefined) {
    const b = o.batchInputShape;
    if (!Array.isArray(b) || b.length < 1 || !isDim(b[0], true) || b.slice(1).some((d) => !isDim(d, true))) {
      throw new Error(`${layer}: batchInputShape must be [batch or null, ...one sample's shape] of positive integers, received ${JSON.stringify(b)}`);
    }
    given.push([`batchInputShape ${shapeText(b)}`, [...b]]);
    if (o.batchSize !== undefined && b[0] !== null && b[0] !== o.batchSize) {
      throw new Error(`${layer}: batchSize ${o.batchSize} and batchInputShape ${shapeText(b)} disagree; give one`);
    }
  }
  if (o.inputShape !== undefined) {
    if (!Array.isArray(o.inputShape) || o.inputShape.some((d) => !isDim(d, true))) {
      throw new Error(`${layer}: inputShape must be an array of positive integers, received ${JSON.stringify(o.inputShape)}`);
    }
    given.push([`inputShape ${shapeText(o.inputShape)}`, [batch, ...o.inputShape]]);
  }
  if (o.inputDim !== undefined) {
    if (!isDim(o.inputDim, false)) throw new Error(`${layer}: inputDim must be a positive integer, received ${String(o.inputDim)}`);
    given.push([`inputDim ${o.inputDim}`, [batch, o.inputDim]]);
  }
  if (given.length === 0) return null;
  const [firstName, first] = given[0];
  for (const [name, shape] of given.slice(1)) {
    if (shape.length !== first.length || shape.some((d, i) => i > 0 && d !== first[i])) {
      throw new Error(`${layer}: ${firstName} and ${name} disagree (inputDim n means inputShape [n], batchInputShape [batch, ...inputShape]); give one`);
    }
  }
  // batchInputShape's batch axis, else batchSize.
  return [first[0] ?? batch, ...first.slice(1)];
}

const nameCounts = new Map<string, number>();

/**
 * A layer's default name prefix from its class name, as Keras's `to_snake_case` makes it: a
 * capitalised word starts a new part, a digit does not — `Conv2D` → `conv2d`, `MaxPooling2D` →
 * `max_pooling2d`, `BatchNormalization` → `batch_normalization`. (The options' snakeCase splits
 * `Conv2D` into `conv2_d`, which is right for option keys and wrong for layer names.)
 */
export function layerNamePrefix(className: string): string {
  return className
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** Keras's naming: the first Dense is "dense", the next "dense_1", … */
export function uniqueName(prefix: string): string {
  const n = nameCounts.get(prefix) ?? 0;
  nameCounts.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/**
 * Forgets the name counters (Keras's `clear_session()` does the same).
 * @example layers.resetLayerNames(); new layers.Dense(3).name // "dense"
 */
export function resetLayerNames(): void {
  nameCounts.clear();
}

interface WeightSpec {
  variable: Variable;
  regularizer: Regularizer | null;
}

/** What `call` receives besides the inputs. */
export interface CallContext {
  /** True inside fit: Dropout drops, BatchNormalization uses batch statistics. */
  training: boolean;
}

const CALL_OPTIONS: OptionTable<CallContext> = { training: true };

/**
 * The base class of every layer. Subclass it for a custom layer: create weights in `build` with
 * `addWeight`, compute in `call`, and say the output shape in `computeOutputShape`.
 * @example class Scale extends Layer { readonly className = "Scale"; call(x: Tensor) { return x.mul(2); } computeOutputShape(s: Shape) { return s; } }
 */
export abstract class Layer {
  /** The layer's unique name (`dense`, `dense_1`, …), shown by summary(). */
  readonly name: string;
  /** Keras's class name, used by summary() and save(). */
  abstract readonly className: string;
  /** Whether fit updates this layer's weights; set it to false to freeze the layer. */
  trainable: boolean;
  /** True once the weights exist (after the first call or a known input shape). */
  built = false;
  /** The input shape the options give (`inputShape`, `inputDim`, `batchInputShape`), batch axis first; null when none. */
  readonly batchInputShape: Shape | null;
  /** Output shape of the last build/call (for summary). */
  outputShape: Shape | null = null;
  /** Every call of this layer in functional graphs (shared layers have several). */
  readonly inboundNodes: SymbolicTensor[] = [];
  private readonly weightSpecs: WeightSpec[] = [];

  /**
   * The built-in layers check their options against their own table (runtime/options.ts) and
   * pass them here; a custom subclass passes the base options it was given.
   */
  constructor(options: LayerOptions = {}) {
    const kerasName = new.target.name.replace(/Layer$/, "") || "Layer";
    this.name = options.name ?? uniqueName(layerNamePrefix(kerasName));
    this.trainable = options.trainable ?? true;
    if (options.dtype !== undefined && options.dtype !== "float32") {
      throw new Error(`${kerasName}: dtype must be "float32" (layers compute in float32), received ${JSON.stringify(options.dtype)}`);
    }
    this.batchInputShape = inputShapeOf(kerasName, options);
  }

  /** Creates the weights for inputs of this shape (batch axis first). Called once, lazily. */
  build(_inputShape: Shape | Shape[]): void {
    this.built = true;
  }

  /** The computation, on real tensors. */
  abstract call(inputs: Tensor | Tensor[], ctx: CallContext): Tensor;

  /** The output shape for inputs of this shape (batch axis first). */
  abstract computeOutputShape(inputShape: Shape | Shape[]): Shape;

  /** The constructor options that rebuild this layer (save/load). */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape) {
      config.inputShape = this.batchInputShape.slice(1);
      if (this.batchInputShape[0] !== null) config.batchSize = this.batchInputShape[0];
    }
    return config;
  }

  /**
   * Applies the layer: to real tensors it computes (inference mode), to symbolic tensors it
   * records a call in the functional graph.
   * @example const h = new Dense(64, { activation: "relu" }).apply(inputs);
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
  apply(inputs: Tensor | Tensor[], options?: Partial<CallContext>): Tensor;
  apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], options: Partial<CallContext> = {}): Tensor | SymbolicTensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length > 0 && list.every(isSymbolic)) {
      const syms = list as SymbolicTensor[];
      const inShape = Array.isArray(inputs) ? syms.map((s) => s.shape) : syms[0].shape;
      this.ensureBuilt(inShape);
      const outShape = this.computeOutputShape(inShape);
      this.outputShape = outShape;
      const out = new SymbolicTensor(outShape, { layer: this, inputs: syms }, `${this.name}/output_${this.inboundNodes.length}`);
      this.inboundNodes.push(out);
      return out;
    }
    if (list.some(isSymbolic)) throw new Error(`${this.name}: cannot mix symbolic tensors (Input) and real tensors in one call`);
    const o = checkOptions<Partial<CallContext>>(`${this.name}.apply`, options, CALL_OPTIONS);
    return this.invoke(inputs as Tensor | Tensor[], { training: o.training ?? false });
  }

  /** Builds if needed and calls on real tensors (the models' forward pass uses this). @internal */
  invoke(inputs: Tensor | Tensor[], ctx: CallContext): Tensor {
    if (!this.built) {
      const shape = Array.isArray(inputs) ? inputs.map(batchShapeOf) : batchShapeOf(inputs);
      this.ensureBuilt(shape);
    }
    return this.call(inputs, ctx);
  }

  /** Builds once for this input shape and records the output shape. @internal */
  ensureBuilt(inputShape: Shape | Shape[]): void {
    if (!this.built) {
      this.build(inputShape);
      this.built = true;
    }
    this.outputShape = this.computeOutputShape(inputShape);
  }

  /**
   * Creates a weight; layers call this from build().
   * @example this.kernel = this.addWeight("kernel", [inDim, this.units], this.kernelInitializer);
   */
  protected addWeight(
    name: string,
    shape: number[],
    initializer: InitializerLike,
    options: { trainable?: boolean; regularizer?: RegularizerLike | null } = {},
  ): Variable {
    const init = getInitializer(initializer);
    const v = variable(init(shape), { name: `${this.name}/${name}`, trainable: options.trainable ?? true });
    this.weightSpecs.push({ variable: v, regularizer: options.regularizer ? getRegularizer(options.regularizer) : null });
    return v;
  }

  /** Every weight (trainable first, as Keras lists them in get_weights order of creation). */
  get weights(): Variable[] {
    return this.weightSpecs.map((w) => w.variable);
  }

  /** Weights fit updates (none when the layer is frozen with `trainable = false`). */
  get trainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((w) => w.trainable) : [];
  }

  /** Weights fit leaves alone (moving statistics, frozen layers). */
  get nonTrainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((w) => !w.trainable) : this.weights;
  }

  /** The penalties of kernelRegularizer/biasRegularizer, to add to the loss. @internal */
  regularizationLosses(): Tensor[] {
    const out: Tensor[] = [];
    for (const w of this.weightSpecs) if (w.regularizer && this.trainable) out.push(w.regularizer(w.variable));
    return out;
  }

  /** Number of scalars in the weights. @example new Dense(10).apply(Input({ shape: [784] })); */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /**
   * Copies of the weights, in creation order (Dense: kernel, bias).
   * @example const [kernel, bias] = layer.getWeights();
   */
  getWeights(): Tensor[] {
    return this.weights.map((w) => tensor(w));
  }

  /**
   * Replaces the weights (same order and shapes as getWeights()).
   * @example layer.setWeights([kernel, bias]);
   */
  setWeights(values: (Tensor | number[] | number[][])[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new Error(`${this.name}: setWeights expects ${ws.length} arrays (${ws.map((w) => `${w.name} [${w.shape.join(", ")}]`).join(", ")}), received ${values.length}`);
    }
    ws.forEach((w, i) => w.assign(values[i] as Tensor));
  }

  /**
   * The few options that define this layer, by their Keras names, for its one-line form
   * (Dense: units and activation). A layer class overrides it; the base shows none.
   */
  protected reprFields(): Record<string, unknown> {
    return {};
  }

  /**
   * Keras's one line: class, name, the defining options, built.
   * @example String(layers.Dense(512, { activation: "relu" })) // "<Dense name=dense, units=512, activation=relu, built=False>"
   */
  toString(): string {
    return reprLine(this.className, { name: this.name, ...this.reprFields(), built: this.built });
  }

  /** How console.log, util.inspect and a cell's value show a layer: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** The shape of a real batch as a Shape with the batch axis unknown. */
export function batchShapeOf(t: Tensor): Shape {
  return [null, ...t.shape.slice(1)];
}

/** Asserts a single input. @internal */
export function single(inputs: Tensor | Tensor[], layer: string): Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`${layer}: expects one input, received ${inputs.length}`);
    return inputs[0];
  }
  return inputs;
}

/** Asserts a single input shape. @internal */
export function singleShape(shape: Shape | Shape[], layer: string): Shape {
  if (shape.length > 0 && Array.isArray(shape[0])) {
    const list = shape as Shape[];
    if (list.length !== 1) throw new Error(`${layer}: expects one input, received ${list.length}`);
    return list[0];
  }
  return shape as Shape;
}

/**
 * Makes a layer class callable without `new` as well, as Keras code reads:
 * `layers.Dense(512, { activation: "relu" })` and `new layers.Dense(512, …)` give the same layer.
 */
export function callable<C extends abstract new (...args: never[]) => unknown>(cls: C): C & ((...args: ConstructorParameters<C>) => InstanceType<C>) {
  return new Proxy(cls, {
    apply(target, _this, args) {
      return Reflect.construct(target as unknown as new (...a: unknown[]) => unknown, args);
    },
  }) as C & ((...args: ConstructorParameters<C>) => InstanceType<C>);
}

export { Tensor };
