/**
 * Reverse-mode automatic differentiation for user code, in JAX's idiom:
 *
 *   const [loss, grads] = valueAndGrad((params, x, y) => lossOf(params, x, y))(params, x, y);
 *
 * The gradient is taken with respect to the first argument — a tensor, or arrays/objects of
 * tensors (a "params" structure) — and comes back in the same structure; the other arguments
 * (data, labels) pass through as constants. `{ argnums: [0, 2] }` picks other arguments.
 * Only float32 tensors carry gradients.
 */
import { full, zeros } from "../tensor/create.js";
import { withScope } from "../tensor/engine.js";
import { Tensor, shapeStr } from "../tensor/tensor.js";
import { add } from "../ops/arithmetic.js";
import { checkOptions, type OptionTable } from "../options.js";
import { Tape, backward, setActiveTape } from "./tape.js";

/** A tensor, or arrays/objects nesting tensors (model parameters). */
export type Params = Tensor | readonly Params[] | { readonly [key: string]: Params };

/**
 * The check `valueAndGrad` and `grad` make of a parameter structure P: tensors, or arrays and
 * objects of them, member by member. It accepts an `interface` as well as a type alias, which
 * `Params` cannot: TypeScript gives an interface no implicit index signature, so
 * `interface Weights { w: Variable }` never matches `{ [key: string]: Params }`.
 * @example const step = <P extends object>(p: P & ParamsOf<P>) => p;
 */
export type ParamsOf<P> = P extends Tensor
  ? P
  : P extends (...args: never[]) => unknown
    ? never
    : P extends object
      ? { readonly [K in keyof P]: ParamsOf<P[K]> }
      : never;

/** The gradient structure for a parameter structure: the same nesting, a Tensor per tensor. */
export type GradsOf<P> = P extends Tensor ? Tensor : { -readonly [K in keyof P]: GradsOf<P[K]> };

/** Options of `valueAndGrad` and `grad`. */
export interface GradOptions {
  /** The arguments to differentiate with respect to; grads then has one entry per listed argument. Default: the first only. */
  argnums: readonly number[];
}

const GRAD_OPTIONS: OptionTable<GradOptions> = { argnums: true };

/**
 * Wraps `f` (returning a scalar tensor) so that calling the result returns `[value, grads]`:
 * grads = d value / d (first argument), in that argument's structure; the other arguments are
 * constants. With `{ argnums }`, grads has one entry per listed argument.
 *
 * @example const [loss, grads] = valueAndGrad((p, x, y) => x.matmul(p.w).add(p.b).sub(y).square().mean())(params, x, y);
 */
export function valueAndGrad<P extends object, R extends unknown[]>(f: (params: P, ...rest: R) => Tensor): (params: P & ParamsOf<P>, ...rest: R) => [Tensor, GradsOf<P>];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions): (...args: A) => [Tensor, GradsOf<A[number]>[]];
export function valueAndGrad(f: (...args: unknown[]) => Tensor, options?: GradOptions): (...args: unknown[]) => [Tensor, unknown] {
  const o = options === undefined ? undefined : checkOptions("valueAndGrad", options, GRAD_OPTIONS);
  return (...args: unknown[]) => valueAndGradOf(f, args, o, "valueAndGrad");
}

/**
 * Wraps `f` (returning a scalar tensor) so that calling the result returns the gradient of `f`
 * with respect to its first argument (or, with `{ argnums }`, one per listed argument).
 *
 * @example const dx = grad((x) => x.square().sum())(tensor([1, 2, 3])); // [2, 4, 6]
 */
export function grad<P extends object, R extends unknown[]>(f: (params: P, ...rest: R) => Tensor): (params: P & ParamsOf<P>, ...rest: R) => GradsOf<P>;
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions): (...args: A) => GradsOf<A[number]>[];
export function grad(f: (...args: unknown[]) => Tensor, options?: GradOptions): (...args: unknown[]) => unknown {
  const o = options === undefined ? undefined : checkOptions("grad", options, GRAD_OPTIONS);
  return (...args: unknown[]) => valueAndGradOf(f, args, o, "grad")[1];
}

function valueAndGradOf(f: (...a: unknown[]) => Tensor, args: unknown[], options: GradOptions | undefined, op: string): [Tensor, unknown] {
  const argnums = options?.argnums ?? [0];
  for (const n of argnums) {
    if (!Number.isInteger(n) || n < 0 || n >= args.length) {
      throw new Error(`${op}: argnums lists argument ${n}, but the function was called with ${args.length} argument(s) (allowed: 0..${args.length - 1})`);
    }
  }
  const leaves: Tensor[] = [];
  for (const n of argnums) flatten(args[n] as Params, leaves, `${op}: argument ${n}`);
  const { value, grads } = computeGradients(() => f(...args), leaves, op);
  let k = 0;
  const next = () => k++;
  const structured = argnums.map((n) => rebuild(args[n] as Params, grads, next));
  return [value, options === undefined ? structured[0] : structured];
}

/**
 * The training loop's form: the value of `fn()` and its gradient with respect to each tensor in
 * `wrt` (zeros where `fn` does not depend on it). Intermediate gradients are released at once.
 *
 * @example const { value: loss, grads } = gradients(() => lossOf(model(x), y), model.trainableWeights);
 * @internal
 */
export function gradients(fn: () => Tensor, wrt: readonly Tensor[]): { value: Tensor; grads: Tensor[] } {
  for (let i = 0; i < wrt.length; i++) {
    if (!(wrt[i] instanceof Tensor)) throw new TypeError(`gradients: wrt[${i}] is not a Tensor`);
  }
  return computeGradients(fn, wrt, "gradients");
}

function computeGradients(fn: () => Tensor, wrt: readonly Tensor[], op: string): { value: Tensor; grads: Tensor[] } {
  for (let i = 0; i < wrt.length; i++) {
    if (wrt[i].dtype !== "float32") {
      throw new TypeError(`${op}: only float32 tensors carry gradients; parameter ${i} has dtype ${wrt[i].dtype} (convert with .astype("float32"))`);
    }
  }
  const tape = new Tape();
  const saved = wrt.map((w) => w._tape);
  try {
    let value: Tensor;
    const prev = setActiveTape(tape);
    try {
      for (const w of wrt) w._tape = tape;
      value = fn();
    } finally {
      setActiveTape(prev);
    }
    if (!(value instanceof Tensor)) {
      throw new TypeError(`${op}: the function must return a scalar Tensor (the loss); it returned ${value === undefined ? "undefined" : typeof value}`);
    }
    if (value.size !== 1) {
      throw new Error(`${op}: the function must return a scalar (one element) to differentiate; it returned shape ${shapeStr(value.shape)} (reduce it with .sum() or .mean())`);
    }
    if (value.dtype !== "float32") {
      throw new TypeError(`${op}: the function returned a ${value.dtype} tensor; only float32 values can be differentiated`);
    }
    const v = value;
    const grads = withScope(() => {
      const seed = full(v.shape, 1);
      const gs = backward(tape, v, seed, wrt, add);
      return gs.map((g, i) => (g === null ? zeros(wrt[i].shape) : g.shape.length === wrt[i].shape.length ? g : g.reshape(wrt[i].shape as number[])));
    });
    return { value: v, grads };
  } finally {
    // Also on errors: drop the recorded nodes (they hold the step's tensors) and unwatch wrt.
    tape.nodes.length = 0;
    wrt.forEach((w, i) => (w._tape = saved[i]));
  }
}

function flatten(p: Params, out: Tensor[], where: string): void {
  if (p instanceof Tensor) out.push(p);
  else if (Array.isArray(p)) p.forEach((q, i) => flatten(q, out, `${where}[${i}]`));
  else if (p !== null && typeof p === "object") for (const k of Object.keys(p)) flatten((p as Record<string, Params>)[k], out, `${where}.${k}`);
  else throw new TypeError(`${where} must be a Tensor (or arrays/objects of Tensors) to take a gradient; received ${p === undefined ? "undefined" : typeof p}`);
}

function rebuild(p: Params, grads: Tensor[], next: () => number): unknown {
  if (p instanceof Tensor) return grads[next()];
  if (Array.isArray(p)) return p.map((q) => rebuild(q, grads, next));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(p)) out[k] = rebuild((p as Record<string, Params>)[k], grads, next);
  return out;
}
