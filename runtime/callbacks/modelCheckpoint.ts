/**
 * ModelCheckpoint: saves the model (or its weights) at the end of each epoch, or only when
 * `monitor` improves (`saveBestOnly`). The path may hold Keras's placeholders:
 * "ckpt/epoch{epoch:02d}-{val_loss:.2f}".
 */
import { Callback, improves, resolveMode, type Logs, type MonitorMode } from "./callback.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

export interface ModelCheckpointOptions {
  /** The logged value compared with saveBestOnly. Default "val_loss". */
  monitor?: string;
  /** 1 prints each save. Default 0. */
  verbose?: number;
  /** Save only when the monitored value improves. Default false. */
  saveBestOnly?: boolean;
  /** Save weights only (saveWeights) instead of the whole model. Default false. */
  saveWeightsOnly?: boolean;
  /** "min", "max" or "auto". Default "auto". */
  mode?: MonitorMode;
}

const MODEL_CHECKPOINT_OPTIONS: OptionTable<ModelCheckpointOptions> = { monitor: true, verbose: true, saveBestOnly: true, saveWeightsOnly: true, mode: true };

/**
 * Fills `{epoch}`, `{epoch:02d}`, `{val_loss:.4f}` as Python's str.format would (epoch counted from 1).
 * @example formatCheckpointPath("ckpt-{epoch:02d}", 0, {}) // "ckpt-01"
 */
export function formatCheckpointPath(path: string, epoch: number, logs: Logs): string {
  return path.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, key: string, spec: string | undefined) => {
    const value = key === "epoch" ? epoch + 1 : logs[key];
    if (value === undefined) return whole;
    if (!spec) return String(value);
    const m = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec);
    if (!m) return String(value);
    const [, zero, width, prec, type] = m;
    let s = type === "d" ? String(Math.round(value)) : type === "e" ? value.toExponential(Number(prec ?? 6)) : value.toFixed(Number(prec ?? 6));
    if (width) s = s.padStart(Number(width), zero ? "0" : " ");
    return s;
  });
}

/**
 * Saves the model (or its weights) at the end of epochs.
 * @example new callbacks.ModelCheckpoint("best-model", { saveBestOnly: true })
 */
export class ModelCheckpoint extends Callback {
  /** The folder path, with optional `{epoch:02d}` / `{val_loss:.2f}` placeholders. */
  readonly filepath: string;
  /** The logged value compared with saveBestOnly. */
  readonly monitor: string;
  /** Whether only improvements are saved. */
  readonly saveBestOnly: boolean;
  /** Whether only the weights are saved. */
  readonly saveWeightsOnly: boolean;
  private readonly mode: "min" | "max";
  private readonly verbose: number;
  private best = NaN;

  /** @example new callbacks.ModelCheckpoint("best-model", { saveBestOnly: true }) */
  constructor(filepath: string, options?: WithSnakeCase<ModelCheckpointOptions>) {
    super();
    if (typeof filepath !== "string" || filepath === "") throw new Error(`ModelCheckpoint: filepath must be a non-empty string, received ${JSON.stringify(filepath)}`);
    const o = checkOptions("ModelCheckpoint", options, MODEL_CHECKPOINT_OPTIONS);
    this.filepath = filepath;
    this.monitor = o.monitor ?? "val_loss";
    this.saveBestOnly = o.saveBestOnly ?? false;
    this.saveWeightsOnly = o.saveWeightsOnly ?? false;
    this.mode = resolveMode(o.mode ?? "auto", this.monitor);
    this.verbose = o.verbose ?? 0;
  }

  protected override reprFields(): Record<string, unknown> {
    return { filepath: this.filepath, monitor: this.monitor, save_best_only: this.saveBestOnly };
  }

  override onTrainBegin(): void {
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const path = formatCheckpointPath(this.filepath, epoch, logs);
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        console.warn(`ModelCheckpoint: can save best model only with '${this.monitor}' available (logs have ${Object.keys(logs).join(", ")}); skipping`);
        return;
      }
      if (!improves(this.mode, current, this.best, 0)) {
        if (this.verbose) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best.toFixed(5)}`);
        return;
      }
      if (this.verbose) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${this.best.toFixed(5)} to ${current.toFixed(5)}, saving model to ${path}`);
      this.best = current;
    }
    if (this.saveWeightsOnly) this.model.saveWeights(path);
    else this.model.save(path);
  }
}
