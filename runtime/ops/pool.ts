/**
 * Pooling, channels-last as Keras: maxPool2d, avgPool2d (and the 1-D forms, a height of 1).
 *
 *   max: y[b, oy, ox, c] = max over the window's cells inside the input
 *   avg: y[b, oy, ox, c] = mean over the window's cells inside the input (with "same" padding
 *        an edge window divides by the cells it covers, not by poolSize, as Keras does)
 *
 * Output sizes are TensorFlow's (see conv.ts); strides default to the pool size.
 * Backward, next to the forward: max sends each dy to the cell that won its window (the
 * forward saves the winner's index, the first on ties, so nothing is recomputed); avg spreads
 * dy / count over the window.
 */
import type { Pool2dGeometry, PoolOp } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import { allocFor, asTensor, shapeStr, toFloat, wrap } from "./util.js";
import { reshape } from "./reshape.js";
import { convOutputSize, pairOf, paddingOf, type Padding } from "./conv.js";

/** Options of `maxPool2d` and `avgPool2d`. */
export interface Pool2dOpOptions {
  /** The window, one number for both axes or [height, width]. Default 2. */
  poolSize?: number | [number, number];
  /** Steps between windows; default (undefined or null) the pool size. */
  strides?: number | [number, number] | null;
  /** "valid" (default) or "same" (output = ceil(input / stride)). */
  padding?: Padding;
}

const POOL2D_OPTIONS: OptionTable<Pool2dOpOptions> = { poolSize: true, strides: true, padding: true };

/** Options of `maxPool1d` and `avgPool1d`. */
export interface Pool1dOpOptions {
  /** The window length. Default 2. */
  poolSize?: number;
  /** Steps between windows; default (undefined or null) the pool size. */
  strides?: number | null;
  /** "valid" (default) or "same". */
  padding?: Padding;
}

const POOL1D_OPTIONS: OptionTable<Pool1dOpOptions> = { poolSize: true, strides: true, padding: true };

/** The resolved options of 2-D pooling (what `pool2dOf` takes). */
export interface Pool2dSpec {
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

/**
 * The maximum of each window of x [batch, height, width, channels].
 * @example maxPool2d(features).shape // [64, 13, 13, 32] for features [64, 26, 26, 32]
 */
export function maxPool2d(x: TensorLike, options?: WithSnakeCase<Pool2dOpOptions>): Tensor {
  return pool2dOf("max", x, pool2dSpec("maxPool2d", options), "maxPool2d");
}

/**
 * The mean of each window of x [batch, height, width, channels]; with "same" padding an edge
 * window divides by the cells inside the input.
 * @example avgPool2d(features, { poolSize: 3, strides: 1, padding: "same" })
 */
export function avgPool2d(x: TensorLike, options?: WithSnakeCase<Pool2dOpOptions>): Tensor {
  return pool2dOf("avg", x, pool2dSpec("avgPool2d", options), "avgPool2d");
}

function pool2dSpec(op: string, options: WithSnakeCase<Pool2dOpOptions> | undefined): Pool2dSpec {
  const o = checkOptions(op, options, POOL2D_OPTIONS);
  const poolSize = pairOf(o.poolSize, 2, op, "poolSize");
  return {
    poolSize,
    strides: o.strides === null || o.strides === undefined ? poolSize : pairOf(o.strides, 1, op, "strides"),
    padding: paddingOf(o.padding, ["valid", "same"], op),
  };
}

/**
 * Pooling with its options already resolved: what the pooling layers call on every batch.
 * @internal
 */
export function pool2dOf(kind: PoolOp, x: TensorLike, spec: Pool2dSpec, op = kind === "max" ? "maxPool2d" : "avgPool2d"): Tensor {
  const t = toFloat(asTensor(x, op, "input"));
  if (t.ndim !== 4) throw new Error(`${op}: the input must be [batch, height, width, channels]; received shape ${shapeStr(t.shape)}`);
  const [batch, inH, inW, c] = t.shape;
  if (inH === 0 || inW === 0 || c === 0) throw new Error(`${op}: input shape ${shapeStr(t.shape)} must have no empty axis but the batch`);
  const rows = convOutputSize(inH, spec.poolSize[0], spec.strides[0], 1, spec.padding, op);
  const cols = convOutputSize(inW, spec.poolSize[1], spec.strides[1], 1, spec.padding, op);
  return pool2dCore(kind, t, {
    batch, inHeight: inH, inWidth: inW, channels: c, outHeight: rows.size, outWidth: cols.size,
    poolHeight: spec.poolSize[0], poolWidth: spec.poolSize[1], strideHeight: spec.strides[0], strideWidth: spec.strides[1],
    padTop: rows.padBefore, padLeft: cols.padBefore,
  }, op);
}

function pool2dCore(kind: PoolOp, x: Tensor, g: Pool2dGeometry, op: string): Tensor {
  const be = backend();
  const outShape = [g.batch, g.outHeight, g.outWidth, g.channels];
  const buf = allocFor("float32", outShape);
  const grad = needsGrad(x);
  // The winners' indices only when a backward pass will read them.
  const argmax = kind === "max" && grad ? allocFor("int32", outShape) : null;
  if (buf.size !== 0) be.pool2d(kind, x.buffer, buf, argmax, g);
  const out = wrap(buf, outShape, "float32");
  if (grad) {
    const saved = argmax === null ? null : wrap(argmax, outShape, "int32"); // freed with the tape
    record(op, out, [x], (dy) => {
      const dx = allocFor("float32", x.shape);
      if (dx.size !== 0) be.pool2dGrad(kind, toFloat(dy).buffer, saved === null ? null : saved.buffer, dx, g);
      return [wrap(dx, x.shape, "float32")];
    });
  }
  return out;
}

/**
 * The maximum of each window of x [batch, steps, channels].
 * @example maxPool1d(sequences, { poolSize: 2 }).shape // [32, 50, 16] for [32, 100, 16]
 */
export function maxPool1d(x: TensorLike, options?: WithSnakeCase<Pool1dOpOptions>): Tensor {
  return pool1d("max", "maxPool1d", x, options);
}

/**
 * The mean of each window of x [batch, steps, channels].
 * @example avgPool1d(sequences, { poolSize: 4, strides: 2 })
 */
export function avgPool1d(x: TensorLike, options?: WithSnakeCase<Pool1dOpOptions>): Tensor {
  return pool1d("avg", "avgPool1d", x, options);
}

function pool1d(kind: PoolOp, op: string, x: TensorLike, options: WithSnakeCase<Pool1dOpOptions> | undefined): Tensor {
  const o = checkOptions(op, options, POOL1D_OPTIONS);
  const t = toFloat(asTensor(x, op, "input"));
  if (t.ndim !== 3) throw new Error(`${op}: the input must be [batch, steps, channels]; received shape ${shapeStr(t.shape)}`);
  const [p] = pairOf(o.poolSize, 2, op, "poolSize");
  const [s] = o.strides === null || o.strides === undefined ? [p] : pairOf(o.strides, 1, op, "strides");
  const padding = paddingOf(o.padding, ["valid", "same"], op);
  const [batch, steps, c] = t.shape;
  const out = pool2dOf(kind, reshape(t, [batch, 1, steps, c]), { poolSize: [1, p], strides: [1, s], padding }, op);
  return reshape(out, [batch, out.shape[2], c]);
}
