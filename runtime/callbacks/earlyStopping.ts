/**
 * EarlyStopping: stops fit when `monitor` (default "val_loss") has not improved by more than
 * `minDelta` for `patience` epochs; with `restoreBestWeights` the model gets back the weights
 * of its best epoch.
 */
import { Callback, improves, resolveMode, type Logs, type MonitorMode } from "./callback.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

export interface EarlyStoppingOptions {
  /** The logged value watched. Default "val_loss". */
  monitor?: string;
  /** The smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** 1 prints when it stops and restores. Default 0. */
  verbose?: number;
  /** "min", "max", or "auto" (max for accuracies, min otherwise). Default "auto". */
  mode?: MonitorMode;
  /** A value the monitored quantity must beat. Default none. */
  baseline?: number;
  /** Put back the weights of the best epoch when stopping. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching (warm-up). Default 0. */
  startFromEpoch?: number;
}

const EARLY_STOPPING_OPTIONS: OptionTable<EarlyStoppingOptions> = {
  monitor: true,
  minDelta: true,
  patience: true,
  verbose: true,
  mode: true,
  baseline: true,
  restoreBestWeights: true,
  startFromEpoch: true,
};

/**
 * Stops training when a monitored value stops improving.
 * @example new callbacks.EarlyStopping({ monitor: "val_loss", patience: 2, restoreBestWeights: true })
 */
export class EarlyStopping extends Callback {
  /** The logged value watched. */
  readonly monitor: string;
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** The smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Whether the best epoch's weights are put back when stopping. */
  readonly restoreBestWeights: boolean;
  /** The epoch fit stopped after (0 when it ran to the end). */
  stoppedEpoch = 0;
  /** The best epoch seen. */
  bestEpoch = 0;
  private readonly mode: "min" | "max";
  private readonly options: EarlyStoppingOptions;
  private wait = 0;
  private best = Infinity;
  private bestWeights: unknown[] | null = null;

  /** @example new callbacks.EarlyStopping({ monitor: "val_loss", patience: 2, restoreBestWeights: true }) */
  constructor(options?: WithSnakeCase<EarlyStoppingOptions>) {
    super();
    const o = checkOptions("EarlyStopping", options, EARLY_STOPPING_OPTIONS);
    this.options = o;
    this.monitor = o.monitor ?? "val_loss";
    this.patience = o.patience ?? 0;
    this.minDelta = Math.abs(o.minDelta ?? 0);
    this.restoreBestWeights = o.restoreBestWeights ?? false;
    this.mode = resolveMode(o.mode ?? "auto", this.monitor);
  }

  protected override reprFields(): Record<string, unknown> {
    return { monitor: this.monitor, patience: this.patience, restore_best_weights: this.restoreBestWeights };
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`EarlyStopping: '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(", ")}); skipping`);
      return;
    }
    if (epoch < (this.options.startFromEpoch ?? 0)) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model.getWeights();
    this.wait++;
    if (improves(this.mode, current, this.best, this.minDelta)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model.getWeights();
      const baseline = this.options.baseline;
      if (baseline === undefined || improves(this.mode, current, baseline, this.minDelta)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) {
        if (this.options.verbose) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
        this.model.setWeights(this.bestWeights as never[]);
      }
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.options.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
  }
}
