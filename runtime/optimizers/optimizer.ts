/**
 * The optimizer base: holds the learning rate and the per-variable state ("slots": velocities,
 * moments), and applies one update to every trainable variable with ONE fused backend call
 * over the lists of buffers (no per-variable dispatch, no allocation per step).
 */
import type { NativeBuffer } from "../backend/backend.js";
import { backend, keep } from "../tensor/engine.js";
import { zeros, full } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Variable } from "../tensor/variable.js";
import type { OptionTable } from "../options.js";
import { inspect } from "node:util";
import { reprLine } from "../display/reprs.js";

/** Options every optimizer accepts (each also in snake_case: `learning_rate`). */
export interface OptimizerOptions {
  /** Step size. Default Keras's: 0.001 for RMSprop/Adam/AdamW/Adagrad, 0.01 for SGD. */
  learningRate?: number;
  /** The optimizer's name. Default its class name in lowercase. */
  name?: string;
}

/** Every key of OptimizerOptions; each optimizer's own table spreads it. */
export const OPTIMIZER_OPTIONS: OptionTable<OptimizerOptions> = { learningRate: true, name: true };

/**
 * The base of every optimizer: learning rate, state per variable, one fused update per step.
 * @example const opt = optimizers.get("rmsprop"); opt.learningRate = 1e-4;
 */
export abstract class Optimizer {
  /** Keras's class name ("RMSprop"). */
  abstract readonly className: string;
  /** The optimizer's name ("rmsprop"). */
  readonly name: string;
  /** The learning rate; callbacks (LearningRateScheduler, ReduceLROnPlateau) change it. */
  learningRate: number;
  /** Updates applied so far (Keras's `optimizer.iterations`). */
  iterations = 0;
  private readonly slots = new Map<Variable, Tensor[]>();

  /** `options` as checkOptions returned them (each optimizer checks its own). */
  constructor(options: OptimizerOptions, defaultLr: number, name: string) {
    const lr = options.learningRate ?? defaultLr;
    if (typeof lr !== "number" || !(lr > 0) || !Number.isFinite(lr)) {
      throw new Error(`${name}: learningRate must be a positive number, received ${String(lr)}`);
    }
    this.learningRate = lr;
    this.name = options.name ?? name.toLowerCase();
  }

  /** Number of state tensors per variable (e.g. 1 for RMSprop's v, 2 for Adam's m and v). */
  protected abstract slotCount(): number;
  /** Initial value of the state (0; Adagrad's accumulator starts at 0.1). */
  protected slotInit(): number {
    return 0;
  }
  /** The fused update over all variables at once. */
  protected abstract update(params: NativeBuffer[], grads: NativeBuffer[], slots: NativeBuffer[][]): void;

  /**
   * Applies one step: `grads[i]` is the gradient of `vars[i]`.
   * @example optimizer.applyGradients(grads, model.trainableWeights)
   */
  applyGradients(grads: Tensor[], vars: Variable[]): void {
    if (grads.length !== vars.length) throw new Error(`${this.className}: ${grads.length} gradients for ${vars.length} variables`);
    const n = this.slotCount();
    const slotBufs: NativeBuffer[][] = Array.from({ length: n }, () => []);
    const params: NativeBuffer[] = [];
    const gradBufs: NativeBuffer[] = [];
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i];
      const g = grads[i];
      if (g.size !== v.size) throw new Error(`${this.className}: gradient of shape [${g.shape.join(", ")}] for variable '${v.name}' of shape [${v.shape.join(", ")}]`);
      let s = this.slots.get(v);
      if (!s) {
        const init = this.slotInit();
        s = Array.from({ length: n }, () => keep(init === 0 ? zeros([...v.shape]) : full([...v.shape], init)));
        this.slots.set(v, s);
      }
      params.push(v.buffer);
      gradBufs.push(g.dtype === "float32" ? g.buffer : g.astype("float32").buffer);
      for (let k = 0; k < n; k++) slotBufs[k].push(s[k].buffer);
    }
    this.iterations++;
    this.update(params, gradBufs, slotBufs);
  }

  /** Number of state tensors each variable gets (RMSprop 1, Adam 2, SGD without momentum 0). */
  get slotsPerVariable(): number {
    return this.slotCount();
  }

  /**
   * The state of `v` in the optimizer's order (Adam: m, v), or null before its first update.
   * Saving a `.keras` file writes it. @internal
   */
  slotsOf(v: Variable): readonly Tensor[] | null {
    return this.slots.get(v) ?? null;
  }

  /**
   * Replaces the state of `v` (loading a `.keras` file's optimizer): one tensor per slot, each of
   * v's shape. @internal
   */
  setSlots(v: Variable, values: readonly Tensor[]): void {
    if (values.length !== this.slotCount()) throw new Error(`${this.className}: ${values.length} state tensors for '${v.name}'; it keeps ${this.slotCount()}`);
    for (const t of values) {
      if (t.size !== v.size) throw new Error(`${this.className}: state of shape [${t.shape.join(", ")}] for '${v.name}' of shape [${v.shape.join(", ")}]`);
    }
    this.slots.set(v, values.map((t) => keep(t)));
  }

  /** Scalars of state, as Keras 3's summary counts them: every slot plus iterations and the learning rate. */
  stateSize(): number {
    let n = 2;
    for (const s of this.slots.values()) for (const t of s) n += t.size;
    return n;
  }

  /** The fused kernels. @internal */
  protected get backend() {
    return backend();
  }

  /** The options that rebuild this optimizer (save/load). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, learningRate: this.learningRate };
  }

  /** The hyper-parameters that define this optimizer besides the learning rate, by their Keras names, for its one line. */
  protected reprFields(): Record<string, unknown> {
    return {};
  }

  /**
   * A Keras-like line: the class, the learning rate (as it is now: callbacks change it) and the
   * defining hyper-parameters.
   * @example String(new optimizers.RMSprop()) // "<RMSprop learning_rate=0.001, rho=0.9>"
   */
  toString(): string {
    return reprLine(this.className, { learning_rate: this.learningRate, ...this.reprFields() });
  }

  /** How console.log, util.inspect and a cell's value show an optimizer: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}
