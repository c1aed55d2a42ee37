/**
 * Conv1D: the 1-D convolution layer (sequences, channels-last).
 *
 *   output[b, t, o] = activation(Σ_{i, c} input[b, t·s + i·d − pad, c] · kernel[i, c, o] + bias[o])
 *
 * Args (Keras's, positional or as options): `filters`, `kernelSize` (5 or [5]); options `strides`
 * (1), `padding` ("valid" | "same" | "causal", default "valid"; "causal" pads on the left only,
 * so output t sees inputs up to t), `dilationRate` (1), `activation`, `useBias`,
 * `kernelInitializer` ("glorot_uniform"), `biasInitializer` ("zeros"), `kernelRegularizer`,
 * `biasRegularizer`, `dataFormat` ("channels_last" only), `groups` (1 only).
 * Input shape: (batch, steps, channels). Output shape: (batch, newSteps, filters).
 * Kernel: [kernelSize, channels, filters]. It runs on conv2d's kernels with a height of 1.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Variable } from "../tensor/variable.js";
import * as ops from "../ops/index.js";
import { epilogueOf, getActivation, type Activation, type ActivationLike } from "../activations.js";
import { serializeInitializer, type InitializerLike } from "../initializers.js";
import { serializeRegularizer, type RegularizerLike } from "../regularizers.js";
import { formatShape, type Shape } from "./symbolic.js";
import { checkSpatialRank, dataFormatArg, paddingArg, spatialOutput, tupleArg, withPositional, type Padding } from "./convArgs.js";
import { stripNulls } from "./dense.js";

export interface Conv1DOptions extends LayerOptions {
  /** Number of output channels (the first positional argument). */
  filters?: number;
  /** Length of the kernel: 5 or [5] (the second positional argument). */
  kernelSize?: number | readonly [number];
  /** Step of the window. Default 1. */
  strides?: number | readonly [number];
  /** "valid" (no padding), "same" (output = ceil(steps / stride)) or "causal" (zeros on the left only). Default "valid". */
  padding?: Padding | "causal";
  /** Spacing between kernel taps. Default 1. */
  dilationRate?: number | readonly [number];
  /** The activation applied to the output ("relu", … or a function). Default linear (none). */
  activation?: ActivationLike;
  /** Whether the layer adds a bias per filter. Default true. */
  useBias?: boolean;
  /** How the kernel starts. Default "glorot_uniform" (fan_in = k·channels, fan_out = k·filters). */
  kernelInitializer?: InitializerLike;
  /** How the bias starts. Default "zeros". */
  biasInitializer?: InitializerLike;
  /** Penalty on the kernel added to the loss. Default none. */
  kernelRegularizer?: RegularizerLike | null;
  /** Penalty on the bias added to the loss. Default none. */
  biasRegularizer?: RegularizerLike | null;
  /** Layout of the input: "channels_last" ([batch, steps, channels]) is the only one. Default "channels_last". */
  dataFormat?: "channels_last";
  /** Grouped convolution: only 1. Default 1. */
  groups?: number;
}

const CONV1D_OPTIONS: OptionTable<Conv1DOptions> = {
  filters: true,
  kernelSize: true,
  strides: true,
  padding: true,
  dilationRate: true,
  activation: true,
  useBias: true,
  kernelInitializer: true,
  biasInitializer: true,
  kernelRegularizer: true,
  biasRegularizer: true,
  dataFormat: true,
  groups: true,
  ...LAYER_OPTIONS,
};

/**
 * The 1-D convolution layer's class (`Conv1D` is the same class, callable without `new`).
 * @example const conv = new Conv1DLayer(16, 5, { activation: "relu" });
 */
export class Conv1DLayer extends Layer {
  readonly className = "Conv1D";
  /** Output channels. */
  readonly filters: number;
  /** Length of the kernel. */
  readonly kernelSize: number;
  /** Step of the window. */
  readonly strides: number;
  /** "valid", "same" or "causal". */
  readonly padding: Padding | "causal";
  /** Spacing of the kernel's taps. */
  readonly dilationRate: number;
  /** The activation applied after the convolution. */
  readonly activation: Activation;
  /** Whether a bias per filter is added. */
  readonly useBias: boolean;
  private readonly options: Conv1DOptions;
  /** The kernel [kernelSize, inChannels, filters] (null until built). */
  kernel: Variable | null = null;
  /** The bias [filters] (null until built or without useBias). */
  bias: Variable | null = null;

  /**
   * Keras's arguments: `Conv1D(filters, kernelSize, options)`; either may be an option instead.
   * @example new Conv1D(32, 7, { activation: "relu", inputShape: [500, 128] })
   */
  constructor(
    filters: number | WithSnakeCase<Conv1DOptions>,
    kernelSize?: number | readonly [number] | WithSnakeCase<Conv1DOptions>,
    options?: WithSnakeCase<Conv1DOptions>,
  ) {
    const o = withPositional<Conv1DOptions>("Conv1D", [filters, kernelSize, options], ["filters", "kernelSize"], (x) => checkOptions("Conv1D", x, CONV1D_OPTIONS));
    if (o.filters === undefined) throw new Error(`Conv1D: filters (the number of output channels) is required, e.g. Conv1D(32, 5)`);
    if (!Number.isInteger(o.filters) || o.filters <= 0) throw new Error(`Conv1D: filters must be a positive integer, received ${JSON.stringify(o.filters) ?? String(o.filters)}`);
    if (o.kernelSize === undefined) throw new Error(`Conv1D: kernelSize (the window's length) is required, e.g. Conv1D(${o.filters}, 5)`);
    const [k] = tupleArg(o.kernelSize, 1, "Conv1D", "kernelSize");
    const [s] = tupleArg(o.strides ?? 1, 1, "Conv1D", "strides");
    const [d] = tupleArg(o.dilationRate ?? 1, 1, "Conv1D", "dilationRate");
    if (s > 1 && d > 1) throw new Error(`Conv1D: strides ${s} and dilationRate ${d} cannot both be above 1 (as in Keras); use one of them`);
    const padding = paddingArg(o.padding, "Conv1D", ["causal"] as const);
    dataFormatArg(o.dataFormat, "Conv1D");
    if (o.groups !== undefined && o.groups !== 1) {
      throw new Error(`Conv1D: groups must be 1 (grouped convolution is not supported), received ${JSON.stringify(o.groups) ?? String(o.groups)}`);
    }
    super(o);
    this.filters = o.filters;
    this.kernelSize = k;
    this.strides = s;
    this.padding = padding;
    this.dilationRate = d;
    this.activation = getActivation(o.activation);
    this.useBias = o.useBias ?? true;
    this.options = o;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 1, `Conv1D '${this.name}'`);
    const channels = shape[2];
    if (typeof channels !== "number") throw new Error(`Conv1D '${this.name}': the channel axis (the last) of the input must be known, received shape ${formatShape(shape)}`);
    this.kernel = this.addWeight("kernel", [this.kernelSize, channels, this.filters], this.options.kernelInitializer ?? "glorot_uniform", { regularizer: this.options.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight("bias", [this.filters], this.options.biasInitializer ?? "zeros", { regularizer: this.options.biasRegularizer });
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    checkSpatialRank(x.shape, 1, `Conv1D '${this.name}'`);
    const channels = this.kernel!.shape[1];
    if (x.shape[2] !== channels) {
      throw new Error(`Conv1D '${this.name}': expected inputs with ${channels} channels (the last axis), received shape ${formatShape([...x.shape])}`);
    }
    const epi = epilogueOf(this.activation.name);
    const y = ops.conv1d(x, this.kernel!, { strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, bias: this.bias, activation: epi ?? "linear" });
    return epi === null ? this.activation.fn(y) : y;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 1, `Conv1D '${this.name}'`);
    const [steps] = spatialOutput(shape, [this.kernelSize], [this.strides], this.padding, [this.dilationRate], `Conv1D '${this.name}'`, "kernel");
    return [shape[0], steps, this.filters];
  }

  protected override reprFields(): Record<string, unknown> {
    return { filters: this.filters, kernel_size: `(${this.kernelSize},)`, activation: this.activation.name };
  }

  override getConfig(): Record<string, unknown> {
    const o = this.options;
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [this.kernelSize],
      strides: [this.strides],
      padding: this.padding,
      dataFormat: "channels_last",
      dilationRate: [this.dilationRate],
      groups: 1,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(o.kernelInitializer ?? "glorot_uniform"),
      biasInitializer: serializeInitializer(o.biasInitializer ?? "zeros"),
      kernelRegularizer: serializeRegularizer(o.kernelRegularizer),
      biasRegularizer: serializeRegularizer(o.biasRegularizer),
    };
  }

  static fromConfig(c: Record<string, unknown>): Conv1DLayer {
    return new Conv1DLayer(stripNulls(c) as Conv1DOptions);
  }
}

/**
 * The 1-D convolution layer, channels-last; callable with or without `new`.
 * @example layers.Conv1D(32, 7, { activation: "relu" })
 */
export const Conv1D = callable(Conv1DLayer);
export type Conv1D = Conv1DLayer;
