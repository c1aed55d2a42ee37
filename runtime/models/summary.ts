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

function wrapCell(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    // Break at the last space or comma inside the width when there is one, as rich does.
    let cut = Math.max(rest.lastIndexOf(" ", width), rest.lastIndexOf(",", width - 1) + 1);
    if (cut <= 0) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/**
 * The summary text. Sequential-like models get three columns (widths as Keras prints them in an
 * 80-column terminal); models with branches get a fourth, "Connected to".
 */
export function formatSummary(modelName: string, rows: SummaryRow[], totals: SummaryTotals, connected: boolean): string {
  const headers = connected ? ["Layer (type)", "Output Shape", "Param #", "Connected to"] : ["Layer (type)", "Output Shape", "Param #"];
  const widths = connected ? [23, 20, 11, 22] : [31, 22, 13];
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
  const size = (n: number) => `${formatCount(n)} (${readableSize(n * 4)})`;
  const total = totals.trainable + totals.nonTrainable + (totals.optimizer ?? 0);
  lines.push(` Total params: ${size(total)}`);
  lines.push(` Trainable params: ${size(totals.trainable)}`);
  lines.push(` Non-trainable params: ${size(totals.nonTrainable)}`);
  if (totals.optimizer !== null) lines.push(` Optimizer params: ${size(totals.optimizer)}`);
  return lines.join("\n");
}
