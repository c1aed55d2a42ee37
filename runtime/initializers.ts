/**
 * Weight initializers, by Keras name or as objects: "glorot_uniform" (Dense's default kernel),
 * "zeros" (its default bias), "he_normal", … Each maps a shape to a new tensor drawn from the
 * global seed (see `utils.setRandomSeed`).
 */
import { full, randomNormal, randomTruncatedNormal, randomUniform } from "./tensor/create.js";
import type { Tensor } from "./tensor/tensor.js";
import { lookupName } from "./training/names.js";
import type { InitializerName } from "./training/names-types.js";
import { checkOptions, type OptionTable } from "./options.js";

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

/** Options of the variance-scaling initializers (GlorotUniform, HeNormal, …). */
export interface SeedOptions {
  /** Draw the same values on every call with this seed. Default: the global seed and counter. */
  seed?: number;
}
/** Options of `Constant`. */
export interface ConstantOptions {
  /** The value of every element. Default 0. */
  value?: number;
}
/** Options of `RandomNormal` and `TruncatedNormal`. */
export interface NormalOptions extends SeedOptions {
  /** Mean of the distribution. Default 0. */
  mean?: number;
  /** Standard deviation. Default 0.05. */
  stddev?: number;
}
/** Options of `RandomUniform`. */
export interface UniformOptions extends SeedOptions {
  /** Lower bound. Default -0.05. */
  minval?: number;
  /** Upper bound. Default 0.05. */
  maxval?: number;
}
const SEED_OPTIONS: OptionTable<SeedOptions> = { seed: true };
const CONSTANT_OPTIONS: OptionTable<ConstantOptions> = { value: true };
const NORMAL_OPTIONS: OptionTable<NormalOptions> = { mean: true, stddev: true, ...SEED_OPTIONS };
const UNIFORM_OPTIONS: OptionTable<UniformOptions> = { minval: true, maxval: true, ...SEED_OPTIONS };

/** A variance-scaling initializer under its Keras class name, its options checked. */
function scaling(className: string, scale: number, mode: Mode, distribution: "truncated_normal" | "uniform") {
  return (options?: SeedOptions): Initializer => {
    const o = checkOptions(className, options, SEED_OPTIONS);
    return named(className, { ...o }, varianceScaling(scale, mode, distribution, o.seed));
  };
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
export const GlorotUniform = scaling("GlorotUniform", 1, "fan_avg", "uniform");
/** Glorot (Xavier) normal: truncated normal with variance 2 / (fanIn + fanOut). @example initializers.GlorotNormal()([3, 4]) */
export const GlorotNormal = scaling("GlorotNormal", 1, "fan_avg", "truncated_normal");
/** He normal: truncated normal with variance 2 / fanIn (for relu layers). @example initializers.HeNormal()([3, 4]) */
export const HeNormal = scaling("HeNormal", 2, "fan_in", "truncated_normal");
/** He uniform: uniform with variance 2 / fanIn. @example initializers.HeUniform()([3, 4]) */
export const HeUniform = scaling("HeUniform", 2, "fan_in", "uniform");
/** LeCun normal: truncated normal with variance 1 / fanIn (for selu layers). @example initializers.LecunNormal()([3, 4]) */
export const LecunNormal = scaling("LecunNormal", 1, "fan_in", "truncated_normal");
/** LeCun uniform: uniform with variance 1 / fanIn. @example initializers.LecunUniform()([3, 4]) */
export const LecunUniform = scaling("LecunUniform", 1, "fan_in", "uniform");
/** All zeros (Dense's default bias). @example initializers.Zeros()([3, 4]) */
export const Zeros = () => named("Zeros", {}, (shape) => full(shape, 0));
/** All ones. @example initializers.Ones()([3, 4]) */
export const Ones = () => named("Ones", {}, (shape) => full(shape, 1));
/** Every element equal to `value`. @example initializers.Constant()([3, 4]) */
export const Constant = (options?: ConstantOptions) => {
  const value = checkOptions("Constant", options, CONSTANT_OPTIONS).value ?? 0;
  return named("Constant", { value }, (shape) => full(shape, value));
};
/** Normal with mean 0 and stddev 0.05 by default. @example initializers.RandomNormal()([3, 4]) */
export const RandomNormal = (options?: NormalOptions) => {
  const o = checkOptions("RandomNormal", options, NORMAL_OPTIONS);
  return named("RandomNormal", { ...o }, (shape) => randomNormal(shape, { mean: o.mean ?? 0, stddev: o.stddev ?? 0.05, seed: o.seed }));
};
/** Uniform in [-0.05, 0.05] by default. @example initializers.RandomUniform()([3, 4]) */
export const RandomUniform = (options?: UniformOptions) => {
  const o = checkOptions("RandomUniform", options, UNIFORM_OPTIONS);
  return named("RandomUniform", { ...o }, (shape) => randomUniform(shape, { minval: o.minval ?? -0.05, maxval: o.maxval ?? 0.05, seed: o.seed }));
};
/** Normal truncated at two standard deviations, stddev 0.05 by default. @example initializers.TruncatedNormal()([3, 4]) */
export const TruncatedNormal = (options?: NormalOptions) => {
  const o = checkOptions("TruncatedNormal", options, NORMAL_OPTIONS);
  return named("TruncatedNormal", { ...o }, (shape) => randomTruncatedNormal(shape, { mean: o.mean ?? 0, stddev: o.stddev ?? 0.05, seed: o.seed }));
};

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
