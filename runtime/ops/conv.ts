/**
 * Convolutions, channels-last as Keras: conv2d (and conv1d, the same kernels with a height of 1).
 *
 *   y[b, oy, ox, o] = act(bias[o] + Σ_{i,j,c} x[b, oy·sh − padTop + i·dh, ox·sw − padLeft + j·dw, c] · kernel[i, j, c, o])
 *
 * with taps outside the input reading zeros. Output sizes and "same" padding are TensorFlow's:
 * "valid": out = ceil((in − (k−1)·d) / s); "same": out = ceil(in / s), padded by
 * max((out−1)·s + (k−1)·d + 1 − in, 0) in total, the extra cell on the bottom/right.
 *
 * Forward is one backend call (im2col + GEMM, with the bias and activation fused into the
 * GEMM's epilogue when given). Backward, next to it:
 *   dZ = dY · act'(Z)                        (from the saved output, as dense)
 *   dx = conv2dInputGrad(dZ, kernel)          (dP = dZ·Wᵀ, scattered back: col2im)
 *   dkernel = conv2dKernelGrad(x, dZ)         (Σ patchesᵀ·dZ over the batch)
 *   dbias = Σ_{b,oy,ox} dZ                    (one reduction)
 */
import type { Conv2dGeometry, EpilogueActivation } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import { allocFor, asTensor, checkDType, shapeStr, toFloat, wrap } from "./util.js";
import { reshape } from "./reshape.js";
import { unaryGradOf } from "./unary.js";

/** Keras's padding modes ("causal" is Conv1D's, left padding only). */
export type Padding = "valid" | "same";

/** Options of `conv2d`. */
export interface Conv2dOpOptions {
  /** Steps between windows, one number for both axes or [height, width]. Default 1. */
  strides?: number | [number, number];
  /** "valid" (no padding, default) or "same" (output = ceil(input / stride), zeros around). */
  padding?: Padding;
  /** Spacing between kernel taps (atrous convolution), a number or [height, width]. Default 1. */
  dilationRate?: number | [number, number];
  /** Fused epilogue: a bias of shape [outChannels] added to every output. Default none. */
  bias?: Tensor | null;
  /** Fused epilogue after the bias: "linear" (default), "relu", "sigmoid" or "tanh". */
  activation?: EpilogueActivation;
}

const CONV2D_OPTIONS: OptionTable<Conv2dOpOptions> = { strides: true, padding: true, dilationRate: true, bias: true, activation: true };

/** Options of `conv1d`. */
export interface Conv1dOpOptions {
  /** Steps between windows. Default 1. */
  strides?: number;
  /** "valid" (default), "same", or "causal" (zeros on the left only: output t sees inputs ≤ t). */
  padding?: Padding | "causal";
  /** Spacing between kernel taps. Default 1. */
  dilationRate?: number;
  /** Fused epilogue: a bias of shape [outChannels]. Default none. */
  bias?: Tensor | null;
  /** Fused epilogue after the bias. Default "linear". */
  activation?: EpilogueActivation;
}

const CONV1D_OPTIONS: OptionTable<Conv1dOpOptions> = { strides: true, padding: true, dilationRate: true, bias: true, activation: true };

const ACTIVATIONS: readonly EpilogueActivation[] = ["linear", "relu", "sigmoid", "tanh"];

/**
 * The output length of one axis and the padding before it, as TensorFlow computes them; throws
 * (naming `op`) when a "valid" window does not fit in the input.
 * @example convOutputSize(28, 3, 1, 1, "valid", "conv2d") // { size: 26, padBefore: 0 }
 */
export function convOutputSize(input: number, kernel: number, stride: number, dilation: number, padding: Padding | "causal", op: string): { size: number; padBefore: number } {
  const eff = (kernel - 1) * dilation + 1;
  if (padding === "same") {
    const size = Math.ceil(input / stride);
    const total = Math.max((size - 1) * stride + eff - input, 0);
    return { size, padBefore: Math.floor(total / 2) };
  }
  if (padding === "causal") return { size: Math.ceil(input / stride), padBefore: eff - 1 };
  if (eff > input) {
    const what = dilation === 1 ? `${kernel}` : `${eff} (kernel ${kernel} with dilation ${dilation})`;
    throw new Error(`${op}: the window ${what} is larger than the input's ${input} with padding "valid"; use padding "same" or a smaller window`);
  }
  return { size: Math.floor((input - eff) / stride) + 1, padBefore: 0 };
}

/** [a, b] from a number or a pair of positive integers; the error names the op and option. */
export function pairOf(v: number | readonly number[] | undefined, fallback: number, op: string, what: string): [number, number] {
  const pair = v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${op}: ${what} must be a positive integer or a pair of them; received ${JSON.stringify(v)}`);
  }
  return [pair[0], pair[1]];
}

/** Checks a padding option. */
export function paddingOf<P extends string>(v: P | undefined, allowed: readonly P[], op: string): P {
  const p = v ?? allowed[0];
  if (!allowed.includes(p)) throw new Error(`${op}: padding must be ${allowed.map((a) => `"${a}"`).join(" or ")}; received ${JSON.stringify(v)}`);
  return p;
}

/** The resolved options of a 2-D convolution (what `conv2dOf` takes). */
export interface Conv2dSpec {
  strides: [number, number];
  padding: Padding;
  dilationRate: [number, number];
}

/**
 * A 2-D convolution of x [batch, height, width, inChannels] with kernel [kh, kw, inChannels,
 * outChannels] (Keras's layouts); optional fused bias and activation.
 * @example conv2d(images, kernel, { padding: "same" }).shape // [64, 28, 28, 32] for kernel [3, 3, 1, 32]
 */
export function conv2d(x: TensorLike, kernel: Tensor, options?: WithSnakeCase<Conv2dOpOptions>): Tensor {
  const o = checkOptions("conv2d", options, CONV2D_OPTIONS);
  const spec: Conv2dSpec = {
    strides: pairOf(o.strides, 1, "conv2d", "strides"),
    padding: paddingOf(o.padding, ["valid", "same"], "conv2d"),
    dilationRate: pairOf(o.dilationRate, 1, "conv2d", "dilationRate"),
  };
  return conv2dOf(x, kernel, spec, o.bias ?? null, o.activation ?? "linear");
}

/**
 * conv2d with its options already resolved: what a Conv2D layer calls on every batch, where
 * checking an options object each time would be work for nothing. @internal
 */
export function conv2dOf(x: TensorLike, kernel: Tensor, spec: Conv2dSpec, bias: Tensor | null = null, activation: EpilogueActivation = "linear", op = "conv2d"): Tensor {
  const xt = toFloat(asTensor(x, op, "input"));
  checkDType(kernel, ["float32"], op, "the kernel");
  if (xt.ndim !== 4) throw new Error(`${op}: the input must be [batch, height, width, channels]; received shape ${shapeStr(xt.shape)}`);
  if (kernel.ndim !== 4) throw new Error(`${op}: the kernel must be [kernelHeight, kernelWidth, inChannels, outChannels]; received shape ${shapeStr(kernel.shape)}`);
  const [batch, inH, inW, inC] = xt.shape;
  const [kh, kw, kc, outC] = kernel.shape;
  if (kc !== inC) {
    throw new Error(`${op}: input shape ${shapeStr(xt.shape)} has ${inC} channels but kernel shape ${shapeStr(kernel.shape)} expects ${kc} (kernel [kh, kw, inChannels, outChannels])`);
  }
  if (inH === 0 || inW === 0 || inC === 0 || kh === 0 || kw === 0 || outC === 0) {
    throw new Error(`${op}: input shape ${shapeStr(xt.shape)} and kernel shape ${shapeStr(kernel.shape)} must have no empty axis but the batch`);
  }
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilationRate;
  const rows = convOutputSize(inH, kh, sh, dh, spec.padding, op);
  const cols = convOutputSize(inW, kw, sw, dw, spec.padding, op);
  return conv2dCore(xt, kernel, {
    batch, inHeight: inH, inWidth: inW, inChannels: inC, outHeight: rows.size, outWidth: cols.size, outChannels: outC,
    kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw,
    padTop: rows.padBefore, padLeft: cols.padBefore,
  }, bias, activation, op);
}

/** The convolution on a checked geometry, with its backward. */
function conv2dCore(x: Tensor, kernel: Tensor, g: Conv2dGeometry, bias: Tensor | null, activation: EpilogueActivation, op: string): Tensor {
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`${op}: activation '${activation}' cannot be fused; allowed: ${ACTIVATIONS.join(", ")} (apply others after a linear ${op})`);
  }
  if (bias !== null) {
    checkDType(bias, ["float32"], op, "the bias");
    if (bias.ndim !== 1 || bias.size !== g.outChannels) {
      throw new Error(`${op}: the bias must have shape [${g.outChannels}] (one per output channel); received ${shapeStr(bias.shape)}`);
    }
  }
  const be = backend();
  const outShape = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  const buf = allocFor("float32", outShape);
  if (buf.size !== 0) be.conv2d(x.buffer, kernel.buffer, buf, { ...g, bias: bias === null ? null : bias.buffer, activation });
  const out = wrap(buf, outShape, "float32");
  const gx = needsGrad(x);
  const gk = needsGrad(kernel);
  const gb = bias !== null && needsGrad(bias);
  if (gx || gk || gb) {
    record(op, out, bias === null ? [x, kernel] : [x, kernel, bias], (dy) => {
      const dz = activation === "linear" ? toFloat(dy) : unaryGradOf(activation, out, dy);
      let dx: Tensor | null = null;
      let dk: Tensor | null = null;
      let db: Tensor | null = null;
      if (gx) {
        const b = allocFor("float32", x.shape);
        if (b.size !== 0) be.conv2dInputGrad(dz.buffer, kernel.buffer, b, g);
        dx = wrap(b, x.shape, "float32");
      }
      if (gk) {
        const b = allocFor("float32", kernel.shape);
        be.conv2dKernelGrad(x.buffer, dz.buffer, b, g);
        dk = wrap(b, kernel.shape, "float32");
      }
      if (gb) {
        const b = allocFor("float32", [g.outChannels]);
        const rows = g.batch * g.outHeight * g.outWidth;
        if (rows === 0) be.fill(b, 0);
        else be.reduce("sum", dz.buffer, [rows, g.outChannels], [0], b);
        db = wrap(b, [g.outChannels], "float32");
      }
      return bias === null ? [dx, dk] : [dx, dk, db];
    });
  }
  return out;
}

/**
 * A 1-D convolution of x [batch, steps, inChannels] with kernel [k, inChannels, outChannels]
 * (Keras's Conv1D layouts): conv2d's kernels with a height of 1. Padding "causal" pads
 * (k−1)·dilation zeros on the left only, so output t depends on inputs up to t.
 * @example conv1d(sequences, kernel, { padding: "causal" }).shape // [32, 100, 16]
 */
export function conv1d(x: TensorLike, kernel: Tensor, options?: WithSnakeCase<Conv1dOpOptions>): Tensor {
  const o = checkOptions("conv1d", options, CONV1D_OPTIONS);
  const xt = toFloat(asTensor(x, "conv1d", "input"));
  checkDType(kernel, ["float32"], "conv1d", "the kernel");
  if (xt.ndim !== 3) throw new Error(`conv1d: the input must be [batch, steps, channels]; received shape ${shapeStr(xt.shape)}`);
  if (kernel.ndim !== 3) throw new Error(`conv1d: the kernel must be [kernelSize, inChannels, outChannels]; received shape ${shapeStr(kernel.shape)}`);
  const [batch, steps, inC] = xt.shape;
  const [k, kc, outC] = kernel.shape;
  if (kc !== inC) {
    throw new Error(`conv1d: input shape ${shapeStr(xt.shape)} has ${inC} channels but kernel shape ${shapeStr(kernel.shape)} expects ${kc} (kernel [kernelSize, inChannels, outChannels])`);
  }
  if (steps === 0 || inC === 0 || k === 0 || outC === 0) {
    throw new Error(`conv1d: input shape ${shapeStr(xt.shape)} and kernel shape ${shapeStr(kernel.shape)} must have no empty axis but the batch`);
  }
  const [s] = pairOf(o.strides, 1, "conv1d", "strides");
  const [d] = pairOf(o.dilationRate, 1, "conv1d", "dilationRate");
  const padding = paddingOf(o.padding, ["valid", "same", "causal"], "conv1d");
  const len = convOutputSize(steps, k, s, d, padding, "conv1d");
  const out = conv2dCore(reshape(xt, [batch, 1, steps, inC]), reshape(kernel, [1, k, inC, outC]), {
    batch, inHeight: 1, inWidth: steps, inChannels: inC, outHeight: 1, outWidth: len.size, outChannels: outC,
    kernelHeight: 1, kernelWidth: k, strideHeight: 1, strideWidth: s, dilationHeight: 1, dilationWidth: d,
    padTop: 0, padLeft: len.padBefore,
  }, o.bias ?? null, o.activation ?? "linear", "conv1d");
  return reshape(out, [batch, len.size, outC]);
}
