/**
 * Callbacks: hooks fit calls at the start and end of training, epochs and batches, with the
 * logs Keras passes (`{ loss, accuracy, val_loss, val_accuracy }`). Subclass `Callback`, or pass
 * a plain object with any of the hooks: `{ onEpochEnd(epoch, logs) { … } }`.
 */

/** Per-epoch or per-batch values: "loss", "accuracy", "val_loss", … */
export type Logs = Record<string, number>;

/** What callbacks may use of the model being trained. */
export interface CallbackModel {
  /** Set to true to stop fit after the current epoch (EarlyStopping does). */
  stopTraining: boolean;
  optimizer: { learningRate: number } | null;
  getWeights(): unknown[];
  setWeights(weights: never[]): void;
  save(path: string): void;
  saveWeights(path: string): void;
}

/** Training parameters fit passes to callbacks (Keras's `self.params`). */
export interface CallbackParams {
  epochs: number;
  steps: number;
  verbose: number;
}

/** The hooks a callback may implement; all optional, all may be async (fit awaits them). */
export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  onTrainBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onTrainBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/**
 * The base class; fit sets `model` and `params` before onTrainBegin.
 * @example class Printer extends Callback { override onEpochEnd(e: number, logs?: Logs) { console.log(e, logs); } }
 */
export class Callback implements CallbackHooks {
  model!: CallbackModel;
  params!: CallbackParams;
  setModel(model: CallbackModel): void {
    this.model = model;
  }
  setParams(params: CallbackParams): void {
    this.params = params;
  }
  onTrainBegin(_logs?: Logs): void | Promise<void> {}
  onTrainEnd(_logs?: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}
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
