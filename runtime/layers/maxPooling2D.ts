/**
 * MaxPooling2D: the largest value of each window, channel by channel.
 *
 *   output[b, y, x, c] = max_{i < ph, j < pw} input[b, y·sh + i − pad, x·sw + j − pad, c]
 *
 * Args: `poolSize` (2), `strides` (the pool size), `padding` ("valid"), as pooling2D.ts says.
 * The gradient flows to the window's largest cell only (the first one on ties).
 */
import { callable } from "./layer.js";
import type { WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import { pool2dOf } from "../ops/pool.js";
import { Pooling2DLayer, type Pooling2DOptions } from "./pooling2D.js";
import type { Padding } from "./convArgs.js";
import { stripNulls } from "./dense.js";

/**
 * Max pooling over 2-D windows (class behind `MaxPooling2D`).
 * @example new MaxPooling2DLayer(2)
 */
export class MaxPooling2DLayer extends Pooling2DLayer {
  readonly className = "MaxPooling2D";

  /** @example new MaxPooling2D(2) — halves height and width */
  constructor(
    poolSize?: number | readonly [number, number] | WithSnakeCase<Pooling2DOptions>,
    strides?: number | readonly [number, number] | null | WithSnakeCase<Pooling2DOptions>,
    padding?: Padding | WithSnakeCase<Pooling2DOptions>,
    options?: WithSnakeCase<Pooling2DOptions>,
  ) {
    super("MaxPooling2D", [poolSize, strides, padding, options]);
  }

  protected pool(x: Tensor): Tensor {
    return pool2dOf("max", x, this.spec, `${this.className} '${this.name}'`);
  }

  static fromConfig(c: Record<string, unknown>): MaxPooling2DLayer {
    return new MaxPooling2DLayer(stripNulls(c) as Pooling2DOptions);
  }
}

/**
 * Max pooling over 2-D windows; callable with or without `new` (also `layers.MaxPool2D`, Keras's alias).
 * @example layers.MaxPooling2D(2)
 */
export const MaxPooling2D = callable(MaxPooling2DLayer);
export type MaxPooling2D = MaxPooling2DLayer;
