/**
 * Reverse-mode automatic differentiation for user code, in JAX's idiom:
 *
 *   const [loss, grads] = valueAndGrad((w, b) => mse(x.matmul(w).add(b), y))(w, b);
 *
 * Arguments may be tensors or arrays/objects of tensors (a "params" structure); the gradients
 * come back in the same structure. Only float32 tensors carry gradients.
 */
import { full, zeros } from "../tensor/create.js";
import { withScope } from "../tensor/engine.js";
import { Tensor, shapeStr } from "../tensor/tensor.js";
import { add } from "../ops/arithmetic.js";
import { Tape, backward, setActiveTape } from "./tape.js";

/** A tensor, or arrays/objects nesting tensors (model parameters). */
export type Params = Tensor | readonly Params[] | { readonly [key: string]: Params };

/** The gradient structure for a parameter structure: the same nesting, a Tensor per tensor. */
export type GradsOf<P> = P extends Tensor ? Tensor : { -readonly [K in keyof P]: GradsOf<P[K]> };

/**
 * Wraps `f` (returning a scalar tensor) so that calling the result returns `[value, grads]`,
 * with grads[i] = d value / d args[i] in the same structure as args[i].
 *
 * @example const [loss, [dw, db]] = valueAndGrad((w, b) => x.matmul(w).add(b).sub(y).square().mean())(w, b);
 */
export function valueAndGrad<A extends Params[]>(f: (...args: A) => Tensor): (...args: A) => [Tensor, GradsOf<A>] {
  return (...args: A) => valueAndGradOf(f as (...a: Params[]) => Tensor, args, "valueAndGrad") as never;
}

function valueAndGradOf(f: (...a: Params[]) => Tensor, args: Params[], op: string): [Tensor, unknown[]] {
  const leaves: Tensor[] = [];
  for (let i = 0; i < args.length; i++) flatten(args[i], leaves, `${op}: argument ${i}`);
  const { value, grads } = computeGradients(() => f(...args), leaves, op);
  let k = 0;
  return [value, args.map((a) => rebuild(a, grads, () => k++))];
}

/**
 * Wraps `f` (returning a scalar tensor) so that calling the result returns the gradients of
 * `f` with respect to each argument.
 *
 * @example const [dx] = grad((x) => x.square().sum())(tensor([1, 2, 3])); // [2, 4, 6]
 */
export function grad<A extends Params[]>(f: (...args: A) => Tensor): (...args: A) => GradsOf<A> {
  return (...args: A) => valueAndGradOf(f as (...a: Params[]) => Tensor, args, "grad")[1] as never;
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
  const prev = setActiveTape(tape);
  let value: Tensor;
  try {
    for (const w of wrt) w._tape = tape;
    value = fn();
  } finally {
    setActiveTape(prev);
  }
  try {
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
