/**
 * Dropout: during training, zeroes each input element with probability `rate` and scales the
 * rest by 1/(1 − rate) so the expected sum is unchanged; at inference it is the identity.
 *
 *   training: output = input · mask / (1 − rate),  mask ~ Bernoulli(1 − rate)
 *
 * Args: `rate` in [0, 1); options `seed`. Shapes: output = input. The mask is drawn from the
 * seeded Philox stream, so `utils.setRandomSeed(n)` makes it reproducible.
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import { randomUniformFrom } from "../tensor/create.js";
import { RandomStream, randomStream } from "../random.js";
import * as ops from "../ops/index.js";
import type { Shape } from "./symbolic.js";

export interface DropoutOptions extends LayerOptions {
  /**
   * A seed of this layer's own: its sequence of masks is the same on every run, whatever else
   * draws random numbers (default: the global seed's stream).
   */
  seed?: number;
}

const DROPOUT_OPTIONS: OptionTable<DropoutOptions> = { seed: true, ...LAYER_OPTIONS };

/**
 * Drops inputs at random in training (class behind `Dropout`).
 * @example new DropoutLayer(0.5)
 */
export class DropoutLayer extends Layer {
  readonly className = "Dropout";
  /** Fraction of inputs set to zero in training. */
  readonly rate: number;
  private readonly seed: number | undefined;
  /** With a seed: the layer's own stream, so each mask continues the seed's sequence (a fixed key would repeat one mask). */
  private readonly stream: RandomStream | undefined;

  /** @example new Dropout(0.5) */
  constructor(rate: number, options?: WithSnakeCase<DropoutOptions>) {
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
      throw new Error(`Dropout: rate must be a number in [0, 1), received ${String(rate)}`);
    }
    const o = checkOptions("Dropout", options, DROPOUT_OPTIONS);
    super(o);
    this.rate = rate;
    this.seed = o.seed;
    this.stream = o.seed === undefined ? undefined : new RandomStream(o.seed, "Dropout");
  }

  call(inputs: Tensor | Tensor[], ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    if (!ctx.training || this.rate === 0) return x;
    // Without a seed of its own, the global stream as it is now (setRandomSeed replaces it).
    const noise = randomUniformFrom(this.stream ?? randomStream(), x.shape);
    const keep = ops.cast(ops.greaterEqual(noise, this.rate), "float32");
    return ops.mul(x, ops.mul(keep, 1 / (1 - this.rate)));
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape, this.name);
  }

  protected override reprFields(): Record<string, unknown> {
    return { rate: this.rate };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, ...(this.seed !== undefined ? { seed: this.seed } : {}) };
  }

  static fromConfig(c: Record<string, unknown>): DropoutLayer {
    const { rate, ...rest } = c;
    return new DropoutLayer(rate as number, rest as DropoutOptions);
  }
}

/**
 * Drops inputs at random in training; callable with or without `new`.
 * @example layers.Dropout(0.5)
 */
export const Dropout = callable(DropoutLayer);
export type Dropout = DropoutLayer;
