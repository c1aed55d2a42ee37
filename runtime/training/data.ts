/**
 * Turning what users pass to fit/evaluate/predict (tensors, nested arrays, typed arrays, lists or
 * name→tensor objects for several inputs) into float32 tensors uploaded once.
 */
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/create.js";
import type { DType } from "../backend/backend.js";

/** One input or target: a tensor, nested arrays, or a typed array (with the model's shape). */
export type DataLike = Tensor | number[] | number[][] | number[][][] | Float32Array | Int32Array | Uint8Array;
/** Inputs or targets of a model: one array, a list (one per input/output), or by input name. */
export type ModelData = DataLike | DataLike[] | Record<string, DataLike>;

function isDataLeaf(v: unknown): v is DataLike {
  return v instanceof Tensor || ArrayBuffer.isView(v) || (Array.isArray(v) && (v.length === 0 || !(v[0] instanceof Tensor)));
}

/** Splits ModelData into one entry per model input/output (`names` order). */
export function toList(data: ModelData, names: string[], what: string): DataLike[] {
  if (isDataLeaf(data)) {
    if (names.length !== 1) throw new Error(`${what}: the model has ${names.length} (${names.join(", ")}); pass a list or an object with one array per name`);
    return [data];
  }
  if (Array.isArray(data)) {
    if (data.length !== names.length) throw new Error(`${what}: expected ${names.length} arrays (${names.join(", ")}), received ${data.length}`);
    return data as DataLike[];
  }
  if (data && typeof data === "object") {
    const rec = data as Record<string, DataLike>;
    return names.map((n) => {
      if (!(n in rec)) throw new Error(`${what}: missing '${n}'; the object has ${Object.keys(rec).join(", ")}`);
      return rec[n];
    });
  }
  throw new Error(`${what}: expected tensors or arrays, received ${typeof data}`);
}

/** A tensor of the wanted dtype (a copy only when a conversion is needed). */
export function asDataTensor(d: DataLike, dtype: DType, what: string): Tensor {
  let t: Tensor;
  if (d instanceof Tensor) t = d;
  else if (ArrayBuffer.isView(d) || Array.isArray(d)) t = tensor(d as number[]);
  else throw new Error(`${what}: expected a tensor or an array, received ${typeof d}`);
  if (t.ndim === 0) throw new Error(`${what}: expected a batch (at least one axis), received a scalar`);
  return t.dtype === dtype ? t : t.astype(dtype);
}

/** The number of samples, the same across inputs and targets. */
export function sampleCount(ts: Tensor[], what: string): number {
  const n = ts[0].shape[0];
  for (const t of ts) {
    if (t.shape[0] !== n) throw new Error(`${what}: all arrays need the same number of samples; received ${ts.map((x) => x.shape[0]).join(" and ")}`);
  }
  return n;
}
