/**
 * The batch buffers of a fit: one set per batch size (the full size and the last, shorter batch),
 * allocated once and refilled every step by the backend's gather kernel from the uploaded data.
 * They are kept out of the step's scope, so a step allocates no memory for its inputs.
 */
import { backend, keep } from "../tensor/engine.js";
import { fromBuffer } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import type { NativeBuffer } from "../backend/backend.js";

/** One batch's inputs and targets. */
export interface Batch {
  xs: Tensor[];
  ys: Tensor[];
}

interface BatchSet {
  indices: NativeBuffer;
  batch: Batch;
}

export class BatchGatherer {
  private readonly sets = new Map<number, BatchSet>();

  /** `xs` and `ys` are the uploaded inputs and targets (rows along axis 0). */
  constructor(
    private readonly xs: Tensor[],
    private readonly ys: Tensor[],
  ) {}

  /** The rows `idx` of every input and target, in reused tensors (valid until the next call with this size). */
  gather(idx: Int32Array): Batch {
    const n = idx.length;
    const be = backend();
    let set = this.sets.get(n);
    if (!set) {
      const rows = (a: Tensor) => keep(fromBuffer(be.alloc(a.dtype, (a.size / a.shape[0]) * n), [n, ...a.shape.slice(1)], a.dtype));
      set = { indices: be.alloc("int32", n), batch: { xs: this.xs.map(rows), ys: this.ys.map(rows) } };
      this.sets.set(n, set);
    }
    const { indices, batch } = set;
    be.upload(indices, idx);
    const fill = (a: Tensor, out: Tensor) => be.gather(a.buffer, a.size / a.shape[0], indices, out.buffer);
    this.xs.forEach((a, i) => fill(a, batch.xs[i]));
    this.ys.forEach((a, i) => fill(a, batch.ys[i]));
    return batch;
  }

  /** Frees the buffers now (fit's end) instead of waiting for the garbage collector. */
  release(): void {
    const be = backend();
    for (const set of this.sets.values()) {
      be.release(set.indices);
      for (const t of [...set.batch.xs, ...set.batch.ys]) t._release();
    }
    this.sets.clear();
  }
}
