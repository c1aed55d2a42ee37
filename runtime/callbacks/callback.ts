/**
 * Callbacks: hooks fit calls at the start and end of training, epochs and batches, with the
 * logs Keras passes (`{ loss, accuracy, val_loss, val_accuracy }`). Subclass `Callback`, or pass
 * a plain object with any of the hooks: `{ onEpochEnd(epoch, logs) { … } }`.
 */
import { inspect } from "node:util";
import { reprLine } from "../display/reprs.js";

/** Per-epoch or per-batch values: "loss", "accuracy", "val_loss", … */
export type Logs = Record<string, number>;

/** What callbacks may use of the model being trained. */
export interface CallbackModel {
  /** Set to true to stop fit after the current epoch (EarlyStopping does). */
  stopTraining: boolean;
  /** The compiled optimizer; its learningRate may be changed between epochs. */
  optimizer: { learningRate: number } | null;
  /** Copies of every weight. */
  getWeights(): unknown[];
  /** Replaces every weight. */
  setWeights(weights: never[]): void;
  /** Saves the whole model into a folder. */
  save(path: string): void;
  /** Saves only the weights into a folder. */
  saveWeights(path: string): void;
}

/** Training parameters fit passes to callbacks (Keras's `self.params`). */
export interface CallbackParams {
  /** Epochs fit will run. */
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  /** fit's verbose setting (0, 1 or 2). */
  verbose: number;
}

/** The hooks a callback may implement; all optional, all may be async (fit awaits them). */
export interface CallbackHooks {
  /** Before the first epoch. */
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  /** After the last epoch, with its logs. */
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  /** At the start of each epoch (counted from 0). */
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  /** At the end of each epoch with `{ loss, accuracy, val_loss, … }`. */
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  /** Before each training batch (counted from 0 within the epoch). */
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  /** After each training batch, with the running loss and metrics. */
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /** Keras's name for onBatchBegin (takes precedence when both are given). */
  onTrainBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  /** Keras's name for onBatchEnd (takes precedence when both are given). */
  onTrainBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/**
 * The base class; fit sets `model` and `params` before onTrainBegin.
 * @example class Printer extends Callback { override onEpochEnd(e: number, logs?: Logs) { console.log(e, logs); } }
 */
export class Callback implements CallbackHooks {
  /** The model being trained (set by fit). */
  model!: CallbackModel;
  /** fit's parameters: epochs, steps per epoch, verbose. */
  params!: CallbackParams;
  /** Called by fit before training. */
  setModel(model: CallbackModel): void {
    this.model = model;
  }
  /** Called by fit before training. */
  setParams(params: CallbackParams): void {
    this.params = params;
  }
  /** Before the first epoch. */
  onTrainBegin(_logs?: Logs): void | Promise<void> {}
  /** After the last epoch, with its logs. */
  onTrainEnd(_logs?: Logs): void | Promise<void> {}
  /** At the start of each epoch (counted from 0). */
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /** At the end of each epoch with `{ loss, accuracy, val_loss, … }`; may add entries to logs. */
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /** Before each training batch (counted from 0 within the epoch). */
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}
  /** After each training batch, with the running loss and metrics. */
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}
  /** Keras's name for the hook before each training batch (what fit calls); by default it calls onBatchBegin, so overriding either works. */
  onTrainBatchBegin(batch: number, logs?: Logs): void | Promise<void> {
    return this.onBatchBegin(batch, logs);
  }
  /** Keras's name for the hook after each training batch (what fit calls); by default it calls onBatchEnd, so overriding either works. */
  onTrainBatchEnd(batch: number, logs?: Logs): void | Promise<void> {
    return this.onBatchEnd(batch, logs);
  }

  /** The few options that define this callback, by their Keras names, for its one line. */
  protected reprFields(): Record<string, unknown> {
    return {};
  }

  /**
   * A Keras-like line: the class and its defining options (a subclass of your own shows its class).
   * @example String(new callbacks.EarlyStopping({ patience: 2 })) // "<EarlyStopping monitor=val_loss, patience=2, restore_best_weights=False>"
   */
  toString(): string {
    return reprLine(this.constructor.name, this.reprFields());
  }

  /** How console.log, util.inspect and a cell's value show a callback: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Mode of a monitored quantity: "min" for losses, "max" for accuracies; "auto" guesses from the name. */
export type MonitorMode = "auto" | "min" | "max";

/** Whether `current` improves on `best` by more than `minDelta` in this mode. */
export function improves(mode: "min" | "max", current: number, best: number, minDelta: number): boolean {
  return mode === "min" ? current < best - minDelta : current > best + minDelta;
}

/** Keras's "auto": max for names with acc/auc/precision/recall, else min. */
export function resolveMode(mode: MonitorMode, monitor: string): "min" | "max" {
  if (mode === "min" || mode === "max") return mode;
  if (mode !== "auto") throw new Error(`callbacks: mode must be 'auto', 'min' or 'max', received '${String(mode)}'`);
  return /acc|auc|precision|recall/.test(monitor) ? "max" : "min";
}
