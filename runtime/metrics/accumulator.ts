/**
 * Running sums kept on the backend: a step adds to them with one small kernel and nothing is read
 * back to JavaScript until someone asks for the value (the progress bar when it redraws, the end of
 * an epoch). On the CPU this saves little; on a GPU it keeps the host from waiting at every step.
 */
import * as ops from "../ops/index.js";
import { zeros } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { variable, type Variable } from "../tensor/variable.js";

export class Accumulator {
  private readonly sums: Variable;
  private cache: number[] | null = null;

  /** `size` running sums, all 0. */
  constructor(readonly size: number) {
    this.sums = variable(zeros([size]), { name: "accumulator", trainable: false });
  }

  /** Adds a scalar (size 1) or a vector of `size` values. */
  add(values: Tensor): void {
    const v = values.dtype === "float32" ? values : values.astype("float32");
    this.sums.assign(ops.add(this.sums, v.reshape([this.size])));
    this.cache = null;
  }

  /** The sums (read back once per change). */
  values(): number[] {
    return (this.cache ??= Array.from(this.sums.data()));
  }

  /** Back to 0. */
  reset(): void {
    this.sums.assign(0);
    this.cache = Array.from({ length: this.size }, () => 0);
  }
}
