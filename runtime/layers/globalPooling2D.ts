/**
 * What GlobalAveragePooling2D and GlobalMaxPooling2D share (Keras's BaseGlobalPooling): one
 * value per channel over the whole height × width.
 *
 * Options: `keepdims` (false: output (batch, channels); true: (batch, 1, 1, channels)),
 * `dataFormat` ("channels_last" only). Input shape: (batch, height, width, channels). No weights.
 */
import { LAYER_OPTIONS, Layer, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Shape } from "./symbolic.js";
import { checkSpatialRank, dataFormatArg } from "./convArgs.js";

export interface GlobalPooling2DOptions extends LayerOptions {
  /** Keep the spatial axes with size 1: (batch, 1, 1, channels) instead of (batch, channels). Default false. */
  keepdims?: boolean;
  /** Layout of the input: "channels_last" ([batch, height, width, channels]) is the only one. Default "channels_last". */
  dataFormat?: "channels_last";
}

export const GLOBAL_POOLING2D_OPTIONS: OptionTable<GlobalPooling2DOptions> = { keepdims: true, dataFormat: true, ...LAYER_OPTIONS };

/** The base of the global 2-D pooling layers: subclasses say how the spatial axes reduce. */
export abstract class GlobalPooling2DLayer extends Layer {
  /** Whether the output keeps (1, 1) spatial axes. */
  readonly keepdims: boolean;

  constructor(className: string, options: WithSnakeCase<GlobalPooling2DOptions> | undefined) {
    const o = checkOptions(className, options, GLOBAL_POOLING2D_OPTIONS);
    dataFormatArg(o.dataFormat, className);
    if (o.keepdims !== undefined && typeof o.keepdims !== "boolean") {
      throw new Error(`${className}: keepdims must be true or false, received ${JSON.stringify(o.keepdims)}`);
    }
    super(o);
    this.keepdims = o.keepdims ?? false;
  }

  /** The reduction over axes 1 and 2. */
  protected abstract reduce(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    checkSpatialRank(x.shape, 2, `${this.className} '${this.name}'`);
    return this.reduce(x);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 2, `${this.className} '${this.name}'`);
    return this.keepdims ? [shape[0], 1, 1, shape[3]] : [shape[0], shape[3]];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: "channels_last", keepdims: this.keepdims };
  }
}
