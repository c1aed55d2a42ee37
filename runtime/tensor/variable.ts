/**
 * `Variable`: a tensor whose value changes in place (a layer's weights).
 *
 * Variables are never released by a training step's scope; optimizers write their new values
 * straight into `variable.buffer` with the backend's fused update kernels.
 */
import type { DType } from "../backend/backend.js";
import { backend } from "./engine.js";
import { Tensor, shapeStr, type TensorLike } from "./tensor.js";
import { tensor } from "./create.js";
import { checkOptions, type OptionTable } from "../options.js";

let unnamed = 0;

/** Options of `variable()`. */
export interface VariableOptions {
  /** Shown in summaries and messages. Default "variable", "variable_1", … */
  name?: string;
  /** Whether optimizers update it (fit trains only trainable variables). Default true. */
  trainable?: boolean;
  /** Convert the initial value to this dtype. Default: the initial value's dtype. */
  dtype?: DType;
}

const VARIABLE_OPTIONS: OptionTable<VariableOptions> = { name: true, trainable: true, dtype: true };

/**
 * A tensor with a name whose value changes in place; layers own them and optimizers update them.
 * @example const w = variable(randomNormal([784, 512]), { name: "kernel" });
 */
export class Variable extends Tensor {
  /** The name shown in summaries and messages. @example w.name // "kernel" */
  readonly name: string;
  /** Whether optimizers update this variable. @example bn.movingMean.trainable // false */
  trainable: boolean;

  /** Use `variable(initial, options)`. @internal */
  constructor(initial: Tensor, name: string, trainable: boolean) {
    const buf = backend().alloc(initial.dtype, initial.size);
    if (initial.size !== 0) backend().copy(initial.buffer, 0, buf, 0, initial.size);
    super(buf, [...initial.shape], initial.dtype);
    this._persistent = true;
    this.name = name;
    this.trainable = trainable;
  }

  /**
   * Replaces the value in place (same shape; a number fills every element).
   * @example w.assign(w.sub(grad.mul(0.01)))
   */
  assign(value: TensorLike): this {
    if (typeof value === "number") {
      if (this.size !== 0) backend().fill(this.buffer, value);
      return this;
    }
    let t = value instanceof Tensor ? value : tensor(value);
    if (t.size !== this.size || t.shape.length !== this.shape.length || t.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`assign: variable '${this.name}' has shape ${shapeStr(this.shape)}; the new value has shape ${shapeStr(t.shape)}`);
    }
    if (t.dtype !== this.dtype) t = t.astype(this.dtype);
    if (this.size !== 0) backend().copy(t.buffer, 0, this.buffer, 0, this.size);
    return this;
  }

  /**
   * The printed form: the name, then the value as a tensor (on its own lines when it spans several).
   * @example String(variable(zeros([2]), { name: "bias" })) // "Variable 'bias' tensor([0., 0.], shape=[2], dtype=float32)"
   */
  override toString(): string {
    const value = super.toString();
    return `Variable '${this.name}'${this.trainable ? "" : " (non-trainable)"}${value.includes("\n") ? "\n" : " "}${value}`;
  }
}

/**
 * A new Variable holding a copy of `initial`.
 * @example const b = variable(zeros([512]), { name: "bias" });
 */
export function variable(initial: TensorLike, options?: VariableOptions): Variable {
  const o = checkOptions("variable", options, VARIABLE_OPTIONS);
  let t = initial instanceof Tensor ? initial : tensor(initial);
  if (o.dtype !== undefined && o.dtype !== t.dtype) t = t.astype(o.dtype);
  const name = o.name ?? (unnamed++ === 0 ? "variable" : `variable_${unnamed - 1}`);
  return new Variable(t, name, o.trainable ?? true);
}
