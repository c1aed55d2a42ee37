/**
 * GlobalAveragePooling2D: the mean of each channel over height and width.
 *
 *   output[b, c] = mean_{y, x} input[b, y, x, c]      (keepdims: output[b, 0, 0, c])
 *
 * Options: `keepdims` (false), as globalPooling2D.ts says. The gradient is shared equally by
 * every cell of the channel.
 */
import { callable } from "./layer.js";
import type { WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { GlobalPooling2DLayer, type GlobalPooling2DOptions } from "./globalPooling2D.js";

/**
 * Averages each channel over the image (class behind `GlobalAveragePooling2D`).
 * @example new GlobalAveragePooling2DLayer()
 */
export class GlobalAveragePooling2DLayer extends GlobalPooling2DLayer {
  readonly className = "GlobalAveragePooling2D";

  /** @example new GlobalAveragePooling2D() — (batch, 7, 7, 64) → (batch, 64) */
  constructor(options?: WithSnakeCase<GlobalPooling2DOptions>) {
    super("GlobalAveragePooling2D", options);
  }

  protected reduce(x: Tensor): Tensor {
    return ops.mean(x, [1, 2], this.keepdims);
  }

  static fromConfig(c: Record<string, unknown>): GlobalAveragePooling2DLayer {
    return new GlobalAveragePooling2DLayer(c as GlobalPooling2DOptions);
  }
}

/**
 * Averages each channel over the image; callable with or without `new` (also `layers.GlobalAvgPool2D`).
 * @example layers.GlobalAveragePooling2D()
 */
export const GlobalAveragePooling2D = callable(GlobalAveragePooling2DLayer);
export type GlobalAveragePooling2D = GlobalAveragePooling2DLayer;
