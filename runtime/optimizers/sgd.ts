/**
 * SGD (Keras): vel = momentum·vel − lr·g; w += vel  (Nesterov: w += momentum·vel − lr·g).
 * Defaults: learningRate 0.01, momentum 0, nesterov false.
 */
import type { NativeBuffer } from "../backend/backend.js";
import { OPTIMIZER_OPTIONS, Optimizer, type OptimizerOptions } from "./optimizer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

export interface SGDOptions extends OptimizerOptions {
  /** Velocity decay in [0, 1]. Default 0 (plain SGD). */
  momentum?: number;
  /** Use Nesterov momentum. Default false. */
  nesterov?: boolean;
}

const SGD_OPTIONS: OptionTable<SGDOptions> = { momentum: true, nesterov: true, ...OPTIMIZER_OPTIONS };

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum.
 * @example new optimizers.SGD({ learningRate: 1e-4, momentum: 0.9 })
 */
export class SGD extends Optimizer {
  readonly className = "SGD";
  /** Velocity decay. */
  readonly momentum: number;
  /** Whether Nesterov momentum is used. */
  readonly nesterov: boolean;

  /** @example new optimizers.SGD({ learningRate: 1e-4, momentum: 0.9 }) */
  constructor(options?: WithSnakeCase<SGDOptions>) {
    const o = checkOptions("SGD", options, SGD_OPTIONS);
    super(o, 0.01, "SGD");
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`SGD: momentum must be in [0, 1], received ${this.momentum}`);
  }

  protected slotCount(): number {
    return this.momentum > 0 ? 1 : 0;
  }

  protected update(params: NativeBuffer[], grads: NativeBuffer[], slots: NativeBuffer[][]): void {
    this.backend.sgdUpdate(params, grads, this.momentum > 0 ? slots[0] : null, this.learningRate, this.momentum, this.nesterov);
  }

  protected override reprFields(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
