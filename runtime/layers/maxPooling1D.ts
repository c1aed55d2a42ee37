/**
 * MaxPooling1D: the largest value of each window along the steps axis, channel by channel.
 *
 *   output[b, t, c] = max_{i < p} input[b, t·s + i − pad, c]
 *
 * Args: `poolSize` (2), `strides` (the pool size), `padding` ("valid"), as pooling1D.ts says.
 */
import { callable } from "./layer.js";
import type { WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { Pooling1DLayer, type Pooling1DOptions } from "./pooling1D.js";
import type { Padding } from "./convArgs.js";
import { stripNulls } from "./dense.js";

/**
 * Max pooling along the steps axis (class behind `MaxPooling1D`).
 * @example new MaxPooling1DLayer(2)
 */
export class MaxPooling1DLayer extends Pooling1DLayer {
  readonly className = "MaxPooling1D";

  /** @example new MaxPooling1D(2) — halves the steps */
  constructor(
    poolSize?: number | readonly [number] | WithSnakeCase<Pooling1DOptions>,
    strides?: number | readonly [number] | null | WithSnakeCase<Pooling1DOptions>,
    padding?: Padding | WithSnakeCase<Pooling1DOptions>,
    options?: WithSnakeCase<Pooling1DOptions>,
  ) {
    super("MaxPooling1D", [poolSize, strides, padding, options]);
  }

  protected pool(x: Tensor): Tensor {
    return ops.maxPool1d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  static fromConfig(c: Record<string, unknown>): MaxPooling1DLayer {
    return new MaxPooling1DLayer(stripNulls(c) as Pooling1DOptions);
  }
}

/**
 * Max pooling along the steps axis; callable with or without `new` (also `layers.MaxPool1D`).
 * @example layers.MaxPooling1D(2)
 */
export const MaxPooling1D = callable(MaxPooling1DLayer);
export type MaxPooling1D = MaxPooling1DLayer;
