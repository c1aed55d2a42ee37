/**
 * RMSprop (Keras): v = rho·v + (1 − rho)·g²;  w −= lr · g / sqrt(v + epsilon).
 * Defaults: learningRate 0.001, rho 0.9, epsilon 1e-7. Keras puts epsilon *inside* the square
 * root (TF.js and PyTorch put it outside); we follow Keras so training curves match it.
 */
import type { NativeBuffer } from "../backend/backend.js";
import { OPTIMIZER_OPTIONS, Optimizer, type OptimizerOptions } from "./optimizer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

export interface RMSpropOptions extends OptimizerOptions {
  /** Decay of the squared-gradient average. Default 0.9. */
  rho?: number;
  /** Added inside the square root. Default 1e-7. */
  epsilon?: number;
}

const RMSPROP_OPTIONS: OptionTable<RMSpropOptions> = { rho: true, epsilon: true, ...OPTIMIZER_OPTIONS };

/**
 * RMSprop as in Keras (epsilon inside the square root); "rmsprop" gives the defaults.
 * @example new optimizers.RMSprop({ learningRate: 1e-3 })
 */
export class RMSprop extends Optimizer {
  readonly className = "RMSprop";
  /** Decay of the squared-gradient average. */
  readonly rho: number;
  /** Added inside the square root. */
  readonly epsilon: number;

  /** @example new optimizers.RMSprop({ learningRate: 1e-3 }) */
  constructor(options?: WithSnakeCase<RMSpropOptions>) {
    const o = checkOptions("RMSprop", options, RMSPROP_OPTIONS);
    super(o, 0.001, "RMSprop");
    this.rho = o.rho ?? 0.9;
    this.epsilon = o.epsilon ?? 1e-7;
    if (!(this.rho >= 0 && this.rho < 1)) throw new Error(`RMSprop: rho must be in [0, 1), received ${this.rho}`);
  }

  protected slotCount(): number {
    return 1;
  }

  protected update(params: NativeBuffer[], grads: NativeBuffer[], slots: NativeBuffer[][]): void {
    this.backend.rmspropUpdate(params, grads, slots[0], this.learningRate, this.rho, this.epsilon);
  }

  protected override reprFields(): Record<string, unknown> {
    return { rho: this.rho };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
