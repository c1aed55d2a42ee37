/**
 * Dense: the fully connected layer.
 *
 *   output = activation(dot(input, kernel) + bias)
 *
 * Args: `units` (positive integer, the output size); options `activation` (default linear),
 * `useBias` (default true), `kernelInitializer` (default "glorot_uniform"), `biasInitializer`
 * (default "zeros"), `kernelRegularizer` / `biasRegularizer` ("l1", "l2", regularizers.l2(λ)).
 * Input shape: (batch, …, inputDim). Output shape: (batch, …, units).
 *
 * relu/sigmoid/tanh/linear run inside the matmul's epilogue (the fused `dense` op); other
 * activations are applied after it. When the last layer is Dense(softmax) and the loss is a
 * cross-entropy, fit asks for the logits (`callLogits`) and fuses softmax into the loss.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Variable } from "../tensor/variable.js";
import * as ops from "../ops/index.js";
import { epilogueOf, getActivation, type Activation, type ActivationLike } from "../activations.js";
import { serializeInitializer, type InitializerLike } from "../initializers.js";
import type { RegularizerLike } from "../regularizers.js";
import type { Shape } from "./symbolic.js";

export interface DenseOptions extends LayerOptions {
  /** The activation applied to the output ("relu", "softmax", … or a function). Default linear (none). */
  activation?: ActivationLike;
  /** Whether the layer adds a bias vector. Default true. */
  useBias?: boolean;
  /** How the kernel starts ("glorot_uniform", "he_normal", … or an initializer). Default "glorot_uniform". */
  kernelInitializer?: InitializerLike;
  /** How the bias starts. Default "zeros". */
  biasInitializer?: InitializerLike;
  /** Penalty on the kernel added to the loss: "l1", "l2" or regularizers.l2(λ). Default none. */
  kernelRegularizer?: RegularizerLike | null;
  /** Penalty on the bias added to the loss. Default none. */
  biasRegularizer?: RegularizerLike | null;
}

const DENSE_OPTIONS: OptionTable<DenseOptions> = {
  activation: true,
  useBias: true,
  kernelInitializer: true,
  biasInitializer: true,
  kernelRegularizer: true,
  biasRegularizer: true,
  ...LAYER_OPTIONS,
};

/**
 * The fully connected layer's class (`Dense` is the same class, callable without `new`).
 * @example const layer = new DenseLayer(10, { activation: "softmax" });
 */
export class DenseLayer extends Layer {
  readonly className = "Dense";
  /** Output size. */
  readonly units: number;
  /** The activation applied after the matmul (name and function). */
  readonly activation: Activation;
  /** Whether a bias vector is added. */
  readonly useBias: boolean;
  private readonly options: DenseOptions;
  /** The weight matrix [inputDim, units] (null until built). */
  kernel: Variable | null = null;
  /** The bias vector [units] (null until built or without useBias). */
  bias: Variable | null = null;

  /** @example new Dense(512, { activation: "relu", inputShape: [784] }) */
  constructor(units: number, options?: WithSnakeCase<DenseOptions>) {
    if (!Number.isInteger(units) || units <= 0) {
      throw new Error(`Dense: units must be a positive integer, received ${String(units)}`);
    }
    const o = checkOptions("Dense", options, DENSE_OPTIONS);
    super(o);
    this.units = units;
    this.activation = getActivation(o.activation);
    this.useBias = o.useBias ?? true;
    this.options = o;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape, this.name);
    const inDim = shape[shape.length - 1];
    if (typeof inDim !== "number") throw new Error(`Dense '${this.name}': the last axis of the input must be known, received shape [${shape.join(", ")}]`);
    this.kernel = this.addWeight("kernel", [inDim, this.units], this.options.kernelInitializer ?? "glorot_uniform", { regularizer: this.options.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight("bias", [this.units], this.options.biasInitializer ?? "zeros", { regularizer: this.options.biasRegularizer });
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    return this.forward(single(inputs, this.name), false);
  }

  /** The pre-activation output (logits), for a loss that fuses the activation in. @internal */
  callLogits(inputs: Tensor | Tensor[]): Tensor {
    return this.forward(single(inputs, this.name), true);
  }

  private forward(x: Tensor, logits: boolean): Tensor {
    const inDim = this.kernel!.shape[0];
    if (x.shape[x.ndim - 1] !== inDim) {
      throw new Error(`Dense '${this.name}': expected inputs whose last axis is ${inDim}, received shape [${x.shape.join(", ")}]`);
    }
    // ops.dense casts to float32 and acts on the last axis of any rank, as Keras's Dense does.
    const act = logits ? "linear" : this.activation.name;
    const epi = epilogueOf(act);
    const y = ops.dense(x, this.kernel!, this.bias, epi ?? "linear");
    return epi === null ? this.activation.fn(y) : y;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape, this.name);
    return [...shape.slice(0, -1), this.units];
  }

  protected override reprFields(): Record<string, unknown> {
    return { units: this.units, activation: this.activation.name };
  }

  override getConfig(): Record<string, unknown> {
    const o = this.options;
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(o.kernelInitializer ?? "glorot_uniform"),
      biasInitializer: serializeInitializer(o.biasInitializer ?? "zeros"),
      kernelRegularizer: regConfig(o.kernelRegularizer),
      biasRegularizer: regConfig(o.biasRegularizer),
    };
  }

  static fromConfig(c: Record<string, unknown>): DenseLayer {
    const { units, ...rest } = c;
    return new DenseLayer(units as number, stripNulls(rest) as DenseOptions);
  }
}

function regConfig(r: RegularizerLike | null | undefined): unknown {
  if (r === null || r === undefined) return null;
  return typeof r === "string" ? r : r.config ?? null;
}

export function stripNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * The fully connected layer; callable with or without `new`.
 * @example layers.Dense(512, { activation: "relu" })
 */
export const Dense = callable(DenseLayer);
export type Dense = DenseLayer;
