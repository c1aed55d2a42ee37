/**
 * AveragePooling1D: the mean of each window along the steps axis, channel by channel.
 *
 *   output[b, t, c] = mean_{i < p} input[b, t·s + i − pad, c]
 *
 * Args: `poolSize` (2), `strides` (the pool size), `padding` ("valid"), as pooling1D.ts says;
 * with "same" a border window averages the steps inside the input only.
 */
import { callable } from "./layer.js";
import type { WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { Pooling1DLayer, type Pooling1DOptions } from "./pooling1D.js";
import type { Padding } from "./convArgs.js";
import { stripNulls } from "./dense.js";

/**
 * Average pooling along the steps axis (class behind `AveragePooling1D`); with "same" a border
 * window averages the steps inside the input only.
 * @example new AveragePooling1DLayer(2)
 */
export class AveragePooling1DLayer extends Pooling1DLayer {
  readonly className = "AveragePooling1D";

  /** @example new AveragePooling1D(2) */
  constructor(
    poolSize?: number | readonly [number] | WithSnakeCase<Pooling1DOptions>,
    strides?: number | readonly [number] | null | WithSnakeCase<Pooling1DOptions>,
    padding?: Padding | WithSnakeCase<Pooling1DOptions>,
    options?: WithSnakeCase<Pooling1DOptions>,
  ) {
    super("AveragePooling1D", [poolSize, strides, padding, options]);
  }

  protected pool(x: Tensor): Tensor {
    return ops.avgPool1d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  static fromConfig(c: Record<string, unknown>): AveragePooling1DLayer {
    return new AveragePooling1DLayer(stripNulls(c) as Pooling1DOptions);
  }
}

/**
 * Average pooling along the steps axis; callable with or without `new` (also `layers.AvgPool1D`).
 * @example layers.AveragePooling1D(2)
 */
export const AveragePooling1D = callable(AveragePooling1DLayer);
export type AveragePooling1D = AveragePooling1DLayer;
