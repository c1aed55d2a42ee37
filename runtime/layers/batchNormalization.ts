/**
 * BatchNormalization: normalizes each feature (the last axis) to zero mean and unit variance.
 *
 *   training:  y = gamma · (x − mean_batch) / sqrt(var_batch + epsilon) + beta
 *              moving_mean = momentum · moving_mean + (1 − momentum) · mean_batch  (same for var)
 *   inference: y = gamma · (x − moving_mean) / sqrt(moving_var + epsilon) + beta
 *
 * Options: `momentum` (0.99), `epsilon` (1e-3), `center` (beta, true), `scale` (gamma, true).
 * Shapes: output = input. Weights: gamma, beta (trainable), moving_mean, moving_variance (not).
 */
import { LAYER_OPTIONS, Layer, callable, single, singleShape, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Variable } from "../tensor/variable.js";
import * as ops from "../ops/index.js";
import type { Shape } from "./symbolic.js";

export interface BatchNormalizationOptions extends LayerOptions {
  /** Weight of the old value in the moving averages. Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset beta. Default true. */
  center?: boolean;
  /** Learn a scale gamma. Default true. */
  scale?: boolean;
}

const BATCH_NORMALIZATION_OPTIONS: OptionTable<BatchNormalizationOptions> = { momentum: true, epsilon: true, center: true, scale: true, ...LAYER_OPTIONS };

/**
 * Normalizes features with batch statistics in training, moving ones at inference (class behind `BatchNormalization`).
 * @example new BatchNormalizationLayer({ momentum: 0.9 })
 */
export class BatchNormalizationLayer extends Layer {
  readonly className = "BatchNormalization";
  /** Weight of the old value in the moving averages. */
  readonly momentum: number;
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  /** Whether beta is learned. */
  readonly center: boolean;
  /** Whether gamma is learned. */
  readonly scale: boolean;
  /** Learned scale (null until built or without scale). */
  gamma: Variable | null = null;
  /** Learned offset (null until built or without center). */
  beta: Variable | null = null;
  /** Moving mean used at inference (non-trainable). */
  movingMean: Variable | null = null;
  /** Moving variance used at inference (non-trainable). */
  movingVariance: Variable | null = null;

  /** @example new BatchNormalization({ momentum: 0.9 }) */
  constructor(options?: WithSnakeCase<BatchNormalizationOptions>) {
    const o = checkOptions("BatchNormalization", options, BATCH_NORMALIZATION_OPTIONS);
    const momentum = o.momentum ?? 0.99;
    const epsilon = o.epsilon ?? 1e-3;
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`BatchNormalization: momentum must be in [0, 1], received ${momentum}`);
    if (!(epsilon > 0)) throw new Error(`BatchNormalization: epsilon must be positive, received ${epsilon}`);
    super(o);
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.center = o.center ?? true;
    this.scale = o.scale ?? true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const c = s[s.length - 1];
    if (typeof c !== "number") throw new Error(`BatchNormalization '${this.name}': the last axis must be known, received [${s.join(", ")}]`);
    if (this.scale) this.gamma = this.addWeight("gamma", [c], "ones");
    if (this.center) this.beta = this.addWeight("beta", [c], "zeros");
    this.movingMean = this.addWeight("moving_mean", [c], "zeros", { trainable: false });
    this.movingVariance = this.addWeight("moving_variance", [c], "ones", { trainable: false });
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], ctx: CallContext): Tensor {
    const x = single(inputs, this.name);
    const axes = Array.from({ length: x.ndim - 1 }, (_, i) => i);
    let mean: Tensor;
    let variance: Tensor;
    if (ctx.training && this.trainable) {
      mean = ops.mean(x, axes);
      variance = ops.mean(ops.square(ops.sub(x, mean)), axes);
      const m = this.momentum;
      this.movingMean!.assign(ops.add(ops.mul(this.movingMean!, m), ops.mul(mean, 1 - m)));
      this.movingVariance!.assign(ops.add(ops.mul(this.movingVariance!, m), ops.mul(variance, 1 - m)));
    } else {
      mean = this.movingMean!;
      variance = this.movingVariance!;
    }
    let y = ops.div(ops.sub(x, mean), ops.sqrt(ops.add(variance, this.epsilon)));
    if (this.gamma) y = ops.mul(y, this.gamma);
    if (this.beta) y = ops.add(y, this.beta);
    return y;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape, this.name);
  }

  protected override reprFields(): Record<string, unknown> {
    return { momentum: this.momentum, epsilon: this.epsilon };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }

  static fromConfig(c: Record<string, unknown>): BatchNormalizationLayer {
    return new BatchNormalizationLayer(c as BatchNormalizationOptions);
  }
}

/**
 * Batch normalization; callable with or without `new`.
 * @example layers.BatchNormalization()
 */
export const BatchNormalization = callable(BatchNormalizationLayer);
export type BatchNormalization = BatchNormalizationLayer;
