/**
 * Merge layers for functional models with several inputs:
 * - Concatenate: joins its inputs along `axis` (default -1, the features).
 * - Add: the element-wise sum of inputs of one shape.
 */
import { LAYER_OPTIONS, Layer, callable, type CallContext, type LayerOptions } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/index.js";
import type { Shape } from "./symbolic.js";

function shapes(inputShape: Shape | Shape[], layer: string): Shape[] {
  if (!(inputShape.length > 0 && Array.isArray(inputShape[0])) || (inputShape as Shape[]).length < 2) {
    throw new Error(`${layer}: expects a list of at least 2 inputs`);
  }
  return inputShape as Shape[];
}

function list(inputs: Tensor | Tensor[], layer: string): Tensor[] {
  if (!Array.isArray(inputs) || inputs.length < 2) throw new Error(`${layer}: expects a list of at least 2 inputs`);
  return inputs;
}

export interface ConcatenateOptions extends LayerOptions {
  /** The axis the inputs are joined along. Default -1 (the features). */
  axis?: number;
}

const CONCATENATE_OPTIONS: OptionTable<ConcatenateOptions> = { axis: true, ...LAYER_OPTIONS };

/**
 * Joins several inputs along an axis (class behind `Concatenate`).
 * @example new ConcatenateLayer({ axis: -1 }).apply([a, b])
 */
export class ConcatenateLayer extends Layer {
  readonly className = "Concatenate";
  /** The axis joined along (default -1). */
  readonly axis: number;

  /** @example new Concatenate().apply([a, b]) */
  constructor(options?: WithSnakeCase<ConcatenateOptions>) {
    const o = checkOptions("Concatenate", options, CONCATENATE_OPTIONS);
    super(o);
    this.axis = o.axis ?? -1;
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    return ops.concat(list(inputs, this.name), this.axis);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const ss = shapes(inputShape, this.name);
    const rank = ss[0].length;
    const ax = this.axis < 0 ? rank + this.axis : this.axis;
    const out = [...ss[0]];
    out[ax] = ss.some((s) => s[ax] === null) ? null : ss.reduce((n, s) => n + (s[ax] as number), 0);
    for (const s of ss) {
      if (s.length !== rank || s.some((d, i) => i !== ax && i !== 0 && d !== ss[0][i])) {
        throw new Error(`Concatenate '${this.name}': inputs must match except on axis ${this.axis}; received ${ss.map((x) => `[${x.join(", ")}]`).join(" and ")}`);
      }
    }
    return out;
  }

  protected override reprFields(): Record<string, unknown> {
    return { axis: this.axis };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  static fromConfig(c: Record<string, unknown>): ConcatenateLayer {
    return new ConcatenateLayer(c as ConcatenateOptions);
  }
}

/**
 * Sums several inputs of one shape (class behind `Add`).
 * @example new AddLayer().apply([a, b])
 */
export class AddLayer extends Layer {
  readonly className = "Add";

  /** @example new Add().apply([a, b]) */
  constructor(options?: WithSnakeCase<LayerOptions>) {
    super(checkOptions("Add", options, LAYER_OPTIONS));
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    return list(inputs, this.name).reduce((a, b) => ops.add(a, b));
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const ss = shapes(inputShape, this.name);
    for (const s of ss) {
      if (s.length !== ss[0].length || s.some((d, i) => i !== 0 && d !== ss[0][i])) {
        throw new Error(`Add '${this.name}': inputs must have one shape; received ${ss.map((x) => `[${x.join(", ")}]`).join(" and ")}`);
      }
    }
    return ss[0];
  }

  static fromConfig(c: Record<string, unknown>): AddLayer {
    return new AddLayer(c as LayerOptions);
  }
}

/**
 * Joins several inputs along an axis; callable with or without `new`.
 * @example layers.Concatenate().apply([a, b])
 */
export const Concatenate = callable(ConcatenateLayer);
export type Concatenate = ConcatenateLayer;
/**
 * Sums several inputs of one shape; callable with or without `new`.
 * @example layers.Add().apply([a, b])
 */
export const Add = callable(AddLayer);
export type Add = AddLayer;
