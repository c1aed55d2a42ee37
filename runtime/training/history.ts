/**
 * History: what fit returns — per-epoch lists of every logged value, as Keras's
 * `history.history` (`loss`, `accuracy`, `val_loss`, `val_accuracy`, …) and `history.epoch`.
 */
import { DISPLAY, type MimeBundle } from "../display/sink.js";
import { historyBundle, historyLine } from "../display/reprs.js";
import { Callback, type Logs } from "../callbacks/callback.js";
import { plot, type HistoryPlotOptions } from "../plot/index.js";
import type { WithSnakeCase } from "../options.js";

/**
 * What fit returns: per-epoch logs in `history`, epochs in `epoch`.
 * @example const history = await model.fit(x, y, { epochs: 5 }); history.history.loss
 */
export class History extends Callback {
  /** Per-epoch values by name. @example history.history.val_accuracy.at(-1) */
  history: Record<string, number[]> = {};
  /** The epochs run, counted from 0 (as Keras). */
  epoch: number[] = [];
  /** The fit parameters (epochs, steps, verbose). */
  declare params: { epochs: number; steps: number; verbose: number };

  override onTrainBegin(): void {
    // Keras keeps appending when fit is called again on the same History; a new fit makes a new one.
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }

  /**
   * Draws the learning curves (loss and metrics, training and validation) inline; the options
   * are plot(history)'s.
   * @example history.plot({ metrics: ["accuracy"] })
   */
  plot(options?: WithSnakeCase<HistoryPlotOptions>): Promise<void> {
    return plot(this, options);
  }

  /** A cell's value: the one line as text/plain, the per-epoch logs as an HTML table. */
  [DISPLAY](): MimeBundle {
    return historyBundle(this);
  }

  /**
   * A Keras-like line: the epochs run and the names logged.
   * @example String(history) // "<History epochs=5, metrics=[accuracy, loss]>"
   */
  override toString(): string {
    return historyLine(this);
  }
}
