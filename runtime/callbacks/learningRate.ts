/**
 * Learning-rate callbacks.
 * - LearningRateScheduler: at each epoch's start, lr = schedule(epoch, lr).
 * - ReduceLROnPlateau: lr = max(lr · factor, minLr) when `monitor` has not improved for
 *   `patience` epochs, then waits `cooldown` epochs.
 */
import { Callback, improves, resolveMode, type Logs, type MonitorMode } from "./callback.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

/**
 * Sets the learning rate at the start of each epoch from a schedule (epoch, lr) → lr.
 * @example new callbacks.LearningRateScheduler((epoch, lr) => epoch < 2 ? lr : lr * 0.5)
 */
export class LearningRateScheduler extends Callback {
  /** @example new callbacks.LearningRateScheduler((epoch, lr) => epoch < 2 ? lr : lr * 0.5) */
  constructor(private readonly schedule: (epoch: number, lr: number) => number, private readonly verbose = 0) {
    super();
    if (typeof schedule !== "function") throw new Error(`LearningRateScheduler: schedule must be a function (epoch, lr) => lr, received ${typeof schedule}`);
  }

  protected override reprFields(): Record<string, unknown> {
    return { schedule: this.schedule };
  }

  override onEpochBegin(epoch: number): void {
    const opt = this.model.optimizer;
    if (!opt) throw new Error("LearningRateScheduler: the model has no optimizer; compile it first");
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== "number" || !Number.isFinite(lr) || lr <= 0) {
      throw new Error(`LearningRateScheduler: the schedule returned ${String(lr)} for epoch ${epoch}; expected a positive number`);
    }
    opt.learningRate = lr;
    if (this.verbose) console.log(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    if (this.model.optimizer) logs.learning_rate = this.model.optimizer.learningRate;
  }
}

export interface ReduceLROnPlateauOptions {
  /** The logged value watched. Default "val_loss". */
  monitor?: string;
  /** The rate is multiplied by this. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  /** 1 prints each reduction. Default 0. */
  verbose?: number;
  /** "min", "max" or "auto". Default "auto". */
  mode?: MonitorMode;
  /** The smallest change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction. Default 0. */
  cooldown?: number;
  /** The rate never goes below this. Default 0. */
  minLr?: number;
}

const REDUCE_LR_ON_PLATEAU_OPTIONS: OptionTable<ReduceLROnPlateauOptions> = {
  monitor: true,
  factor: true,
  patience: true,
  verbose: true,
  mode: true,
  minDelta: true,
  cooldown: true,
  minLr: true,
};

/**
 * Reduces the learning rate when a monitored value stops improving.
 * @example new callbacks.ReduceLROnPlateau({ monitor: "val_loss", factor: 0.2, patience: 5 })
 */
export class ReduceLROnPlateau extends Callback {
  /** The logged value watched. */
  readonly monitor: string;
  /** The rate is multiplied by this. */
  readonly factor: number;
  /** Epochs without improvement before reducing. */
  readonly patience: number;
  /** The smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Epochs to wait after a reduction. */
  readonly cooldown: number;
  /** The lowest rate. */
  readonly minLr: number;
  private readonly mode: "min" | "max";
  private readonly verbose: number;
  private best = Infinity;
  private wait = 0;
  private cooldownCounter = 0;

  /** @example new callbacks.ReduceLROnPlateau({ monitor: "val_loss", factor: 0.2, patience: 5 }) */
  constructor(options?: WithSnakeCase<ReduceLROnPlateauOptions>) {
    super();
    const o = checkOptions("ReduceLROnPlateau", options, REDUCE_LR_ON_PLATEAU_OPTIONS);
    this.monitor = o.monitor ?? "val_loss";
    this.factor = o.factor ?? 0.1;
    if (!(this.factor < 1 && this.factor > 0)) throw new Error(`ReduceLROnPlateau: factor must be in (0, 1), received ${this.factor}`);
    this.patience = o.patience ?? 10;
    this.minDelta = o.minDelta ?? 1e-4;
    this.cooldown = o.cooldown ?? 0;
    this.minLr = o.minLr ?? 0;
    this.mode = resolveMode(o.mode ?? "auto", this.monitor);
    this.verbose = o.verbose ?? 0;
  }

  protected override reprFields(): Record<string, unknown> {
    return { monitor: this.monitor, factor: this.factor, patience: this.patience };
  }

  override onTrainBegin(): void {
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const opt = this.model.optimizer;
    if (opt) logs.learning_rate = opt.learningRate;
    const current = logs[this.monitor];
    if (current === undefined || !opt) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (improves(this.mode, current, this.best, this.minDelta)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait++;
      if (this.wait >= this.patience && opt.learningRate > this.minLr) {
        const lr = Math.max(opt.learningRate * this.factor, this.minLr);
        opt.learningRate = lr;
        if (this.verbose) console.log(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}
