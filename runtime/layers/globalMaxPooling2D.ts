/**
 * GlobalMaxPooling2D: the largest value of each channel over height and width.
 *
 *   output[b, c] = max_{y, x} input[b, y, x, c]      (keepdims: output[b, 0, 0, c])
 *
 * Options: `keepdims` (false), as globalPooling2D.ts says. The gradient flows to the channel's
 * largest cell (split evenly between equal maxima, as the max reduction does).
 */
import { callable } from "./layer.js";
import type { WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import { GlobalPooling2DLayer, type GlobalPooling2DOptions } from "./globalPooling2D.js";

/**
 * Takes the largest value of each channel over the image (class behind `GlobalMaxPooling2D`).
 * @example new GlobalMaxPooling2DLayer()
 */
export class GlobalMaxPooling2DLayer extends GlobalPooling2DLayer {
  readonly className = "GlobalMaxPooling2D";

  /** @example new GlobalMaxPooling2D() — (batch, 7, 7, 64) → (batch, 64) */
  constructor(options?: WithSnakeCase<GlobalPooling2DOptions>) {
    super("GlobalMaxPooling2D", options);
  }

  protected reduce(x: Tensor): Tensor {
    return ops.max(x, [1, 2], this.keepdims);
  }

  static fromConfig(c: Record<string, unknown>): GlobalMaxPooling2DLayer {
    return new GlobalMaxPooling2DLayer(c as GlobalPooling2DOptions);
  }
}

/**
 * Takes the largest value of each channel over the image; callable with or without `new` (also `layers.GlobalMaxPool2D`).
 * @example layers.GlobalMaxPooling2D()
 */
export const GlobalMaxPooling2D = callable(GlobalMaxPooling2DLayer);
export type GlobalMaxPooling2D = GlobalMaxPooling2DLayer;
