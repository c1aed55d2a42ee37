/**
 * The printed form of a tensor, modelled on NumPy's array repr:
 *
 *   tensor([[ 2., -1.],
 *           [ 1.,  2.]], shape=[2, 2], dtype=float32)
 *
 * As NumPy: line width 75; above 1000 elements each axis longer than 6 shows its first and last
 * 3 entries around `...`; floats use the shortest digits that identify the float32 value (at
 * most 8 after the point), switch to scientific notation when the magnitudes span more than
 * 10³ or reach 1e8 or fall below 1e-4, and align on the decimal point; integers print without
 * a decimal point. Only the elements shown are read from the backend.
 */
import type { HostArray } from "../backend/backend.js";
import { backend } from "./engine.js";
import type { Tensor } from "./tensor.js";

const PREFIX = "tensor(";
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** A nested list of shown values; `null` marks the `...` of an elided stretch. */
type Shown = number | null | Shown[];

/** The NumPy-like repr of `t`. @example formatTensor(tensor([1, 2])) // "tensor([1., 2.], shape=[2], dtype=float32)" */
export function formatTensor(t: Tensor): string {
  const tail = `shape=[${t.shape.join(", ")}], dtype=${t.dtype})`;
  if (t.size === 0) return `${PREFIX}[], ${tail}`;
  const summarize = t.size > THRESHOLD;
  const shown = fetchShown(t, summarize);
  const values: number[] = [];
  collect(shown, values);
  const fmt = t.dtype === "float32" ? floatFormatter(values) : t.dtype === "bool" ? boolFormatter(values) : intFormatter(values);
  let body: string;
  if (t.ndim === 0) body = fmt(shown as number);
  else {
    // NumPy's array2string: the suffix "," is taken off the width; continuation lines align under the first "[".
    body = formatArray(shown as Shown[], t.ndim, fmt, " ".repeat(PREFIX.length + 1), LINE_WIDTH - 1);
  }
  const head = PREFIX + body + ",";
  const lastLine = head.length - (head.lastIndexOf("\n") + 1);
  const spacer = lastLine + tail.length + 1 > LINE_WIDTH ? "\n" + " ".repeat(PREFIX.length) : " ";
  return head + spacer + tail;
}

/** The shown elements as nested lists (the whole tensor, or the edges of each long axis). */
function fetchShown(t: Tensor, summarize: boolean): Shown {
  const shape = t.shape;
  if (!summarize) return t.toArray() as Shown;
  const be = backend();
  const buf = t.buffer;
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = s;
    s *= shape[a];
  }
  const HostCtor = t.dtype === "float32" ? Float32Array : t.dtype === "int32" ? Int32Array : Uint8Array;
  const readRow = (offset: number, n: number): number[] => {
    const out = new HostCtor(n) as HostArray;
    be.download(buf, out, offset);
    return Array.from(out);
  };
  const walk = (axis: number, offset: number): Shown[] => {
    const n = shape[axis];
    const elide = n > 2 * EDGE_ITEMS;
    if (axis === shape.length - 1) {
      if (!elide) return readRow(offset, n);
      return [...readRow(offset, EDGE_ITEMS), null, ...readRow(offset + n - EDGE_ITEMS, EDGE_ITEMS)];
    }
    const idx = elide ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
    return idx.map((i) => (i === -1 ? null : walk(axis + 1, offset + i * strides[axis])));
  };
  return walk(0, 0);
}

function collect(s: Shown, out: number[]): void {
  if (s === null) return;
  if (typeof s === "number") out.push(s);
  else for (const x of s) collect(x, out);
}

/** NumPy's _formatArray: nested brackets, wrapping the last axis at the line width. */
function formatArray(a: Shown[], ndim: number, fmt: (v: number) => string, nextLinePrefix: string, lineWidth: number): string {
  const recurse = (x: Shown, axesLeft: number, hangingIndent: string, currWidth: number): string => {
    if (axesLeft === 0) return fmt(x as number);
    const items = x as Shown[];
    const nextHanging = hangingIndent + " ";
    const nextWidth = currWidth - 1; // room for "]"
    let s = "";
    if (axesLeft === 1) {
      const elemWidth = currWidth - 1; // room for ","
      let line = hangingIndent;
      for (let i = 0; i < items.length; i++) {
        const last = i === items.length - 1;
        const word = items[i] === null ? "..." : recurse(items[i], 0, nextHanging, nextWidth);
        [s, line] = extendLine(s, line, word, last ? currWidth : elemWidth, hangingIndent);
        if (!last) line += ", ";
      }
      s += line;
    } else {
      const lineSep = "," + "\n".repeat(axesLeft - 1);
      for (let i = 0; i < items.length; i++) {
        const nested = items[i] === null ? "..." : recurse(items[i], axesLeft - 1, nextHanging, nextWidth);
        s += hangingIndent + nested + (i === items.length - 1 ? "" : lineSep);
      }
    }
    return "[" + s.slice(hangingIndent.length) + "]";
  };
  return recurse(a, ndim, nextLinePrefix, lineWidth);
}

function extendLine(s: string, line: string, word: string, width: number, prefix: string): [string, string] {
  if (line.length + word.length > width && line.length > prefix.length) {
    s += line.trimEnd() + "\n";
    line = prefix;
  }
  return [s, line + word];
}

function intFormatter(values: number[]): (v: number) => string {
  let width = 0;
  for (const v of values) width = Math.max(width, String(v).length);
  return (v) => String(v).padStart(width);
}

function boolFormatter(values: number[]): (v: number) => string {
  const width = values.some((v) => !v) ? 5 : 4;
  return (v) => (v ? "true" : "false").padStart(width);
}

/** NumPy's FloatingFormat (floatmode "maxprec", precision 8) for float32 values. */
function floatFormatter(values: number[]): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let expFormat = false;
  if (nonZero.length !== 0) {
    const maxVal = Math.max(...nonZero);
    const minVal = Math.min(...nonZero);
    expFormat = maxVal >= 1e8 || minVal < 1e-4 || maxVal / minVal > 1e3;
  }
  let padLeft = 0;
  let padRight = 0;
  let format: (v: number) => string;
  if (expFormat) {
    const parts = finite.map(scientificParts);
    const precision = Math.max(0, ...parts.map((p) => p.frac.length));
    const expDigits = Math.max(2, ...parts.map((p) => p.exp.length));
    padLeft = Math.max(0, ...parts.map((p) => p.int.length));
    padRight = expDigits + 2 + precision;
    format = (v) => {
      const p = scientificParts(v);
      return `${p.int.padStart(padLeft)}.${p.frac.padEnd(precision, "0")}e${p.sign}${p.exp.padStart(expDigits, "0")}`;
    };
  } else {
    const parts = finite.map(positionalParts);
    padLeft = Math.max(0, ...parts.map((p) => p.int.length));
    padRight = Math.max(0, ...parts.map((p) => p.frac.length));
    format = (v) => {
      const p = positionalParts(v);
      return `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight)}`;
    };
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === -Infinity);
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + (negInf ? 1 : 0) - (padRight + 1));
  }
  return (v) => {
    if (Number.isFinite(v)) return format(v);
    const word = Number.isNaN(v) ? "nan" : v < 0 ? "-inf" : "inf";
    return word.padStart(padLeft + padRight + 1);
  };
}

/** The shortest decimal that reads back as the same float32 (NumPy's unique repr). */
function shortest(v: number): number {
  for (let p = 1; p < 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return Number(v.toPrecision(9));
}

function positionalParts(v: number): { int: string; frac: string } {
  let d = shortest(v);
  let s = String(d);
  let dot = s.indexOf(".");
  if (dot !== -1 && s.length - dot - 1 > 8) {
    // Round the exact float32 value (not its shortest decimal) at 8 places, as NumPy's Dragon4 does.
    d = Number(v.toFixed(8));
    s = String(d);
    dot = s.indexOf(".");
  }
  if (s.includes("e")) s = d.toFixed(8).replace(/0+$/, "");
  dot = s.indexOf(".");
  if (dot === -1) return { int: s === "0" && Object.is(v, -0) ? "-0" : s, frac: "" };
  return { int: s.slice(0, dot), frac: s.slice(dot + 1) };
}

function scientificParts(v: number): { int: string; frac: string; sign: string; exp: string } {
  const d = shortest(v);
  const s = d.toExponential(); // shortest mantissa digits, e.g. "1.5e-5"
  const [mant, ex] = s.split("e");
  const [int, frac = ""] = mant.split(".");
  return { int, frac, sign: ex.startsWith("-") ? "-" : "+", exp: ex.replace(/^[+-]/, "") };
}
