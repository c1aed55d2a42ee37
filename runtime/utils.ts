/**
 * Keras's `utils`: `toCategorical` (one-hot labels) and `setRandomSeed` (reproducible runs).
 */
import { Tensor } from "./tensor/tensor.js";
import { tensor } from "./tensor/create.js";
import * as ops from "./ops/index.js";
export { setRandomSeed } from "./random.js";

/**
 * One-hot rows (float32) for integer class labels; `numClasses` defaults to max label + 1.
 * @example const yTrain = utils.toCategorical(trainLabels); // [60000, 10]
 */
export function toCategorical(labels: Tensor | number[] | Int32Array | Uint8Array, numClasses?: number): Tensor {
  let t = labels instanceof Tensor ? labels : tensor(labels as number[]);
  if (t.ndim === 2 && t.shape[1] === 1) t = t.reshape([t.shape[0]]);
  const values = t.data();
  let maxLabel = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0) throw new Error(`toCategorical: labels must be integers ≥ 0; found ${v} at index ${i}`);
    if (v > maxLabel) maxLabel = v;
  }
  const depth = numClasses ?? maxLabel + 1;
  if (!Number.isInteger(depth) || depth <= 0) throw new Error(`toCategorical: numClasses must be a positive integer, received ${String(numClasses)}`);
  if (maxLabel >= depth) throw new Error(`toCategorical: label ${maxLabel} does not fit in ${depth} classes (allowed: 0..${depth - 1})`);
  return ops.oneHot(t.astype("int32"), depth);
}

/** Keras's spelling. */
export const to_categorical = toCategorical;
