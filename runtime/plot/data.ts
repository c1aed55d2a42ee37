/**
 * Turning what people pass to plot functions (arrays, typed arrays, tensors) into plain numbers.
 */

/** A 1-D tensor, taken structurally so plots need not import the tensor module. */
export interface VectorTensor {
  readonly shape: readonly number[];
  data(): ArrayLike<number>;
}

/** Numbers to plot: a JS array, a typed array or a tensor (flattened). */
export type Numbers = readonly number[] | ArrayLike<number> | VectorTensor;

/**
 * The values of an array, typed array or tensor as a number array.
 * @example toNumbers(tensor([1, 2, 3])) // [1, 2, 3]
 */
export function toNumbers(values: Numbers, what = "values"): number[] {
  if (isTensor(values)) return Array.from(values.data(), Number);
  if (typeof values === "object" && values !== null && typeof (values as ArrayLike<number>).length === "number") {
    return Array.from(values as ArrayLike<number>, Number);
  }
  throw new Error(`plot: ${what} must be an array, a typed array or a tensor, received ${describe(values)}`);
}

export function isTensor(v: unknown): v is VectorTensor {
  return typeof v === "object" && v !== null && Array.isArray((v as VectorTensor).shape) && typeof (v as VectorTensor).data === "function";
}

/** True for the things `toNumbers` accepts. */
export function isNumbers(v: unknown): v is Numbers {
  return isTensor(v) || Array.isArray(v) || ArrayBuffer.isView(v);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return `${typeof v} ${String(v)}`;
}
