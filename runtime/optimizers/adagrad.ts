/**
 * Adagrad (Keras): acc += g²; w −= lr · g / sqrt(acc + epsilon).
 * Defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7.
 */
import type { NativeBuffer } from "../backend/backend.js";
import { OPTIMIZER_OPTIONS, Optimizer, type OptimizerOptions } from "./optimizer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the squared-gradient sum. Default 0.1. */
  initialAccumulatorValue?: number;
  /** Added inside the square root. Default 1e-7. */
  epsilon?: number;
}

const ADAGRAD_OPTIONS: OptionTable<AdagradOptions> = { initialAccumulatorValue: true, epsilon: true, ...OPTIMIZER_OPTIONS };

/**
 * Adagrad with Keras's defaults.
 * @example new optimizers.Adagrad({ learningRate: 0.01 })
 */
export class Adagrad extends Optimizer {
  readonly className = "Adagrad";
  /** Starting value of the squared-gradient sum. */
  readonly initialAccumulatorValue: number;
  /** Added inside the square root. */
  readonly epsilon: number;

  /** @example new optimizers.Adagrad({ learningRate: 0.01 }) */
  constructor(options?: WithSnakeCase<AdagradOptions>) {
    const o = checkOptions("Adagrad", options, ADAGRAD_OPTIONS);
    super(o, 0.001, "Adagrad");
    this.initialAccumulatorValue = o.initialAccumulatorValue ?? 0.1;
    this.epsilon = o.epsilon ?? 1e-7;
  }

  protected slotCount(): number {
    return 1;
  }

  protected override slotInit(): number {
    return this.initialAccumulatorValue;
  }

  protected update(params: NativeBuffer[], grads: NativeBuffer[], slots: NativeBuffer[][]): void {
    this.backend.adagradUpdate(params, grads, slots[0], this.learningRate, this.epsilon);
  }

  protected override reprFields(): Record<string, unknown> {
    return { initial_accumulator_value: this.initialAccumulatorValue };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
