/**
 * Activation: applies an activation function.  output = activation(input)
 *
 * Args: `activation` — a name ("relu", "softmax", …) or a function. Shapes: output = input.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import { getActivation, type Activation as ResolvedActivation, type ActivationLike } from "../activations.js";
import type { Shape } from "./symbolic.js";

/**
 * Applies an activation function (class behind `Activation`).
 * @example new ActivationLayer("relu")
 */
export class ActivationLayer extends Layer {
  readonly className = "Activation";
  /** The activation (name and function). */
  readonly activation: ResolvedActivation;

  /** @example new Activation("relu") */
  constructor(activation: ActivationLike, options?: WithSnakeCase<LayerOptions>) {
    if (activation === undefined || activation === null) throw new Error(`Activation: an activation is required (e.g. "relu"), received ${String(activation)}`);
    super(checkOptions("Activation", options, LAYER_OPTIONS));
    this.activation = getActivation(activation);
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    return this.activation.fn(single(inputs, this.name));
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape, this.name);
  }

  protected override reprFields(): Record<string, unknown> {
    return { activation: this.activation.name };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }

  static fromConfig(c: Record<string, unknown>): ActivationLayer {
    const { activation, ...rest } = c;
    return new ActivationLayer(activation as string, rest as LayerOptions);
  }
}

/**
 * Applies an activation function; callable with or without `new`.
 * @example layers.Activation("softmax")
 */
export const Activation = callable(ActivationLayer);
export type Activation = ActivationLayer;
