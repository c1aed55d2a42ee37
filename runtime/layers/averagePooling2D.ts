/**
 * AveragePooling2D: the mean of each window, channel by channel.
 *
 *   output[b, y, x, c] = mean_{i < ph, j < pw} input[b, y·sh + i − pad, x·sw + j − pad, c]
 *
 * Args: `poolSize` (2), `strides` (the pool size), `padding` ("valid"), as pooling2D.ts says.
 * With padding "same", a border window averages the cells inside the input only (as Keras on
 * TensorFlow does: the padding is not counted as zeros). The gradient is shared equally by the
 * cells of each window.
 */
import { callable } from "./layer.js";
import type { WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import { pool2dOf } from "../ops/pool.js";
import { Pooling2DLayer, type Pooling2DOptions } from "./pooling2D.js";
import type { Padding } from "./convArgs.js";
import { stripNulls } from "./dense.js";

/**
 * Average pooling over 2-D windows (class behind `AveragePooling2D`).
 * @example new AveragePooling2DLayer(2)
 */
export class AveragePooling2DLayer extends Pooling2DLayer {
  readonly className = "AveragePooling2D";

  /** @example new AveragePooling2D(2) — halves height and width */
  constructor(
    poolSize?: number | readonly [number, number] | WithSnakeCase<Pooling2DOptions>,
    strides?: number | readonly [number, number] | null | WithSnakeCase<Pooling2DOptions>,
    padding?: Padding | WithSnakeCase<Pooling2DOptions>,
    options?: WithSnakeCase<Pooling2DOptions>,
  ) {
    super("AveragePooling2D", [poolSize, strides, padding, options]);
  }

  protected pool(x: Tensor): Tensor {
    return pool2dOf("avg", x, this.spec, `${this.className} '${this.name}'`);
  }

  static fromConfig(c: Record<string, unknown>): AveragePooling2DLayer {
    return new AveragePooling2DLayer(stripNulls(c) as Pooling2DOptions);
  }
}

/**
 * Average pooling over 2-D windows; callable with or without `new` (also `layers.AvgPool2D`, Keras's alias).
 * @example layers.AveragePooling2D(2)
 */
export const AveragePooling2D = callable(AveragePooling2DLayer);
export type AveragePooling2D = AveragePooling2DLayer;
