/**
 * What the convolution and pooling layers share: reading Keras's tuple arguments (`kernelSize: 3`
 * or `[3, 5]`), the padding and data-format strings, and the output-size arithmetic — Keras's
 * `compute_conv_output_shape`, kept here so summary() knows every shape before a batch is seen.
 *
 *   "valid": out = floor((in − dilation·(k − 1) − 1) / stride) + 1
 *   "same":  out = ceil(in / stride)   (the input is padded so that every position has a window)
 */
import type { Shape } from "./symbolic.js";
import { formatShape } from "./symbolic.js";

/** How a convolution or pooling window treats the border. */
export type Padding = "valid" | "same";

/**
 * Keras's `standardize_tuple`: a positive integer, or a list of `n` of them, as a list of `n`.
 * The error names the layer, the option and what was received.
 * @example tupleArg(3, 2, "Conv2D", "kernelSize") // [3, 3]
 */
export function tupleArg(value: unknown, n: number, layer: string, option: string): number[] {
  const ok = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (ok(value)) return Array(n).fill(value as number);
  if (Array.isArray(value) && value.length === n && value.every(ok)) return [...(value as number[])];
  const wanted = n === 1 ? "a positive integer" : `a positive integer or a list of ${n} positive integers`;
  throw new Error(`${layer}: ${option} must be ${wanted}, received ${JSON.stringify(value) ?? String(value)}`);
}

/**
 * "valid" or "same" (any case, as Keras lowercases it); `extra` adds Conv1D's "causal".
 * @example paddingArg("SAME", "MaxPooling2D") // "same"
 */
export function paddingArg<P extends string = Padding>(value: unknown, layer: string, extra: readonly P[] = []): Padding | P {
  if (value === undefined) return "valid";
  const allowed = ["valid", "same", ...extra];
  const v = typeof value === "string" ? value.toLowerCase() : value;
  if (typeof v === "string" && allowed.includes(v)) return v as Padding | P;
  throw new Error(`${layer}: padding must be ${allowed.map((a) => `"${a}"`).join(" or ")}, received ${JSON.stringify(value) ?? String(value)}`);
}

/**
 * Keras's `data_format`: tsdl's layers are channels-last ([batch, height, width, channels]), the
 * Keras default on every backend but a GPU-tuned Theano; "channels_first" is refused by name so
 * a model copied from such code fails where it starts, not at a shape mismatch later.
 */
export function dataFormatArg(value: unknown, layer: string): "channels_last" {
  if (value === undefined || value === "channels_last") return "channels_last";
  if (value === "channels_first") {
    throw new Error(`${layer}: dataFormat "channels_first" is not supported; tsdl's layers are channels-last ([batch, height, width, channels]) — transpose the input with x.transpose([0, 2, 3, 1])`);
  }
  throw new Error(`${layer}: dataFormat must be "channels_last", received ${JSON.stringify(value) ?? String(value)}`);
}

/** One spatial axis's output size (null stays null: an axis not known until a batch arrives). */
export function outputLength(size: number | null, window: number, stride: number, padding: Padding | "causal", dilation = 1): number | null {
  if (size === null) return null;
  if (padding !== "valid") return Math.floor((size - 1) / stride) + 1;
  return Math.floor((size - dilation * (window - 1) - 1) / stride) + 1;
}

/** Names of the spatial axes, for errors. */
const AXES = ["height", "width"];

/**
 * The spatial output sizes of a window (kernel or pool) sliding over `shape`'s axes 1…n, with an
 * error naming the layer, the axis and both sizes where "valid" leaves no window at all.
 * @example spatialOutput([null, 28, 28, 1], [3, 3], [1, 1], "valid", [1, 1], "Conv2D 'conv2d'", "kernel") // [26, 26]
 */
export function spatialOutput(shape: Shape, window: number[], strides: number[], padding: Padding | "causal", dilation: number[], layer: string, what: "kernel" | "pool"): (number | null)[] {
  return window.map((k, i) => {
    const out = outputLength(shape[i + 1], k, strides[i], padding, dilation[i]);
    if (out !== null && out < 1) {
      const axis = window.length === 1 ? "length" : AXES[i];
      const span = dilation[i] * (k - 1) + 1;
      throw new Error(
        `${layer}: the input's ${axis} ${shape[i + 1]} is smaller than the ${what} (${span}${span !== k ? `, ${k} dilated by ${dilation[i]}` : ""}) with padding "valid"; ` +
          `received input shape ${formatShape(shape)} — use padding "same" or a larger input`,
      );
    }
    return out;
  });
}

/**
 * Checks an input shape's rank for an n-D spatial layer: [batch, …n spatial axes, channels].
 * MNIST-shaped input without its channel axis gets a hint, the usual slip.
 */
export function checkSpatialRank(shape: Shape | readonly number[], spatial: number, layer: string): void {
  if (shape.length === spatial + 2) return;
  const axes = spatial === 1 ? "(batch, steps, channels)" : "(batch, height, width, channels)";
  const hint = shape.length === spatial + 1 ? ` — add the channel axis, e.g. images.reshape([n, ${shape.slice(1).map((d) => d ?? "…").join(", ")}, 1])` : "";
  throw new Error(`${layer}: expects inputs of rank ${spatial + 2} ${axes}, received shape ${formatShape([...shape] as Shape)}${hint}`);
}

/**
 * Keras's positional arguments with the options object last, as Keras code reads:
 * `Conv2D(32, 3, { activation: "relu" })`, `Conv2D(32, { kernelSize: 3 })` and
 * `Conv2D({ filters: 32, kernel_size: 3 })` are one layer. Each argument may also be given as an
 * option (either spelling); given both ways it must agree. Returns the options (camelCase keys,
 * checked against `table` by `check`) with the positional values filled in.
 * @example const o = withPositional("Conv2D", [32, 3, { activation: "relu" }], ["filters", "kernelSize"], (o) => checkOptions("Conv2D", o, TABLE));
 */
export function withPositional<T extends object>(layer: string, args: readonly unknown[], names: readonly (keyof T & string)[], check: (options: T | undefined) => T): T {
  const given = args.length > 0 && args[args.length - 1] === undefined ? trimUndefined(args) : [...args];
  const last = given.at(-1);
  const hasOptions = last !== null && typeof last === "object" && !Array.isArray(last);
  const positional = hasOptions ? given.slice(0, -1) : given;
  if (positional.length > names.length) {
    throw new Error(`${layer}: takes at most ${names.length} positional argument${names.length === 1 ? "" : "s"} (${names.join(", ")}) and then an options object, received ${positional.length}: ${positional.map((v) => JSON.stringify(v) ?? String(v)).join(", ")}`);
  }
  positional.forEach((v, i) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      throw new Error(`${layer}: the options object must come last, after ${names.slice(0, i + 1).join(", ")}`);
    }
  });
  const options = check(hasOptions ? (last as T) : undefined) as Record<string, unknown>;
  names.forEach((name, i) => {
    const v = positional[i];
    if (v === undefined) return;
    if (options[name] !== undefined && JSON.stringify(options[name]) !== JSON.stringify(v)) {
      throw new Error(`${layer}: ${name} is given twice, ${JSON.stringify(v)} as an argument and ${JSON.stringify(options[name])} in the options; give one`);
    }
    options[name] = v;
  });
  return options as T;
}

function trimUndefined(args: readonly unknown[]): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return args.slice(0, n);
}
