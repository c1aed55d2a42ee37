/**
 * Rich representations of the runtime's objects: what a notebook shows when a cell's value is a
 * Tensor, a model or a History. Each returns a MIME bundle with text/plain (terminals, saved
 * notebooks) and, where it helps, text/html. The classes call these from their `[DISPLAY]()`.
 *
 * Keras objects (layers, models, optimizers, losses, metrics, callbacks, History) are shown as
 * Keras shows them in a REPL: one short line, `<Dense name=dense, units=512, activation=relu,
 * built=True>`, through `reprLine`. Their text/plain is that line everywhere: a cell's value,
 * `console.log`, `${layer}`, and inside arrays (`model.layers`). A model's and a History's
 * text/html keep their tables (the summary, the per-epoch logs).
 *
 * Tensors are taken structurally (anything with shape, dtype, toString and toArray) so this file
 * does not import the tensor module that imports it.
 */
import type { MimeBundle } from "./sink.js";
import { escapeHtml } from "./html.js";
import { formatValue } from "./progbar-format.js";

/**
 * Keras's one-line form of an object: the class, then `key=value` pairs in the order given
 * (undefined values are left out). Keras 3 prints `<Dense name=dense, built=True>`; tsdl adds the
 * few options that define the object between the name and `built` (issue 18's example).
 * @example reprLine("Dense", { name: "dense", units: 512, activation: "relu", built: true }) // "<Dense name=dense, units=512, activation=relu, built=True>"
 * @example reprLine("Flatten", {}) // "<Flatten>"
 */
export function reprLine(className: string, fields: Record<string, unknown>): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${reprValue(v)}`);
  return parts.length === 0 ? `<${className}>` : `<${className} ${parts.join(", ")}>`;
}

/**
 * One value as Keras's reprs print it: Python's True/False/None, names without quotes, lists in
 * brackets, a function by its name.
 * @example reprValue([true, null, "relu", 0.001]) // "[True, None, relu, 0.001]"
 */
export function reprValue(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null) return "None";
  if (Array.isArray(v)) return `[${v.map(reprValue).join(", ")}]`;
  if (typeof v === "function") return v.name || "<function>";
  return String(v);
}

/** What reprs need from a tensor. */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  toString(): string;
  toArray(): unknown;
}

/** Largest 2-D tensor shown as an HTML table (rows, columns); bigger ones show their text. */
export const HTML_TABLE_LIMIT = { rows: 20, cols: 20 };

/**
 * A tensor's bundle: NumPy-like text/plain, and an HTML table with a shape/dtype caption for
 * small 2-D tensors.
 * @example tensorBundle(tensor([[1, 2], [3, 4]]))["text/html"] // "<table …><caption>Tensor shape=[2, 2] dtype=float32</caption>…"
 */
export function tensorBundle(t: TensorLike): MimeBundle {
  const bundle: MimeBundle = { "text/plain": t.toString() };
  if (t.shape.length === 2 && t.shape[0] <= HTML_TABLE_LIMIT.rows && t.shape[1] <= HTML_TABLE_LIMIT.cols) {
    const rows = t.toArray() as unknown[][];
    const body = rows
      .map((row, i) => `<tr><th>${i}</th>${row.map((v) => `<td>${escapeHtml(formatCell(v, t.dtype))}</td>`).join("")}</tr>`)
      .join("");
    const head = `<tr><th></th>${Array.from({ length: t.shape[1] }, (_, j) => `<th>${j}</th>`).join("")}</tr>`;
    bundle["text/html"] =
      `<table class="tsdl-tensor" style="font-family:var(--jp-code-font-family,monospace);text-align:right">` +
      `<caption style="text-align:left">Tensor shape=[${t.shape.join(", ")}] dtype=${escapeHtml(t.dtype)}</caption>` +
      `<thead>${head}</thead><tbody>${body}</tbody></table>`;
  }
  return bundle;
}

/** One table cell: integers as integers, floats with up to 6 significant digits, booleans as words. */
function formatCell(v: unknown, dtype: string): string {
  if (typeof v === "boolean") return String(v);
  if (typeof v !== "number") return String(v);
  if (dtype === "bool") return v !== 0 ? "true" : "false";
  if (dtype !== "float32" || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/**
 * A model's bundle: its one-line repr as text/plain (what Keras prints for `model`), and its
 * summary (Keras's box table) as an HTML table with the totals below, which JupyterLab and the
 * classic Notebook show in its place.
 * @example modelBundle("<Sequential name=sequential, built=True>", model.summaryText())
 */
export function modelBundle(line: string, summaryText: string): MimeBundle {
  return { "text/plain": line, "text/html": summaryHtml(summaryText) };
}

/** Turns the box-drawn summary into an HTML table; falls back to preformatted text if it has no table. */
function summaryHtml(text: string): string {
  const lines = text.split("\n");
  const cells = (line: string) => line.slice(1, -1).split(/[│┃]/).map((c) => c.trim());
  const header = lines.find((l) => l.startsWith("┃"));
  const rows = lines.filter((l) => l.startsWith("│"));
  const pre = (s: string) => `<pre style="margin:0">${escapeHtml(s)}</pre>`;
  if (header === undefined) return pre(text);
  const first = lines.findIndex((l) => /^[┏┌]/.test(l));
  const last = lines.findLastIndex((l) => /^[└┗]/.test(l));
  const before = lines.slice(0, Math.max(first, 0)).filter((l) => l.trim() !== "");
  const after = lines.slice(last + 1).filter((l) => l.trim() !== "");
  const numeric = (i: number) => i === cells(header).length - 1;
  const td = (c: string, i: number, tag: string) =>
    `<${tag} style="text-align:${numeric(i) ? "right" : "left"};padding:2px 12px">${escapeHtml(c)}</${tag}>`;
  return (
    `<div class="tsdl-summary">` +
    before.map((l) => `<div><b>${escapeHtml(l.trim())}</b></div>`).join("") +
    `<table style="border-collapse:collapse"><thead><tr>${cells(header).map((c, i) => td(c, i, "th")).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${cells(r).map((c, i) => td(c, i, "td")).join("")}</tr>`).join("")}</tbody></table>` +
    after.map((l) => `<div>${escapeHtml(l.trim())}</div>`).join("") +
    `</div>`
  );
}

/** What historyBundle needs: Keras's `history.history` (per-epoch lists) and `history.epoch`. */
export interface HistoryLike {
  history: Record<string, number[]>;
  epoch: number[];
}

/**
 * A History's one line: `<History epochs=5, metrics=[accuracy, loss]>` (the keys of
 * `history.history`, in the order fit logged them).
 * @example historyLine({ history: { loss: [0.3, 0.1] }, epoch: [0, 1] }) // "<History epochs=2, metrics=[loss]>"
 */
export function historyLine(history: HistoryLike): string {
  return reprLine("History", { epochs: history.epoch.length, metrics: Object.keys(history.history) });
}

/**
 * A History's bundle: its one line as text/plain, and a small table of its per-epoch logs
 * (epochs counted from 1, as printed) as text/html.
 * @example historyBundle({ history: { loss: [0.3, 0.1] }, epoch: [0, 1] })["text/plain"] // "<History epochs=2, metrics=[loss]>"
 */
export function historyBundle(history: HistoryLike): MimeBundle {
  return { "text/plain": historyLine(history), "text/html": historyTable(history).html };
}

/**
 * The per-epoch logs as a text table and an HTML table.
 * @example historyTable({ history: { loss: [0.3, 0.1] }, epoch: [0, 1] }).text
 * // "History (2 epochs)\nepoch  loss\n    1  0.3000\n    2  0.1000"
 */
export function historyTable(history: HistoryLike): { text: string; html: string } {
  const keys = Object.keys(history.history);
  const n = history.epoch.length;
  const header = ["epoch", ...keys];
  const rows = history.epoch.map((e, i) => [String(e + 1), ...keys.map((k) => cellOf(history.history[k][i]))]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => c.padStart(widths[j])).join("  ");
  const title = `History (${n} epoch${n === 1 ? "" : "s"})`;
  const text = [title, line(header), ...rows.map(line)].join("\n");
  const th = (c: string) => `<th style="text-align:right">${escapeHtml(c)}</th>`;
  const td = (c: string) => `<td style="text-align:right;font-family:var(--jp-code-font-family,monospace)">${escapeHtml(c)}</td>`;
  const html =
    `<table class="tsdl-history"><caption style="text-align:left">${escapeHtml(title)}</caption>` +
    `<thead><tr>${header.map(th).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("")}</tbody></table>`;
  return { text, html };
}

function cellOf(v: number | undefined): string {
  return v === undefined ? "" : formatValue(v);
}
