/**
 * Flatten: one feature axis per sample.  (batch, d1, d2, …) → (batch, d1·d2·…)
 * No weights; a reshape view, no copy.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Shape } from "./symbolic.js";

/**
 * Flattens each sample to one axis (class behind `Flatten`).
 * @example new FlattenLayer({ inputShape: [28, 28] })
 */
export class FlattenLayer extends Layer {
  readonly className = "Flatten";

  /** @example new Flatten({ inputShape: [28, 28] }) */
  constructor(options?: WithSnakeCase<LayerOptions>) {
    super(checkOptions("Flatten", options, LAYER_OPTIONS));
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    return x.reshape([x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)]);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape, this.name);
    const rest = s.slice(1);
    return [s[0], rest.some((d) => d === null) ? null : (rest as number[]).reduce((a, b) => a * b, 1)];
  }

  static fromConfig(c: Record<string, unknown>): FlattenLayer {
    return new FlattenLayer(c as LayerOptions);
  }
}

/**
 * Flattens each sample to one axis; callable with or without `new`.
 * @example layers.Flatten({ inputShape: [28, 28] })
 */
export const Flatten = callable(FlattenLayer);
export type Flatten = FlattenLayer;
