/**
 * The gradient tape: while a gradient is being computed, every op whose inputs include a
 * watched tensor appends one node (its output, its inputs, and the backward closure written
 * next to its forward in runtime/ops/). Backward walks the nodes in reverse — the recording
 * order is already a topological order — and sums each input's gradient.
 *
 * Outside `valueAndGrad`/`grad`/`gradients` no tape is active, so inference records nothing.
 */
import type { Tensor } from "../tensor/tensor.js";

/**
 * Computes the gradients of one node's inputs from the gradient of its output; an entry is
 * null where an input needs no gradient (not watched, or not differentiable).
 */
export type BackwardFn = (dy: Tensor) => (Tensor | null)[];

interface TapeNode {
  op: string;
  output: Tensor;
  inputs: Tensor[];
  backward: BackwardFn;
}

/** One recording: the nodes of one forward pass. */
export class Tape {
  nodes: TapeNode[] = [];
}

let active: Tape | null = null;
// The all-ones gradient a backward pass starts from; ops may skip scaling by it.
let unitSeed: Tensor | null = null;

/** The tape being recorded, or null (inference). */
export function activeTape(): Tape | null {
  return active;
}

/** Replaces the active tape; returns the previous one. */
export function setActiveTape(tape: Tape | null): Tape | null {
  const prev = active;
  active = tape;
  return prev;
}

/** True when `t` is watched by the active tape (so an op on it must record its backward). */
export function needsGrad(t: Tensor): boolean {
  return active !== null && t._tape === active;
}

/**
 * Records an op's backward closure; `output` becomes watched. Call only when some input
 * `needsGrad` (ops check that first so inference pays nothing).
 */
export function record(op: string, output: Tensor, inputs: Tensor[], backward: BackwardFn): void {
  const tape = active;
  if (tape === null) return;
  output._tape = tape;
  tape.nodes.push({ op, output, inputs, backward });
}

/**
 * True when `dy` is the all-ones seed of the running backward pass (or that same tensor passed
 * through unchanged), so an op can use its precomputed gradient as is.
 */
export function isUnitGradient(dy: Tensor): boolean {
  return dy === unitSeed;
}

/**
 * Runs backward from `root` (seeded with `seed`, ones of root's shape) and returns each
 * tensor's gradient in `wrt` (null when `root` does not depend on it). Clears the tape.
 * `add` sums gradients of a tensor used more than once.
 */
export function backward(
  tape: Tape,
  root: Tensor,
  seed: Tensor,
  wrt: readonly Tensor[],
  add: (a: Tensor, b: Tensor) => Tensor,
): (Tensor | null)[] {
  const prev = setActiveTape(null); // gradients are computed with plain (unrecorded) ops
  const nodes = tape.nodes;
  unitSeed = seed;
  try {
    if (root._tape === tape) root._grad = seed;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const dy = node.output._grad;
      if (dy === null) continue;
      const grads = node.backward(dy);
      for (let j = 0; j < node.inputs.length; j++) {
        const x = node.inputs[j];
        const g = grads[j];
        if (g === null || g === undefined || x._tape !== tape) continue;
        if (g.size !== x.size) {
          throw new Error(`internal error: the gradient of ${node.op} for input ${j} has shape [${g.shape.join(", ")}], expected [${x.shape.join(", ")}]`);
        }
        x._grad = x._grad === null ? g : add(x._grad, g);
      }
    }
    return wrt.map((w) => (w._tape === tape ? w._grad : null));
  } finally {
    for (const node of nodes) {
      node.output._grad = null;
      for (const x of node.inputs) x._grad = null;
    }
    for (const w of wrt) w._grad = null;
    root._grad = null;
    nodes.length = 0; // the step's tape is freed once its gradients exist
    unitSeed = null;
    setActiveTape(prev);
  }
}
