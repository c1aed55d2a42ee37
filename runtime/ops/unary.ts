/**
 * The shared forward/backward of element-wise functions (exp, relu, tanh, …): one backend
 * `unary` call forward, one `unaryGrad` call backward. Each function itself is declared by name
 * in math.ts or activations.ts.
 */
import type { UnaryOp } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/tape.js";
import { backend } from "../tensor/engine.js";
import type { Tensor, TensorLike } from "../tensor/tensor.js";
import { asTensor, toFloat, wrap } from "./util.js";

// For these the backend's unaryGrad takes the forward *output* (cheaper); for the others, the input.
const SAVES_OUTPUT = new Set<UnaryOp>(["relu", "sigmoid", "tanh", "elu", "selu", "relu6"]);

/**
 * out = op(x) in float32 (integer inputs are converted first); records dx = dy·op'(x).
 * @internal
 */
export function unaryOp(name: string, op: UnaryOp, x: TensorLike, alpha?: number): Tensor {
  const t = toFloat(asTensor(x, name));
  const be = backend();
  const buf = be.alloc("float32", t.size);
  if (t.size !== 0) be.unary(op, t.buffer, buf, alpha);
  const out = wrap(buf, t.shape, "float32");
  if (needsGrad(t)) {
    const saved = SAVES_OUTPUT.has(op) ? out : t;
    record(name, out, [t], (dy) => [unaryGradOf(op, saved, dy, alpha)]);
  }
  return out;
}

/** dx = dy · op'(…) from the saved tensor (see SAVES_OUTPUT). @internal */
export function unaryGradOf(op: UnaryOp, saved: Tensor, dy: Tensor, alpha?: number): Tensor {
  const be = backend();
  const dyf = toFloat(dy);
  const buf = be.alloc("float32", saved.size);
  if (saved.size !== 0) be.unaryGrad(op, saved.buffer, dyf.buffer, buf, alpha);
  return wrap(buf, saved.shape, "float32");
}
