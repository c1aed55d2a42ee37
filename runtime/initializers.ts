/**
 * Weight initializers, by Keras name or as objects: "glorot_uniform" (Dense's default kernel),
 * "zeros" (its default bias), "he_normal", … Each maps a shape to a new tensor drawn from the
 * global seed (see `utils.setRandomSeed`).
 */
import { full, randomNormal, randomTruncatedNormal, randomUniform } from "./tensor/create.js";
import type { Tensor } from "./tensor/tensor.js";
import { lookupName } from "./training/names.js";
import type { InitializerName } from "./training/names-types.js";

/** A function from a weight's shape to its initial value. */
export type Initializer = ((shape: number[]) => Tensor) & { config?: InitializerConfig };
export interface InitializerConfig {
  /** Keras's class name ("GlorotUniform"). */
  className: string;
  /** Its options ({ seed: 1 }). */
  config: Record<string, number>;
}
/** A Keras name ("glorot_uniform", "heNormal") or an initializer function. */
export type InitializerLike = InitializerName | Initializer;

/** fan_in and fan_out as Keras computes them (kernel [in, out]; conv kernels: receptive field × channels). */
function fans(shape: number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

type Mode = "fan_in" | "fan_out" | "fan_avg";

/**
 * Keras's VarianceScaling: scale / fan, drawn from a truncated normal (with Keras's correction
 * 0.8796… so the *truncated* distribution has the requested stddev) or a uniform distribution.
 * @example varianceScaling(2, "fan_in", "truncated_normal")([784, 512]) // He normal
 */
export function varianceScaling(scale: number, mode: Mode, distribution: "truncated_normal" | "uniform" | "untruncated_normal", seed?: number): Initializer {
  const f: Initializer = (shape) => {
    const [fanIn, fanOut] = fans(shape);
    const n = mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, n);
    if (distribution === "uniform") {
      const limit = Math.sqrt(3 * variance);
      return randomUniform(shape, { minval: -limit, maxval: limit, seed });
    }
    if (distribution === "untruncated_normal") return randomNormal(shape, { stddev: Math.sqrt(variance), seed });
    return randomTruncatedNormal(shape, { stddev: Math.sqrt(variance) / 0.8796256610342398, seed });
  };
  return f;
}

function named(className: string, config: Record<string, number>, f: (shape: number[]) => Tensor): Initializer {
  const g = f as Initializer;
  g.config = { className, config };
  return g;
}

/**
 * Glorot (Xavier) uniform, Dense's default kernel: uniform in ±sqrt(6 / (fanIn + fanOut)).
 * Initializers as objects: `initializers.GlorotUniform({ seed: 1 })`, `initializers.Constant({ value: 0.1 })`.
 * @example new layers.Dense(64, { kernelInitializer: initializers.GlorotUniform({ seed: 1 }) })
 */
export const GlorotUniform = (o: { seed?: number } = {}) => named("GlorotUniform", { ...o }, varianceScaling(1, "fan_avg", "uniform", o.seed));
/** Glorot (Xavier) normal: truncated normal with variance 2 / (fanIn + fanOut). @example initializers.GlorotNormal()([3, 4]) */
export const GlorotNormal = (o: { seed?: number } = {}) => named("GlorotNormal", { ...o }, varianceScaling(1, "fan_avg", "truncated_normal", o.seed));
/** He normal: truncated normal with variance 2 / fanIn (for relu layers). @example initializers.HeNormal()([3, 4]) */
export const HeNormal = (o: { seed?: number } = {}) => named("HeNormal", { ...o }, varianceScaling(2, "fan_in", "truncated_normal", o.seed));
/** He uniform: uniform with variance 2 / fanIn. @example initializers.HeUniform()([3, 4]) */
export const HeUniform = (o: { seed?: number } = {}) => named("HeUniform", { ...o }, varianceScaling(2, "fan_in", "uniform", o.seed));
/** LeCun normal: truncated normal with variance 1 / fanIn (for selu layers). @example initializers.LecunNormal()([3, 4]) */
export const LecunNormal = (o: { seed?: number } = {}) => named("LecunNormal", { ...o }, varianceScaling(1, "fan_in", "truncated_normal", o.seed));
/** LeCun uniform: uniform with variance 1 / fanIn. @example initializers.LecunUniform()([3, 4]) */
export const LecunUniform = (o: { seed?: number } = {}) => named("LecunUniform", { ...o }, varianceScaling(1, "fan_in", "uniform", o.seed));
/** All zeros (Dense's default bias). @example initializers.Zeros()([3, 4]) */
export const Zeros = () => named("Zeros", {}, (shape) => full(shape, 0));
/** All ones. @example initializers.Ones()([3, 4]) */
export const Ones = () => named("Ones", {}, (shape) => full(shape, 1));
/** Every element equal to `value`. @example initializers.Constant()([3, 4]) */
export const Constant = (o: { value?: number } = {}) => named("Constant", { value: o.value ?? 0 }, (shape) => full(shape, o.value ?? 0));
/** Normal with mean 0 and stddev 0.05 by default. @example initializers.RandomNormal()([3, 4]) */
export const RandomNormal = (o: { mean?: number; stddev?: number; seed?: number } = {}) =>
  named("RandomNormal", { ...o }, (shape) => randomNormal(shape, { mean: o.mean ?? 0, stddev: o.stddev ?? 0.05, seed: o.seed }));
/** Uniform in [-0.05, 0.05] by default. @example initializers.RandomUniform()([3, 4]) */
export const RandomUniform = (o: { minval?: number; maxval?: number; seed?: number } = {}) =>
  named("RandomUniform", { ...o }, (shape) => randomUniform(shape, { minval: o.minval ?? -0.05, maxval: o.maxval ?? 0.05, seed: o.seed }));
/** Normal truncated at two standard deviations, stddev 0.05 by default. @example initializers.TruncatedNormal()([3, 4]) */
export const TruncatedNormal = (o: { mean?: number; stddev?: number; seed?: number } = {}) =>
  named("TruncatedNormal", { ...o }, (shape) => randomTruncatedNormal(shape, { mean: o.mean ?? 0, stddev: o.stddev ?? 0.05, seed: o.seed }));

const BY_NAME: Record<string, (o?: never) => Initializer> = {
  glorot_uniform: GlorotUniform,
  glorot_normal: GlorotNormal,
  he_normal: HeNormal,
  he_uniform: HeUniform,
  lecun_normal: LecunNormal,
  lecun_uniform: LecunUniform,
  zeros: Zeros,
  ones: Ones,
  constant: Constant,
  random_normal: RandomNormal,
  random_uniform: RandomUniform,
  truncated_normal: TruncatedNormal,
};

/**
 * Resolves a name or passes a function through.
 * @example getInitializer("he_normal")([784, 512])
 */
export function getInitializer(init: InitializerLike | InitializerConfig): Initializer {
  if (typeof init === "function") return init;
  if (typeof init === "string") return lookupName("initializer", init, BY_NAME)();
  if (init && typeof init === "object" && typeof init.className === "string") {
    return lookupName("initializer", init.className, BY_NAME)(init.config as never);
  }
  throw new Error(`unknown initializer ${JSON.stringify(init)}; expected a name such as 'glorot_uniform' or an initializer function`);
}

/**
 * The serializable form of an initializer (a name for the built-ins).
 * @example serializeInitializer("he_normal") // "he_normal"
 */
export function serializeInitializer(init: InitializerLike): string | InitializerConfig | null {
  if (typeof init === "string") return init;
  return init.config ?? null;
}
