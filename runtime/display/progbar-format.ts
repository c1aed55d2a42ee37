/**
 * The pure text of Keras's progress bar (keras/src/utils/progbar.py, Keras 3), kept apart from
 * the Progbar class so every string can be tested exactly without a clock or a display.
 *
 * A line reads `469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.9252 - loss: 0.2580`:
 * the count right-aligned to the target's width, a 20-cell bar, the ETA while running or the
 * elapsed time at the end, the time per step, then the metrics in the order they were given.
 */

/** Cells in the bar, as Keras. */
export const BAR_WIDTH = 20;

/** The bar character Keras draws for both the done and the remaining cells (color tells them apart). */
export const BAR_CHAR = "━";

/**
 * The step counter, right-aligned to the width of the target.
 * @example formatCount(7, 469) // "  7/469"
 */
export function formatCount(current: number, target: number): string {
  const digits = String(Math.trunc(target)).length;
  return `${String(Math.trunc(current)).padStart(digits)}/${Math.trunc(target)}`;
}

/**
 * How many of the bar's cells are done: `floor(width · current / target)`, as Keras (no partial cell).
 * @example barCells(234, 469) // { done: 9, rest: 11 }
 */
export function barCells(current: number, target: number, width = BAR_WIDTH): { done: number; rest: number } {
  const progress = target > 0 ? Math.min(Math.max(current / target, 0), 1) : 0;
  const done = Math.floor(width * progress);
  return { done, rest: width - done };
}

/**
 * The remaining time while an epoch runs: `12s`, `1:05`, `1:02:03` (seconds truncated, as `%d`).
 * @example formatEta(65.4) // "1:05"
 */
export function formatEta(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const two = (n: number) => String(Math.floor(n)).padStart(2, "0");
  if (s > 3600) return `${Math.floor(s / 3600)}:${two((s % 3600) / 60)}:${two(s % 60)}`;
  if (s > 60) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  return `${Math.floor(s)}s`;
}

/**
 * The elapsed time shown once an epoch is done: whole seconds, rounded (`%.0f`).
 * @example formatElapsed(1.6) // "2s"
 */
export function formatElapsed(seconds: number): string {
  return `${roundHalfEven(Math.max(seconds, 0))}s`;
}

/**
 * Time per step in s, ms or us, as Keras picks the unit (0 shows as `0s`).
 * @example formatTimePerStep(0.0042) // "4ms/step"
 */
export function formatTimePerStep(seconds: number, unit = "step"): string {
  if (seconds >= 1 || seconds === 0 || !Number.isFinite(seconds)) return `${roundHalfEven(seconds)}s/${unit}`;
  if (seconds >= 1e-3) return `${roundHalfEven(seconds * 1e3)}ms/${unit}`;
  return `${roundHalfEven(seconds * 1e6)}us/${unit}`;
}

/**
 * A metric value as Keras prints it: `%.4f`, or `%.4e` when |v| ≤ 1e-3 (zero included).
 * @example formatValue(0.25803) // "0.2580"
 * @example formatValue(0.00012345) // "1.2345e-04"
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Math.abs(v) > 1e-3) return v.toFixed(4);
  // Python's %e writes at least two exponent digits (1.2345e-04); JavaScript writes one.
  const [mantissa, exponent] = v.toExponential(4).split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
}

/**
 * The metrics tail: ` - accuracy: 0.9252 - loss: 0.2580`.
 * @example formatValues([["loss", 0.25]]) // " - loss: 0.2500"
 */
export function formatValues(values: readonly (readonly [string, number])[]): string {
  return values.map(([name, v]) => ` - ${name}: ${formatValue(v)}`).join("");
}

/** The pieces of one verbose-1 line, so renderers can style them (bold count, green bar). */
export interface ProgressParts {
  count: string;
  done: number;
  rest: number;
  /** ETA while running, elapsed time once finished. */
  time: string;
  perStep: string;
  values: string;
}

/** What a progress line is made from. */
export interface ProgressState {
  current: number;
  target: number;
  /** Seconds since the epoch began. */
  elapsed: number;
  /** Seconds per step (Keras leaves the first step out once there is a second). */
  timePerStep: number;
  values: readonly (readonly [string, number])[];
  finished: boolean;
  unit?: string;
}

/** Splits a verbose-1 line into its styled pieces. */
export function progressParts(s: ProgressState): ProgressParts {
  const { done, rest } = barCells(s.current, s.target);
  return {
    count: formatCount(s.current, s.target),
    done,
    rest,
    time: s.finished ? formatElapsed(s.elapsed) : formatEta(s.timePerStep * (s.target - s.current)),
    perStep: formatTimePerStep(s.timePerStep, s.unit),
    values: formatValues(s.values),
  };
}

/**
 * The plain verbose-1 line (no colors).
 * @example progressLine({ current: 469, target: 469, elapsed: 2.1, timePerStep: 0.004, values: [["loss", 0.258]], finished: true })
 * // "469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - loss: 0.2580"
 */
export function progressLine(s: ProgressState): string {
  const p = progressParts(s);
  return `${p.count} ${BAR_CHAR.repeat(p.done + p.rest)} ${p.time} ${p.perStep}${p.values}`;
}

/**
 * The verbose-1 line for a terminal, colored as Keras colors it: bold count and time, the done
 * cells green and the remaining ones light gray.
 */
export function progressLineAnsi(s: ProgressState): string {
  const p = progressParts(s);
  const done = p.done > 0 ? `\x1b[32m${BAR_CHAR.repeat(p.done)}\x1b[0m` : "";
  const rest = `\x1b[37m${BAR_CHAR.repeat(p.rest)}\x1b[0m`;
  return `\x1b[1m${p.count}\x1b[0m ${done}${rest} \x1b[1m${p.time}\x1b[0m ${p.perStep}${p.values}`;
}

/**
 * A value in verbose 2's line. Keras compares the value itself, not its magnitude, with 1e-3
 * there (`avg > 1e-3`, where verbose 1 tests `abs(avg)`), so a negative value prints as `%.4e`:
 * `-5.0000e-01`. tsdl prints what Keras prints.
 * @example formatValueVerbose2(-0.5) // "-5.0000e-01"
 */
export function formatValueVerbose2(v: number): string {
  if (v > 1e-3) return Number.isFinite(v) ? v.toFixed(4) : "inf";
  return Math.abs(v) > 1e-3 && Number.isFinite(v) ? exponent(v) : formatValue(v);
}

/** `%.4e` with Python's two-digit exponent. */
function exponent(v: number): string {
  const [mantissa, e] = v.toExponential(4).split("e");
  return `${mantissa}e${e.startsWith("-") ? "-" : "+"}${e.replace(/^[+-]/, "").padStart(2, "0")}`;
}

/**
 * The one line per epoch of verbose 2.
 * @example verbose2Line({ current: 469, target: 469, elapsed: 1.2, timePerStep: 0.002, values: [["loss", 0.1]], finished: true })
 * // "469/469 - 1s - 2ms/step - loss: 0.1000"
 */
export function verbose2Line(s: ProgressState): string {
  const values = s.values.map(([name, v]) => ` - ${name}: ${formatValueVerbose2(v)}`).join("");
  return `${formatCount(s.current, s.target)} - ${formatElapsed(s.elapsed)} - ${formatTimePerStep(s.timePerStep, s.unit)}${values}`;
}

/**
 * The epoch header Keras prints before each epoch's bar.
 * @example epochHeader(0, 5) // "Epoch 1/5"
 */
export function epochHeader(epoch: number, epochs: number): string {
  return `Epoch ${epoch + 1}/${epochs}`;
}

/** Python's round() (banker's rounding at exact halves), which `%.0f` follows. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
