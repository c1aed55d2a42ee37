/**
 * Reshape: a new sample shape with the same number of elements.  (batch, …) → (batch, ...targetShape)
 * Args: `targetShape` (no batch axis; one -1 allowed). No weights; a view, no copy.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import { formatShape, type Shape } from "./symbolic.js";

/**
 * Gives each sample a new shape (class behind `Reshape`).
 * @example new ReshapeLayer([28, 28])
 */
export class ReshapeLayer extends Layer {
  readonly className = "Reshape";
  /** The sample shape produced (one -1 allowed). */
  readonly targetShape: number[];

  /** @example new Reshape([28, 28], { inputShape: [784] }) */
  constructor(targetShape: number[], options?: WithSnakeCase<LayerOptions>) {
    if (!Array.isArray(targetShape) || targetShape.some((d) => !(Number.isInteger(d) && (d > 0 || d === -1))) || targetShape.filter((d) => d === -1).length > 1) {
      throw new Error(`Reshape: targetShape must be an array of positive integers with at most one -1, received ${JSON.stringify(targetShape)}`);
    }
    super(checkOptions("Reshape", options, LAYER_OPTIONS));
    this.targetShape = [...targetShape];
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    return x.reshape([x.shape[0], ...this.resolve(x.size / Math.max(1, x.shape[0]))]);
  }

  private resolve(perSample: number): number[] {
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = this.targetShape.map((d) => (d === -1 ? perSample / known : d));
    const total = out.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(total) || total !== perSample) {
      throw new Error(`Reshape '${this.name}': cannot reshape samples of ${perSample} elements to [${this.targetShape.join(", ")}]`);
    }
    return out;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape, this.name);
    const rest = s.slice(1);
    if (rest.some((d) => d === null)) return [s[0], ...this.targetShape.map((d) => (d === -1 ? null : d))];
    return [s[0], ...this.resolve((rest as number[]).reduce((a, b) => a * b, 1))];
  }

  protected override reprFields(): Record<string, unknown> {
    return { target_shape: formatShape(this.targetShape) };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }

  static fromConfig(c: Record<string, unknown>): ReshapeLayer {
    const { targetShape, ...rest } = c;
    return new ReshapeLayer(targetShape as number[], rest as LayerOptions);
  }
}

/**
 * Gives each sample a new shape; callable with or without `new`.
 * @example layers.Reshape([28, 28], { inputShape: [784] })
 */
export const Reshape = callable(ReshapeLayer);
export type Reshape = ReshapeLayer;
