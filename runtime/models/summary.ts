/**
 * model.summary() in Keras 3's layout: a box-drawn table of layers (name (type), output shape,
 * parameters), then the totals with their sizes in memory (float32, 1024-based units).
 */
import { formatShape, type Shape } from "../layers/symbolic.js";

export interface SummaryRow {
  name: string;
  className: string;
  outputShape: Shape | Shape[] | null;
  params: number;
  built: boolean;
  /** For models with branches: "dense[0][0], input_b[0][0]". */
  connectedTo?: string[];
}

export interface SummaryTotals {
  trainable: number;
  nonTrainable: number;
  /** Optimizer state (shown once the optimizer has been built, as Keras 3 does). */
  optimizer: number | null;
}

/** Keras's readable_memory_size: "1.55 MB", "0.00 B". */
export function readableSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  for (const unit of units) {
    if (v / 1024 < 1) return `${v.toFixed(2)} ${unit}`;
    v /= 1024;
  }
  return `${v.toFixed(2)} ${units[units.length - 1]}`;
}

/** "407,050". */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * A cell's lines as rich wraps them (rich/_wrap.py divide_line with fold off, then
 * Text.truncate): words (with the spaces after them) fill a line while they fit; a word longer
 * than the width gets a line of its own, cut to width − 1 characters and "…".
 * @example wrapCell("input_layer_5[0][0], input_layer_6[0][0]", 17) // ["input_layer_5[0]…", "input_layer_6[0]…"]
 */
export function wrapCell(text: string, width: number): string[] {
  const breaks: number[] = [];
  let offset = 0;
  for (const m of text.matchAll(/\s*\S+\s*/g)) {
    const start = m.index!;
    const word = m[0];
    const length = word.trimEnd().length;
    if (width - offset >= length) offset += word.length;
    else if (length > width || (offset && start)) {
      if (start) breaks.push(start);
      offset = word.length;
    }
  }
  const lines = [0, ...breaks].map((b, i) => text.slice(b, breaks[i] ?? text.length).trimEnd());
  return lines.map((l) => (l.length > width ? l.slice(0, width - 1) + "…" : l));
}

/** Python's round(): halves to even, as rich's ratio_reduce rounds. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The text width of each column, as Keras 3 sizes its rich table: the line is
 * min(88, or 108 with "Connected to", terminal columns − 4) wide — 76 where there is no terminal
 * (a notebook, a pipe: Python's fallback of 80 columns) —, the columns start at 45 % / 80 % / 100 %
 * (30 / 56 / 74 / 100 % with "Connected to") of it, and rich takes the excess of those widths plus
 * padding over the room inside the borders off each column in turn (ratio_reduce, rounding
 * halves to even). 31 / 22 / 13 for three columns, 19 / 17 / 10 / 17 for four.
 * @example columnWidths(76, [0.45, 0.8, 1]) // [31, 22, 13]
 */
export function columnWidths(lineLength: number, positions: readonly number[]): number[] {
  const widths: number[] = [];
  let current = 0;
  for (const p of positions) {
    const w = Math.floor(p * lineLength) - current;
    widths.push(w);
    current += w;
  }
  // Each cell has one space of padding on either side; the borders take columns + 1.
  let cells = widths.map((w) => w + 2);
  const room = lineLength - (widths.length + 1);
  const excess = cells.reduce((a, b) => a + b, 0) - room;
  if (excess > 0) {
    let remaining = excess;
    let ratio = cells.length;
    cells = cells.map((c) => {
      const take = Math.min(c, pyRound(remaining / ratio));
      remaining -= take;
      ratio -= 1;
      return c - take;
    });
  }
  return cells.map((c) => c - 2);
}

/** The summary's line length where there is no terminal (Keras: min(default, 80 − 4)). */
export const SUMMARY_LINE_LENGTH = 76;

/**
 * The summary text. Sequential-like models get three columns; models with branches get a
 * fourth, "Connected to" (widths: columnWidths).
 */
export function formatSummary(modelName: string, rows: SummaryRow[], totals: SummaryTotals, connected: boolean): string {
  const headers = connected ? ["Layer (type)", "Output Shape", "Param #", "Connected to"] : ["Layer (type)", "Output Shape", "Param #"];
  const widths = columnWidths(Math.min(connected ? 108 : 88, SUMMARY_LINE_LENGTH), connected ? [0.3, 0.56, 0.74, 1] : [0.45, 0.8, 1]);
  const right = (i: number) => i === 2;
  const pad = (text: string, i: number) => (right(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const rule = (l: string, mid: string, r: string, ch: string) => l + widths.map((w) => ch.repeat(w + 2)).join(mid) + r;
  const lines: string[] = [`Model: "${modelName}"`];
  lines.push(rule("┏", "┳", "┓", "━"));
  lines.push("┃" + headers.map((h, i) => ` ${pad(h, i)} `).join("┃") + "┃");
  lines.push(rule("┡", "╇", "┩", "━"));
  rows.forEach((r, idx) => {
    const cells = [
      `${r.name} (${r.className})`,
      r.outputShape ? formatShape(r.outputShape) : "?",
      r.built ? formatCount(r.params) : "0 (unbuilt)",
      ...(connected ? [(r.connectedTo ?? []).join(", ") || "-"] : []),
    ];
    const wrapped = cells.map((c, i) => wrapCell(c, widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let k = 0; k < height; k++) {
      lines.push("│" + wrapped.map((w, i) => ` ${pad(w[k] ?? "", i)} `).join("│") + "│");
    }
    if (idx < rows.length - 1) lines.push(rule("├", "┼", "┤", "─"));
  });
  lines.push(rule("└", "┴", "┘", "─"));
  const size = (n: number, bytes: number) => `${formatCount(n)} (${readableSize(bytes)})`;
  // Weights are float32; of the optimizer's, the iteration count is an int64 (8 bytes), the
  // learning rate and the state float32, as Keras counts them.
  const optimizerBytes = totals.optimizer === null ? 0 : 8 + (totals.optimizer - 1) * 4;
  const total = totals.trainable + totals.nonTrainable + (totals.optimizer ?? 0);
  lines.push(` Total params: ${size(total, (totals.trainable + totals.nonTrainable) * 4 + optimizerBytes)}`);
  lines.push(` Trainable params: ${size(totals.trainable, totals.trainable * 4)}`);
  lines.push(` Non-trainable params: ${size(totals.nonTrainable, totals.nonTrainable * 4)}`);
  if (totals.optimizer !== null) lines.push(` Optimizer params: ${size(totals.optimizer, optimizerBytes)}`);
  return lines.join("\n");
}
