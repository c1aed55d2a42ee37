/**
 * `Input({ shape: [784] })`: the entry point of a functional model (a symbolic tensor), and as
 * the first element of a Sequential it fixes the input shape.
 *
 * Args: `shape` — one sample's shape, no batch axis; `batchSize` (optional); `name`.
 * Output shape: `(batchSize or None, ...shape)`.
 */
import { Layer, single, singleShape, type CallContext } from "./layer.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import { SymbolicTensor, formatShape, type Shape } from "./symbolic.js";

export interface InputOptions {
  /** Shape of one sample, without the batch axis. */
  shape: number[];
  /** A fixed batch size (rarely needed; default: any). */
  batchSize?: number;
  /** The layer's name (default "input_layer", "input_layer_1", …). */
  name?: string;
  /** The inputs' dtype as the model computes them: "float32" (other data is converted). Default "float32". */
  dtype?: "float32";
}

const INPUT_OPTIONS: OptionTable<InputOptions> = { shape: true, batchSize: true, name: true, dtype: true };

/**
 * The layer behind an Input (Keras's InputLayer); it passes its input through.
 * @example const layer = new InputLayer({ shape: [784] }); layer.output.shape // [null, 784]
 */
export class InputLayer extends Layer {
  readonly className = "InputLayer";
  /** The symbolic tensor that `Input(...)` returns. */
  readonly output: SymbolicTensor;

  constructor(options: WithSnakeCase<InputOptions>) {
    const o = checkOptions("Input", options, INPUT_OPTIONS);
    if (!Array.isArray(o.shape) || o.shape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`Input: shape must be an array of positive integers (one sample, no batch axis), received ${JSON.stringify(o.shape)}`);
    }
    super({ name: o.name ?? uniqueInputName(), inputShape: o.shape, batchSize: o.batchSize, dtype: o.dtype });
    this.built = true;
    this.outputShape = this.batchInputShape;
    this.output = new SymbolicTensor(this.batchInputShape!, { layer: this, inputs: [] }, this.name);
  }

  call(inputs: Tensor | Tensor[], _ctx: CallContext): Tensor {
    return single(inputs, this.name);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape, this.name);
  }

  protected override reprFields(): Record<string, unknown> {
    return { shape: formatShape(this.batchInputShape!) };
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, shape: this.batchInputShape!.slice(1), ...(this.batchInputShape![0] !== null ? { batchSize: this.batchInputShape![0] } : {}) };
  }
}

let inputCount = 0;
function uniqueInputName(): string {
  return inputCount++ === 0 ? "input_layer" : `input_layer_${inputCount - 1}`;
}

/**
 * A symbolic input for the functional API (or the first entry of a Sequential).
 * @example const inputs = Input({ shape: [784] }); const outputs = Dense(10).apply(inputs);
 */
export function Input(options: WithSnakeCase<InputOptions>): SymbolicTensor {
  return new InputLayer(options).output;
}
