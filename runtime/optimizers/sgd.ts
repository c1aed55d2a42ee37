/**
 * SGD (Keras): vel = momentum·vel − lr·g; w += vel  (Nesterov: w += momentum·vel − lr·g).
 * Defaults: learningRate 0.01, momentum 0, nesterov false.
 */
import type { NativeBuffer } from "../backend/backend.js";
import { Optimizer, type OptimizerOptions } from "./optimizer.js";

export interface SGDOptions extends OptimizerOptions {
  /** Velocity decay in [0, 1]. Default 0 (plain SGD). */
  momentum?: number;
  /** Use Nesterov momentum. Default false. */
  nesterov?: boolean;
}

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
  constructor(options: SGDOptions = {}) {
    super(options, 0.01, "SGD");
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`SGD: momentum must be in [0, 1], received ${this.momentum}`);
  }

  protected slotCount(): number {
    return this.momentum > 0 ? 1 : 0;
  }

  protected update(params: NativeBuffer[], grads: NativeBuffer[], slots: NativeBuffer[][]): void {
    this.backend.sgdUpdate(params, grads, this.momentum > 0 ? slots[0] : null, this.learningRate, this.momentum, this.nesterov);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
