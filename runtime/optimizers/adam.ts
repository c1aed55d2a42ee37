/**
 * Adam (Keras): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * w −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε).  Defaults: 0.001, β1 0.9, β2 0.999, ε 1e-7.
 */
import type { NativeBuffer } from "../backend/backend.js";
import { OPTIMIZER_OPTIONS, Optimizer, type OptimizerOptions } from "./optimizer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first moment. Default 0.9. */
  beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment. Default 1e-7. */
  epsilon?: number;
  /** Keras's name for beta1. */
  beta_1?: number;
  /** Keras's name for beta2. */
  beta_2?: number;
}

// beta_1 is Keras's spelling of beta1 (the mechanical snake_case twin of beta1 is beta1 itself).
const ADAM_OPTIONS: OptionTable<AdamOptions> = { beta1: true, beta2: true, epsilon: true, beta_1: "beta1", beta_2: "beta2", ...OPTIMIZER_OPTIONS };

/**
 * Adam with Keras's defaults and bias correction.
 * @example new optimizers.Adam({ learningRate: 3e-4 })
 */
export class Adam extends Optimizer {
  readonly className: string = "Adam";
  /** Decay of the first moment. */
  readonly beta1: number;
  /** Decay of the second moment. */
  readonly beta2: number;
  /** Added to the root of the second moment. */
  readonly epsilon: number;
  protected weightDecay = 0;

  /** @example new optimizers.Adam({ learningRate: 3e-4 }) */
  constructor(options?: WithSnakeCase<AdamOptions>, name = "Adam") {
    const o = checkOptions(name, options, ADAM_OPTIONS);
    super(o, 0.001, name);
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-7;
    for (const [k, v] of [["beta1", this.beta1], ["beta2", this.beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new Error(`${name}: ${k} must be in [0, 1), received ${v}`);
    }
  }

  protected slotCount(): number {
    return 2;
  }

  protected update(params: NativeBuffer[], grads: NativeBuffer[], slots: NativeBuffer[][]): void {
    this.backend.adamUpdate(params, grads, slots[0], slots[1], this.learningRate, this.beta1, this.beta2, this.epsilon, this.iterations, this.weightDecay);
  }

  protected override reprFields(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2 };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay. Default 0.004 (Keras's). */
  weightDecay?: number;
}

const ADAMW_OPTIONS: OptionTable<AdamWOptions> = { weightDecay: true, ...ADAM_OPTIONS };

/**
 * AdamW: Adam with decoupled weight decay (w −= lr·wd·w each step). Default weightDecay 0.004.
 * @example new optimizers.AdamW({ learningRate: 1e-3, weightDecay: 0.01 })
 */
export class AdamW extends Adam {
  override readonly className = "AdamW";

  /** @example new optimizers.AdamW({ learningRate: 1e-3, weightDecay: 0.01 }) */
  constructor(options?: WithSnakeCase<AdamWOptions>) {
    // Adam checks its own options again, so weightDecay is taken out first.
    const { weightDecay, ...adam } = checkOptions("AdamW", options, ADAMW_OPTIONS);
    super(adam, "AdamW");
    this.weightDecay = weightDecay ?? 0.004;
    if (!(this.weightDecay >= 0)) throw new Error(`AdamW: weightDecay must be ≥ 0, received ${this.weightDecay}`);
  }

  protected override reprFields(): Record<string, unknown> {
    return { ...super.reprFields(), weight_decay: this.weightDecay };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}
