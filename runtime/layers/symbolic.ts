/**
 * Symbolic tensors of the functional API: `const x = Input({ shape: [784] })` is not data but a
 * placeholder with a shape; calling a layer on it records a node of the graph that `Model`
 * later runs on real tensors.
 */
import { inspect } from "node:util";
import type { Layer } from "./layer.js";

/** A shape with the batch axis first; `null` where the size is not known yet (the batch). */
export type Shape = (number | null)[];

/** One call of a layer inside the graph: its inputs and its output. */
export interface LayerNode {
  layer: Layer;
  inputs: SymbolicTensor[];
}

/**
 * A placeholder in a functional model: its shape, and the call that produces it (none for an Input).
 * @example const inputs = Input({ shape: [784] }); inputs.shape // [null, 784]
 */
export class SymbolicTensor {
  constructor(
    /** The shape, batch axis first (null where unknown). */
    readonly shape: Shape,
    /** The layer call producing it; for an Input, the InputLayer with no inputs. */
    readonly node: LayerNode,
    /** "dense/output_0", or the Input's name. */
    readonly name: string,
  ) {}

  /** "<SymbolicTensor shape=(None, 784), dtype=float32, name=input_layer>" (Keras: `<KerasTensor shape=…, dtype=…, …, name=…>`). */
  toString(): string {
    return `<SymbolicTensor shape=${formatShape(this.shape)}, dtype=float32, name=${this.name}>`;
  }

  /** How console.log and a cell's value show it: its one line. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** "(None, 512)" as Keras prints shapes. */
export function formatShape(shape: Shape | Shape[]): string {
  if (shape.length > 0 && Array.isArray(shape[0])) return "[" + (shape as Shape[]).map(formatShape).join(", ") + "]";
  const dims = (shape as Shape).map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

export function isSymbolic(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}
