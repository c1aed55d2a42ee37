/**
 * What MaxPooling2D and AveragePooling2D share (Keras's BasePooling): the arguments, the output
 * shape and the config. Each subclass names its op.
 *
 * Args (Keras's, positional or as options): `poolSize` (2 or [2, 3], default 2), `strides`
 * (default the pool size), `padding` ("valid" | "same", default "valid"), `dataFormat`
 * ("channels_last" only). Input shape: (batch, height, width, channels). Output shape: (batch,
 * newHeight, newWidth, channels), "valid": floor((size − pool) / stride) + 1, "same":
 * ceil(size / stride). No weights.
 */
import { LAYER_OPTIONS, Layer, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Pool2dSpec } from "../ops/pool.js";
import type { Shape } from "./symbolic.js";
import { checkSpatialRank, dataFormatArg, paddingArg, spatialOutput, tupleArg, withPositional, type Padding } from "./convArgs.js";

export interface Pooling2DOptions extends LayerOptions {
  /** Height and width of the window: 2 or [2, 3] (the first positional argument). Default 2. */
  poolSize?: number | readonly [number, number];
  /** Step of the window: 2 or [2, 1] (the second positional argument). Default the pool size. */
  strides?: number | readonly [number, number] | null;
  /** "valid" (windows inside the input only) or "same" (output = ceil(input / stride); border windows hold fewer cells). Default "valid". */
  padding?: Padding;
  /** Layout of the input: "channels_last" ([batch, height, width, channels]) is the only one. Default "channels_last". */
  dataFormat?: "channels_last";
}

export const POOLING2D_OPTIONS: OptionTable<Pooling2DOptions> = { poolSize: true, strides: true, padding: true, dataFormat: true, ...LAYER_OPTIONS };

/** A pooling layer's arguments, read. */
export type PoolingArgs = readonly [
  poolSize?: number | readonly [number, number] | WithSnakeCase<Pooling2DOptions>,
  strides?: number | readonly [number, number] | null | WithSnakeCase<Pooling2DOptions>,
  padding?: Padding | WithSnakeCase<Pooling2DOptions>,
  options?: WithSnakeCase<Pooling2DOptions>,
];

/** The base of the 2-D pooling layers: subclasses say which op pools. */
export abstract class Pooling2DLayer extends Layer {
  /** [height, width] of the window. */
  readonly poolSize: [number, number];
  /** [height, width] steps of the window. */
  readonly strides: [number, number];
  /** "valid" or "same". */
  readonly padding: Padding;
  /** The op's resolved options. */
  protected readonly spec: Pool2dSpec;

  constructor(className: string, args: PoolingArgs) {
    const o = withPositional<Pooling2DOptions>(className, args, ["poolSize", "strides", "padding"], (x) => checkOptions(className, x, POOLING2D_OPTIONS));
    const poolSize = tupleArg(o.poolSize ?? 2, 2, className, "poolSize") as [number, number];
    const strides = tupleArg(o.strides ?? poolSize, 2, className, "strides") as [number, number];
    const padding = paddingArg(o.padding, className);
    dataFormatArg(o.dataFormat, className);
    super(o);
    this.poolSize = poolSize;
    this.strides = strides;
    this.padding = padding;
    this.spec = { poolSize, strides, padding };
  }

  /** The pooling op on one batch. */
  protected abstract pool(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    checkSpatialRank(x.shape, 2, `${this.className} '${this.name}'`);
    return this.pool(x);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape, this.name);
    checkSpatialRank(shape, 2, `${this.className} '${this.name}'`);
    const [h, w] = spatialOutput(shape, this.poolSize, this.strides, this.padding, [1, 1], `${this.className} '${this.name}'`, "pool");
    return [shape[0], h, w, shape[3]];
  }

  protected override reprFields(): Record<string, unknown> {
    return { pool_size: `(${this.poolSize.join(", ")})` };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [...this.poolSize], padding: this.padding, strides: [...this.strides], dataFormat: "channels_last" };
  }
}
