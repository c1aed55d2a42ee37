/**
 * Conv2D: the 2-D convolution layer, channels-last.
 *
 *   output[b, y, x, o] = activation(Σ_{i, j, c} input[b, y·sh + i·dh − pad, x·sw + j·dw − pad, c] · kernel[i, j, c, o] + bias[o])
 *
 * Args (Keras's, positional or as options): `filters` (output channels), `kernelSize` (3 or
 * [3, 5]); options `strides` (1), `padding` ("valid" | "same", default "valid"), `dilationRate`
 * (1), `activation` (linear), `useBias` (true), `kernelInitializer` ("glorot_uniform": fan_in =
 * kh·kw·in, fan_out = kh·kw·filters), `biasInitializer` ("zeros"), `kernelRegularizer`,
 * `biasRegularizer`, `dataFormat` ("channels_last" only), `groups` (1 only).
 * Input shape: (batch, height, width, channels). Output shape: (batch, newHeight, newWidth,
 * filters), sizes from the arithmetic in convArgs.ts. Kernel: [kh, kw, channels, filters].
 *
 * The bias and relu/sigmoid/tanh run inside the convolution kernel's epilogue (ops.conv2d), as
 * Dense's do inside its GEMM; other activations are applied after it.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Variable } from "../tensor/variable.js";
import { conv2dOf, type Conv2dSpec } from "../ops/conv.js";
import { epilogueOf, getActivation, type Activation, type ActivationLike } from "../activations.js";
import { serializeInitializer, type InitializerLike } from "../initializers.js";
import { serializeRegularizer, type RegularizerLike } from "../regularizers.js";
import { formatShape, type Shape } from "./symbolic.js";
import { checkSpatialRank, dataFormatArg, paddingArg, spatialOutput, tupleArg, withPositional, type Padding } from "./convArgs.js";
import { stripNulls } from "./dense.js";

export interface Conv2DOptions extends LayerOptions {
  /** Number of output channels (the first positional argument). */
  filters?: number;
  /** Height and width of the kernel: 3 or [3, 5] (the second positional argument). */
  kernelSize?: number | readonly [number, number];
  /** Step of the window along height and width: 1 or [2, 1]. Default 1. */
  strides?: number | readonly [number, number];
  /** "valid" (no padding: the output shrinks by kernel − 1) or "same" (zero-padded: output = ceil(input / stride)). Default "valid". */
  padding?: Padding;
  /** Spacing between kernel taps (atrous convolution): 1 or [2, 2]. Default 1. */
  dilationRate?: number | readonly [number, number];
  /** The activation applied to the output ("relu", … or a function). Default linear (none). */
  activation?: ActivationLike;
  /** Whether the layer adds a bias per filter. Default true. */
  useBias?: boolean;
  /** How the kernel starts. Default "glorot_uniform" (fan_in = kh·kw·channels, fan_out = kh·kw·filters). */
  kernelInitializer?: InitializerLike;
  /** How the bias starts. Default "zeros". */
  biasInitializer?: InitializerLike;
  /** Penalty on the kernel added to the loss: "l1", "l2" or regularizers.l2(λ). Default none. */
  kernelRegularizer?: RegularizerLike | null;
  /** Penalty on the bias added to the loss. Default none. */
  biasRegularizer?: RegularizerLike | null;
  /** Layout of the input: "channels_last" ([batch, height, width, channels]) is the only one. Default "channels_last". */
  dataFormat?: "channels_last";
  /** Grouped convolution: only 1 (every filter sees every input channel). Default 1. */
  groups?: number;
}

const CONV2D_OPTIONS: OptionTable<Conv2DOptions> = {
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
 * The 2-D convolution layer's class (`Conv2D` is the same class, callable without `new`).
 * @example const conv = new Conv2DLayer(32, 3, { activation: "relu" });
 */
export class Conv2DLayer extends Layer {
  readonly className = "Conv2D";
  /** Output channels. */
  readonly filters: number;
  /** [height, width] of the kernel. */
  readonly kernelSize: [number, number];
  /** [height, width] steps of the window. */
  readonly strides: [number, number];
  /** "valid" or "same". */
  readonly padding: Padding;
  /** [height, width] spacing of the kernel's taps. */
  readonly dilationRate: [number, number];
  /** The activation applied after the convolution (name and function). */
  readonly activation: Activation;
  /** Whether a bias per filter is added. */
  readonly useBias: boolean;
  private readonly options: Conv2DOptions;
  /** The op's resolved options, checked once here rather than on every batch. */
  private readonly spec: Conv2dSpec;
  /** The kernel [kh, kw, inChannels, filters] (null until built). */
  kernel: Variable | null = null;
  /** The bias [filters] (null until built or without useBias). */
  bias: Variable | null = null;

  /**
   * Keras's arguments: `Conv2D(filters, kernelSize, options)`; either may be an option instead.
   * @example new Conv2D(32, 3, { activation: "relu", inputShape: [28, 28, 1] })
   */
  constructor(
    filters: number | WithSnakeCase<Conv2DOptions>,
    kernelSize?: number | readonly [number, number] | WithSnakeCase<Conv2DOptions>,
    options?: WithSnakeCase<Conv2DOptions>,
  ) {
    const o = withPositional<Conv2DOptions>("Conv2D", [filters, kernelSize, options], ["filters", "kernelSize"], (x) => checkOptions("Conv2D", x, CONV2D_OPTIONS));
    if (o.filters === undefined) throw new Error(`Conv2D: filters (the number of output channels) is required, e.g. Conv2D(32, 3)`);
    if (!Number.isInteger(o.filters) || o.filters <= 0) throw new Error(`Conv2D: filters must be a positive integer, received ${JSON.stringify(o.filters) ?? String(o.filters)}`);
    if (o.kernelSize === undefined) throw new Error(`Conv2D: kernelSize (the window's height and width) is required, e.g. Conv2D(${o.filters}, 3)`);
    const kernel = tupleArg(o.kernelSize, 2, "Conv2D", "kernelSize") as [number, number];
    const strides = tupleArg(o.strides ?? 1, 2, "Conv2D", "strides") as [number, number];
    const dilation = tupleArg(o.dilationRate ?? 1, 2, "Conv2D", "dilationRate") as [number, number];
    // Keras refuses strides > 1 together with dilation > 1 (TensorFlow's convolution cannot do both).
    if (strides.some((s) => s > 1) && dilation.some((d) => d > 1)) {
      throw new Error(`Conv2D: strides ${JSON.stringify(strides)} and dilationRate ${JSON.stringify(dilation)} cannot both be above 1 (as in Keras); use one of them`);
    }
    const padding = paddingArg(o.padding, "Conv2D");
    dataFormatArg(o.dataFormat, "Conv2D");
    if (o.groups !== undefined && o.groups !== 1) {
      throw new Error(`Conv2D: groups must be 1 (grouped convolution is not supported), received ${JSON.stringify(o.groups) ?? String(o.groups)}`);
    }
    super(o);
    this.filters = o.filters;
    this.kernelSize = kernel;
    this.strides = strides;
    this.padding = padding;
    this.dilationRate = dilation;
    this.activation = getActivation(o.activation);
    this.useBias = o.useBias ?? true;
    this.options = o;
    this.spec = { strides, padding, dilationRate: dilation };
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 2, `Conv2D '${this.name}'`);
    const channels = shape[3];
    if (typeof channels !== "number") throw new Error(`Conv2D '${this.name}': the channel axis (the last) of the input must be known, received shape ${formatShape(shape)}`);
    this.kernel = this.addWeight("kernel", [...this.kernelSize, channels, this.filters], this.options.kernelInitializer ?? "glorot_uniform", { regularizer: this.options.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight("bias", [this.filters], this.options.biasInitializer ?? "zeros", { regularizer: this.options.biasRegularizer });
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    checkSpatialRank(x.shape, 2, `Conv2D '${this.name}'`);
    const channels = this.kernel!.shape[2];
    if (x.shape[3] !== channels) {
      throw new Error(`Conv2D '${this.name}': expected inputs with ${channels} channels (the last axis), received shape ${formatShape([...x.shape])}`);
    }
    const epi = epilogueOf(this.activation.name);
    const y = conv2dOf(x, this.kernel!, this.spec, this.bias, epi ?? "linear", `Conv2D '${this.name}'`);
    return epi === null ? this.activation.fn(y) : y;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 2, `Conv2D '${this.name}'`);
    const [h, w] = spatialOutput(shape, this.kernelSize, this.strides, this.padding, this.dilationRate, `Conv2D '${this.name}'`, "kernel");
    return [shape[0], h, w, this.filters];
  }

  protected override reprFields(): Record<string, unknown> {
    return { filters: this.filters, kernel_size: `(${this.kernelSize.join(", ")})`, activation: this.activation.name };
  }

  override getConfig(): Record<string, unknown> {
    const o = this.options;
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: "channels_last",
      dilationRate: [...this.dilationRate],
      groups: 1,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(o.kernelInitializer ?? "glorot_uniform"),
      biasInitializer: serializeInitializer(o.biasInitializer ?? "zeros"),
      kernelRegularizer: serializeRegularizer(o.kernelRegularizer),
      biasRegularizer: serializeRegularizer(o.biasRegularizer),
    };
  }

  static fromConfig(c: Record<string, unknown>): Conv2DLayer {
    return new Conv2DLayer(stripNulls(c) as Conv2DOptions);
  }
}

/**
 * The 2-D convolution layer, channels-last; callable with or without `new`.
 * @example layers.Conv2D(32, 3, { activation: "relu" })
 */
export const Conv2D = callable(Conv2DLayer);
export type Conv2D = Conv2DLayer;
