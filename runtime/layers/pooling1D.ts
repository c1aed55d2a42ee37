/**
 * What MaxPooling1D and AveragePooling1D share (Keras's BasePooling in one dimension): the
 * arguments, the output shape and the config. Each subclass names its op.
 *
 * Args (Keras's, positional or as options): `poolSize` (default 2), `strides` (default the pool
 * size), `padding` ("valid" | "same", default "valid"), `dataFormat` ("channels_last" only).
 * Input shape: (batch, steps, channels). Output shape: (batch, newSteps, channels). No weights.
 */
import { LAYER_OPTIONS, Layer, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Shape } from "./symbolic.js";
import { checkSpatialRank, dataFormatArg, paddingArg, spatialOutput, tupleArg, withPositional, type Padding } from "./convArgs.js";

export interface Pooling1DOptions extends LayerOptions {
  /** Length of the window (the first positional argument). Default 2. */
  poolSize?: number | readonly [number];
  /** Step of the window (the second positional argument). Default the pool size. */
  strides?: number | readonly [number] | null;
  /** "valid" or "same" (output = ceil(steps / stride)). Default "valid". */
  padding?: Padding;
  /** Layout of the input: "channels_last" ([batch, steps, channels]) is the only one. Default "channels_last". */
  dataFormat?: "channels_last";
}

export const POOLING1D_OPTIONS: OptionTable<Pooling1DOptions> = { poolSize: true, strides: true, padding: true, dataFormat: true, ...LAYER_OPTIONS };

/** A 1-D pooling layer's arguments, read. */
export type Pooling1DArgs = readonly [
  poolSize?: number | readonly [number] | WithSnakeCase<Pooling1DOptions>,
  strides?: number | readonly [number] | null | WithSnakeCase<Pooling1DOptions>,
  padding?: Padding | WithSnakeCase<Pooling1DOptions>,
  options?: WithSnakeCase<Pooling1DOptions>,
];

/** The base of the 1-D pooling layers. */
export abstract class Pooling1DLayer extends Layer {
  /** Length of the window. */
  readonly poolSize: number;
  /** Step of the window. */
  readonly strides: number;
  /** "valid" or "same". */
  readonly padding: Padding;

  constructor(className: string, args: Pooling1DArgs) {
    const o = withPositional<Pooling1DOptions>(className, args, ["poolSize", "strides", "padding"], (x) => checkOptions(className, x, POOLING1D_OPTIONS));
    const [poolSize] = tupleArg(o.poolSize ?? 2, 1, className, "poolSize");
    const [strides] = tupleArg(o.strides ?? poolSize, 1, className, "strides");
    const padding = paddingArg(o.padding, className);
    dataFormatArg(o.dataFormat, className);
    super(o);
    this.poolSize = poolSize;
    this.strides = strides;
    this.padding = padding;
  }

  /** The pooling op on one batch. */
  protected abstract pool(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    checkSpatialRank(x.shape, 1, `${this.className} '${this.name}'`);
    return this.pool(x);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 1, `${this.className} '${this.name}'`);
    const [steps] = spatialOutput(shape, [this.poolSize], [this.strides], this.padding, [1], `${this.className} '${this.name}'`, "pool");
    return [shape[0], steps, shape[2]];
  }

  protected override reprFields(): Record<string, unknown> {
    return { pool_size: `(${this.poolSize},)` };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.poolSize], padding: this.padding, strides: [this.strides], dataFormat: "channels_last" };
  }
}
