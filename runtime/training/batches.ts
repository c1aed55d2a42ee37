/**
 * The batch buffers of a fit: one set per batch size (the full size and the last, shorter batch),
 * allocated once and refilled every step by the backend's gather kernel from the uploaded data.
 * They are kept out of the step's scope, so a step allocates no memory for its inputs.
 */
import { backend, keep } from "../tensor/engine.js";
import { fromBuffer } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import type { NativeBuffer } from "../backend/backend.js";

interface BatchSet {
  indices: NativeBuffer;
  tensors: Tensor[];
}

export class BatchGatherer {
  private readonly sets = new Map<number, BatchSet>();

  /** `arrays` are the uploaded inputs and targets (rows along axis 0). */
  constructor(private readonly arrays: Tensor[]) {}

  /** The rows `idx` of every array, in reused tensors (valid until the next call with this size). */
  gather(idx: Int32Array): Tensor[] {
    const n = idx.length;
    let set = this.sets.get(n);
    if (!set) {
      const be = backend();
      set = {
        indices: be.alloc("int32", n),
        tensors: this.arrays.map((a) => keep(fromBuffer(be.alloc(a.dtype, (a.size / a.shape[0]) * n), [n, ...a.shape.slice(1)], a.dtype))),
      };
      this.sets.set(n, set);
    }
    const be = backend();
    be.upload(set.indices, idx);
    this.arrays.forEach((a, i) => be.gather(a.buffer, a.size / a.shape[0], set!.indices, set!.tensors[i].buffer));
    return set.tensors;
  }

  /** Frees the buffers now (fit's end) instead of waiting for the garbage collector. */
  release(): void {
    const be = backend();
    for (const set of this.sets.values()) {
      be.release(set.indices);
      for (const t of set.tensors) t._release();
    }
    this.sets.clear();
  }
}
